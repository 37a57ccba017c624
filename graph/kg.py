"""The knowledge graph as a Python object: load it (building it if needed), query it, add data to it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib

from graph import build as builder
from graph.catalogue import get_query
from graph.errors import InputError
from graph.namespaces import (
    GRAPH_FACTS,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_PERIODS,
    GRAPH_SCRATCH,
    bind_prefixes,
)
from graph.parsing import parse_file
from graph.periods import derive_periods
from graph.reasoning import inferred_triples
from graph.results import QueryResult
from graph.settings import Settings, get_settings
from graph.store import Bindings, EmbeddedStore, extra_graph_name
from graph.terms import graph_of, triples_to_rdflib

if TYPE_CHECKING:  # the remote store (and httpx, ~0.1 s to import) only when one is used
    from graph.remote import RemoteStore


@dataclass
class ExtraData:
    path: str
    graph: str  # where the file's default-graph triples (and what is inferred from them) go
    sha256: str
    triples: int
    named: list[str] = field(default_factory=list)  # named graphs of a TriG or N-Quads file, kept as they are

    @property
    def graphs(self) -> list[str]:
        return [self.graph, *self.named]


@dataclass
class KnowledgeGraph:
    """The built graph in a store, with the manifest of the build it came from."""

    store: EmbeddedStore | RemoteStore
    manifest: builder.Manifest
    settings: Settings
    build_dir: Path
    extra: list[ExtraData] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """Digest of the build recipe, ontology, shapes and facts — and of any extra data loaded beside
        them: it stamps every decision."""
        if not self.extra:
            return self.manifest.content_hash
        digest = hashlib.sha256(self.manifest.content_hash.encode())
        for e in self.extra:
            digest.update(f"\0{e.sha256}".encode())
        return digest.hexdigest()

    def data_graphs(self) -> list[str]:
        """The graphs the rules read: ontology, facts, inferred, periods and extra data."""
        return [
            GRAPH_ONTOLOGY,
            GRAPH_FACTS,
            GRAPH_INFERRED,
            GRAPH_PERIODS,
            *(g for e in self.extra for g in e.graphs),
        ]

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

    def run(self, name: str, /, **params: str) -> QueryResult:
        """Run a query of the catalogue by name, with its parameters given as strings. For the library's
        own use: the result is not capped (what users run goes through the capped `eckg query` and API)."""
        named = get_query(name)
        return self.query(named.text, named.bind(params))

    def add_data(self, path: Path) -> ExtraData:
        """Load an extra RDF file (Turtle, N-Triples, TriG with named graphs...) beside the graph.

        Triples of the file's default graph go to a graph of their own; a TriG file's named graphs keep
        their names. The rules read them all; they are reasoned over with the graph (OWL RL), and the
        in-force periods are derived again, so a new listing, measure or suspension given as data takes
        effect like a built-in one."""
        if not isinstance(self.store, EmbeddedStore):
            raise InputError(
                f"--data {path}: the graph is in a remote store; load the file into it with "
                "`eckg load --store URL --data FILE`"
            )
        graph = ox.NamedNode(extra_graph_name(len(self.extra) + 1))
        quads = parse_file(path, graph)
        named = sorted({graph_of(q) or graph.value for q in quads} - {graph.value})
        extra = ExtraData(
            str(path), graph.value, hashlib.sha256(path.read_bytes()).hexdigest(), len(quads), named
        )
        # The data goes into the store first and its parsed copy is let go: at a million triples, memory is
        # what bounds reasoning. If reasoning fails, what was added is taken out again.
        already = [q for q in quads if graph_of(q) != graph.value and q in self.store.oxigraph]
        existing = set(self.store.graph_names())
        self.store.add(quads)
        del quads
        try:
            graphs = [*extra.graphs, GRAPH_ONTOLOGY, GRAPH_FACTS, *self._extra_graphs()]
            inferred = self._inferred(self.store, list(dict.fromkeys(graphs)), graph)
        except BaseException:
            self._take_out(self.store, path, graph, already, existing)
            raise
        self.store.add(inferred)
        self.extra.append(extra)
        self.store.drop_graph(GRAPH_PERIODS)
        self.store.add(derive_periods(self.store.oxigraph, GRAPH_PERIODS))
        self.__dict__.pop("rdflib_graph", None)
        return extra

    def _extra_graphs(self) -> list[str]:
        return [g for e in self.extra for g in e.graphs]

    def _inferred(
        self, kg_store: EmbeddedStore, asserted_graphs: list[str], into: ox.NamedNode
    ) -> list[ox.Quad]:
        """What the closure of the asserted graphs adds beyond what is asserted or already inferred."""
        store = kg_store.oxigraph
        nodes = [ox.NamedNode(g) for g in asserted_graphs]

        def asserted(quad: ox.Quad) -> bool:
            return any(ox.Quad(quad.subject, quad.predicate, quad.object, g) in store for g in nodes)

        triples = chain.from_iterable(kg_store.quads(g) for g in asserted_graphs)
        known = {(q.subject, q.predicate, q.object) for q in kg_store.quads(GRAPH_INFERRED)}
        return [
            ox.Quad(t.subject, t.predicate, t.object, into)
            for t in inferred_triples(triples, self.settings.reasoner, asserted_in=asserted)
            if (t.subject, t.predicate, t.object) not in known
        ]

    @staticmethod
    def _take_out(
        store: EmbeddedStore, path: Path, graph: ox.NamedNode, already: list[ox.Quad], existing: set[str]
    ) -> None:
        """Undo a partly loaded file: graphs it brought go, graphs that were there lose what it added."""
        added = parse_file(path, graph)
        kept = set(already)
        store.remove(q for q in added if graph_of(q) in existing and q not in kept)
        for name in {graph_of(q) or graph.value for q in added} - existing:
            store.drop_graph(name)

    @cached_property
    def rdflib_graph(self) -> rdflib.Graph:
        """The asserted and inferred triples as an in-memory rdflib graph (for pySHACL and rdflib users)."""
        graph = bind_prefixes(rdflib.Graph())
        for name in self.data_graphs():
            for triple in triples_to_rdflib(self.store.quads(name)):
                graph.add(triple)
        return graph


def open_build(settings: Settings, directory: Path) -> KnowledgeGraph:
    """The knowledge graph of one cached build directory (an in-memory copy of its store)."""
    return KnowledgeGraph(
        store=EmbeddedStore.copy_of(directory / "store", quads=directory / builder.QUADS_FILE),
        manifest=builder.Manifest.read(directory / "manifest.json"),
        settings=settings,
        build_dir=directory,
    )


def load_graph(
    settings: Settings | None = None, *, data: Iterable[Path] = (), rebuild: bool = False
) -> KnowledgeGraph:
    """Load the knowledge graph, building it first unless the cache already holds this version."""
    settings = settings or get_settings()
    if settings.store_url:
        kg = open_remote(settings)
        for path in data:
            kg.add_data(Path(path))  # refused: data goes into a remote store with `eckg load`
        return kg
    inputs = builder.collect_inputs(settings.reasoner)
    kg = open_build(settings, builder.build(inputs, settings.cache_dir, force=rebuild))
    for path in data:
        kg.add_data(Path(path))
    return kg


def remote_store(settings: Settings) -> RemoteStore:
    from graph.remote import RemoteStore

    assert settings.store_url
    return RemoteStore(
        settings.store_url,
        update_url=settings.store_update_url,
        graph_url=settings.store_graph_url,
        timeout=settings.query_timeout,
        token=settings.store_token.get_secret_value() if settings.store_token else None,
    )


def open_remote(settings: Settings) -> KnowledgeGraph:
    """The knowledge graph eckg loaded into the SPARQL server at settings.store_url (`eckg load`)."""
    store = remote_store(settings)
    manifest = store.manifest()
    build_dir = settings.cache_dir / "remote" / manifest.content_hash  # what is kept per build (rule reads)
    build_dir.mkdir(parents=True, exist_ok=True)
    return KnowledgeGraph(store=store, manifest=manifest, settings=settings, build_dir=build_dir)


def load_into(settings: Settings, store: RemoteStore, data: Iterable[Path] = ()) -> builder.Manifest:
    """Put the built graph (ontology, shapes, facts, closure, periods) and any extra data into the remote
    store, replacing what an earlier load put there; the manifest recorded, stamped with the content hash."""
    local = load_graph(settings.model_copy(update={"store_url": None}), data=data)
    assert isinstance(local.store, EmbeddedStore)
    graphs = [g for g in local.store.graph_names() if not g.startswith(GRAPH_SCRATCH)]
    for graph in graphs:
        store.post_graph(
            graph,
            [ox.Triple(q.subject, q.predicate, q.object) for q in local.store.quads(graph)],
            replace=True,
        )
    manifest = replace(local.manifest, content_hash=local.content_hash)
    store.record_load(manifest, graphs)
    return manifest
