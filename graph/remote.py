"""The graph in a SPARQL 1.1 server (Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso, Amazon
Neptune...), behind the same interface as the embedded store.

Only the standards are used, so that any server works:
- queries: the SPARQL 1.1 Protocol (POST, form-encoded), results as SPARQL JSON or N-Triples. Parameters
  are bound by a VALUES block first in the WHERE group; the dataset is given as an explicit list of
  `default-graph-uri` (there is no standard "union of all graphs"): the graphs eckg loaded, plus the
  scratch graphs this process is screening in.
- updates: the SPARQL 1.1 Protocol's update operation (DROP SILENT GRAPH for scratch graphs).
- loading: the Graph Store HTTP Protocol (PUT replaces a graph, POST adds to it), N-Triples.

What eckg loaded, and from which build, is recorded in the store itself (graph META_GRAPH), so that every
replica that opens the store stamps its decisions with the same content hash.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from graph import build as builder
from graph.errors import EckgError, InputError, QuerySyntaxError, QueryTimeout, StoreUnavailable
from graph.namespaces import GRAPH_DECISIONS, GRAPH_SCRATCH, PREFIXES
from graph.results import QueryResult
from graph.sparql_text import keywords, with_bindings
from graph.store import Bindings, materialize, values_of

META_GRAPH = "urn:eckg:graph:remote-meta"
_BUILD = ox.NamedNode("urn:eckg:remote:build")
_MANIFEST = ox.NamedNode("urn:eckg:remote:manifest")
_GRAPH = ox.NamedNode("urn:eckg:remote:graph")

_SELECT_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"


class RemoteStore:
    """A SPARQL 1.1 server: `query_url` (Protocol query operation), `update_url` (update operation) and
    `graph_url` (Graph Store Protocol); the last two default to the first (one URL for all, as Fuseki's
    dataset URL)."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        graph_url: str | None = None,
        timeout: float = 30.0,
        token: str | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_url = graph_url or query_url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0), headers=headers)
        self._lock = threading.Lock()
        self._scratch: set[str] = (
            set()
        )  # scratch graphs of this process, in the default graph while they live
        self._loaded: list[str] | None = None  # graphs eckg loaded (read from META_GRAPH once)

    # ------------------------------------------------------------------ reading

    def query(
        self,
        sparql: str,
        bindings: Bindings | None = None,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        union: bool = False,
        max_rows: int | None = None,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        text = _prologue(PREFIXES if prefixes is None else prefixes, base_iri) + sparql
        if bindings:
            text = with_bindings(text, values_of(bindings))
        if default_graph is None or union:  # every graph eckg loaded, and this process's scratch graphs
            default_graph = [*self.loaded_graphs(), GRAPH_DECISIONS, *sorted(self._scratch)]
            if named_graphs is None:
                named_graphs = default_graph
        form: list[tuple[str, str]] = [("query", text)]
        form += [("default-graph-uri", g) for g in default_graph]
        form += [("named-graph-uri", g) for g in named_graphs or []]
        graph_form = bool(keywords(sparql) & {"CONSTRUCT", "DESCRIBE"})
        response = self._send(
            "POST", self.query_url, data=form, accept=_NTRIPLES if graph_form else _SELECT_JSON
        )
        if graph_form:
            parsed = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
            return materialize([ox.Triple(t.subject, t.predicate, t.object) for t in parsed], max_rows)
        answer = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        return materialize(answer, max_rows)

    def loaded_graphs(self) -> list[str]:
        """The graphs eckg loaded into the store (StoreUnavailable if it loaded none)."""
        if self._loaded is None:
            self._loaded = sorted(self._meta_values(_GRAPH))
            if not self._loaded:
                raise StoreUnavailable(
                    f"the store at {self.query_url} holds no eckg graph: run `eckg load --store {self.query_url}`"
                )
        return self._loaded

    def manifest(self) -> builder.Manifest:
        found = self._meta_values(_MANIFEST)
        if not found:
            raise StoreUnavailable(
                f"the store at {self.query_url} holds no eckg graph: run `eckg load --store {self.query_url}`"
            )
        return builder.Manifest(**json.loads(found[0]))

    def _meta_values(self, predicate: ox.NamedNode) -> list[str]:
        rows = self.query(
            f"SELECT ?v WHERE {{ {_BUILD} {predicate} ?v }}", default_graph=[META_GRAPH], prefixes={}
        ).rows
        return [str(r["v"].value) for r in rows]

    def graph_names(self) -> list[str]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=[], prefixes={})
        return sorted(r["g"].value for r in rows.rows if isinstance(r["g"], ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        graphs = [graph] if graph else self.loaded_graphs()
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=graphs, prefixes={})
        return int(result.rows[0]["n"].value)

    def quads_for_pattern(
        self, subject: Any, predicate: Any, obj: Any, graph: ox.NamedNode | None = None
    ) -> list[ox.Quad]:
        """Like pyoxigraph's Store.quads_for_pattern (None: any), over the loaded graphs or one graph."""
        bound = {k: v for k, v in (("s", subject), ("p", predicate), ("o", obj)) if v is not None}
        graphs = [graph.value] if graph is not None else self.loaded_graphs()
        rows = self.query(
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            bound,
            default_graph=[],
            named_graphs=graphs,
            prefixes={},
        ).rows
        return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]  # type: ignore[arg-type]

    def quads(self, graph: str | None = None) -> list[ox.Quad]:
        return self.quads_for_pattern(None, None, None, ox.NamedNode(graph) if graph else None)

    # ------------------------------------------------------------------ writing

    def add(self, quads: Iterable[ox.Quad]) -> None:
        by_graph: dict[str, list[ox.Triple]] = {}
        for q in quads:
            if not isinstance(q.graph_name, ox.NamedNode):
                raise InputError("the remote store takes quads in named graphs only")
            by_graph.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
        for graph, triples in by_graph.items():
            if graph.startswith(GRAPH_SCRATCH):
                with self._lock:
                    self._scratch.add(graph)
            self.post_graph(graph, triples)

    bulk_add = add

    def post_graph(self, graph: str, triples: Sequence[ox.Triple], *, replace: bool = False) -> None:
        """Graph Store Protocol: add the triples to the graph (replace it, with `replace`)."""
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        method = "PUT" if replace else "POST"
        self._send(method, self.graph_url, params={"graph": graph}, content=data, content_type=_NTRIPLES)

    def drop_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")
        with self._lock:
            self._scratch.discard(graph)

    def update(
        self, sparql: str, *, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None
    ) -> None:
        text = _prologue(PREFIXES if prefixes is None else prefixes, base_iri) + sparql
        self._send("POST", self.update_url, content=text.encode(), content_type="application/sparql-update")

    def record_load(self, manifest: builder.Manifest, graphs: Sequence[str]) -> None:
        """Record in the store which build was loaded, and its graphs (replacing any earlier record)."""
        triples = [ox.Triple(_BUILD, _MANIFEST, ox.Literal(json.dumps(asdict(manifest))))]
        triples += [ox.Triple(_BUILD, _GRAPH, ox.Literal(g)) for g in graphs]
        self.post_graph(META_GRAPH, triples, replace=True)
        self._loaded = None

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ HTTP

    def _send(
        self,
        method: str,
        url: str,
        *,
        data: list[tuple[str, str]] | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        params: dict[str, str] | None = None,
        accept: str | None = None,
    ) -> httpx.Response:
        headers = {k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v}
        try:
            if data is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                content = urlencode(data).encode()
            response = self._http.request(method, url, params=params, content=content, headers=headers)
        except httpx.TimeoutException:
            raise QueryTimeout(f"the store at {url} did not answer in time") from None
        except httpx.HTTPError as e:
            raise StoreUnavailable(f"the store at {url} cannot be reached: {e}") from None
        if response.status_code >= 400:
            raise _error(url, response)
        return response


def _prologue(prefixes: Mapping[str, str], base_iri: str | None) -> str:
    base = f"BASE {ox.NamedNode(base_iri)}\n" if base_iri else ""
    return base + "".join(f"PREFIX {p}: {ox.NamedNode(ns)}\n" for p, ns in prefixes.items())


def _error(url: str, response: httpx.Response) -> EckgError:
    detail = response.text.strip()[:500]
    if response.status_code == 400:
        return QuerySyntaxError(f"the store at {url} refused the request: {detail}")
    if response.status_code in (408, 504):
        return QueryTimeout(f"the store at {url} timed out: {detail}")
    return StoreUnavailable(f"the store at {url} answered HTTP {response.status_code}: {detail}")
