"""The knowledge graph as a Python object: load it (building it if needed), query it, add data to it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
import rdflib

from graph import build as builder
from graph.catalogue import get_query
from graph.namespaces import GRAPH_FACTS, GRAPH_INFERRED, GRAPH_ONTOLOGY, bind_prefixes
from graph.parsing import parse_file
from graph.results import QueryResult
from graph.settings import Settings, get_settings
from graph.store import Bindings, EmbeddedStore, extra_graph_name
from graph.terms import triples_to_rdflib


@dataclass
class ExtraData:
    path: str
    graph: str
    sha256: str
    triples: int


@dataclass
class KnowledgeGraph:
    """The built graph in a store, with the manifest of the build it came from."""

    store: EmbeddedStore
    manifest: builder.Manifest
    settings: Settings
    extra: list[ExtraData] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """Digest of the build recipe, ontology, shapes and facts: stamps every decision."""
        return self.manifest.content_hash

    def query(
        self,
        sparql: str,
        bindings: Bindings | None = None,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run SPARQL over the public graphs (or the graphs named), with parameters bound as RDF terms."""
        return self.store.query(
            sparql, bindings, default_graph=default_graph, named_graphs=named_graphs, max_rows=max_rows
        )

    def run(self, name: str, **params: str) -> QueryResult:
        """Run a query of the catalogue by name, with its parameters given as strings."""
        named = get_query(name)
        return self.query(named.text, named.bind(params), max_rows=self.settings.max_result_rows)

    def add_data(self, path: Path) -> ExtraData:
        """Load an extra RDF file (Turtle, N-Triples, TriG with named graphs...) beside the graph."""
        graph = extra_graph_name(len(self.extra) + 1)
        quads = parse_file(path, ox.NamedNode(graph))
        self.store.add(quads)
        extra = ExtraData(str(path), graph, hashlib.sha256(path.read_bytes()).hexdigest(), len(quads))
        self.extra.append(extra)
        self.__dict__.pop("rdflib_graph", None)
        return extra

    @cached_property
    def rdflib_graph(self) -> rdflib.Graph:
        """The asserted and inferred triples as an in-memory rdflib graph (for pySHACL and rdflib users)."""
        graph = bind_prefixes(rdflib.Graph())
        for name in (GRAPH_ONTOLOGY, GRAPH_FACTS, GRAPH_INFERRED, *(e.graph for e in self.extra)):
            for triple in triples_to_rdflib(self.store.quads(name)):
                graph.add(triple)
        return graph


def load_graph(
    settings: Settings | None = None, *, data: Iterable[Path] = (), rebuild: bool = False
) -> KnowledgeGraph:
    """Load the knowledge graph, building it first unless the cache already holds this version."""
    settings = settings or get_settings()
    inputs = builder.collect_inputs(settings.reasoner)
    directory = builder.build(inputs, settings.cache_dir, force=rebuild)
    kg = KnowledgeGraph(
        store=EmbeddedStore.copy_of(directory / "store"),
        manifest=builder.Manifest.read(directory / "manifest.json"),
        settings=settings,
    )
    for path in data:
        kg.add_data(Path(path))
    return kg
