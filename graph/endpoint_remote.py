"""The SPARQL endpoint when the graph is in a remote SPARQL server (`eckg serve --store URL`): the same
operations as graph.endpoint.QueryService, passed on to the server, with the same guards (SERVICE and LOAD
refused unless allowed, a row cap) and the same answers (formats serialised here, so every client sees
the same media types whichever store is behind).

The time limit is the server's and the HTTP client's (settings.query_timeout): a remote query that runs
on is the server's to stop, and this process only waits for it that long.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from graph.endpoint import META_GRAPH, Answer, QueryService, _serialize
from graph.kg import KnowledgeGraph
from graph.namespaces import GRAPH_DECISIONS, GRAPH_SCRATCH
from graph.remote import META_GRAPH as REMOTE_META_GRAPH
from graph.remote import RemoteStore
from graph.sparql_text import graph_iris, refuse_remote, with_using


@dataclass
class RemoteQueryService:
    store: RemoteStore
    allow_service: bool
    allow_load: bool
    max_rows: int

    @classmethod
    def for_graph(cls, kg: KnowledgeGraph) -> RemoteQueryService:
        assert isinstance(kg.store, RemoteStore)
        s = kg.settings
        return cls(kg.store, s.allow_service, s.allow_load, s.max_result_rows)

    def start(self) -> None:
        self.store.loaded_graphs()  # fails now, clearly, if the store holds no eckg graph

    def close(self) -> None:
        self.store.close()

    def _graphs(self) -> list[str]:
        hidden = (REMOTE_META_GRAPH, META_GRAPH)
        return [g for g in self.store.graph_names() if g not in hidden and not g.startswith(GRAPH_SCRATCH)]

    def query(
        self,
        text: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        solution_format: str | None = "json",
        graph_format: str | None = "turtle",
        base: str | None = None,
        timeout: float | None = None,
    ) -> Answer:
        refuse_remote(text, allow_service=self.allow_service, allow_load=self.allow_load)
        graph_iris(default_graphs, "default-graph-uri")
        graph_iris(named_graphs, "named-graph-uri")
        if (
            default_graphs is None and named_graphs is None
        ):  # no dataset given: every graph, as the embedded one
            default_graphs = named_graphs = self._graphs()
        result = self.store.query(
            text,
            default_graph=default_graphs or [],
            named_graphs=named_graphs or [],
            max_rows=self.max_rows,
            prefixes={},
            base_iri=base,
        )
        return Answer(*_serialize(result, solution_format, graph_format))

    def update(
        self,
        text: str,
        *,
        using: list[str] | None = None,
        using_named: list[str] | None = None,
        base: str | None = None,
    ) -> None:
        refuse_remote(text, allow_service=self.allow_service, allow_load=self.allow_load)
        self.store.update(with_using(text, using or [], using_named or []), base_iri=base, prefixes={})

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (decisions) to the server, in the decisions graph."""
        quads = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(GRAPH_DECISIONS)) for q in quads]
        if quads:
            self.store.add(quads)

    def graphs(self) -> dict[str, int]:
        return {g: self.store.count(g) for g in self._graphs()}


def endpoint_for(kg: KnowledgeGraph) -> QueryService | RemoteQueryService:
    """The SPARQL endpoint's service for the graph's store: a worker process over an embedded copy, or the
    remote server itself."""
    if isinstance(kg.store, RemoteStore):
        return RemoteQueryService.for_graph(kg)
    return QueryService.for_graph(kg)
