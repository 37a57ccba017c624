"""The SPARQL endpoint's engine: every query and update runs in a worker process that owns the endpoint's
Oxigraph store on disk (<data_dir>/endpoint/store).

Oxigraph cannot cancel a running query, so the time limit is enforced by the process boundary: a query
still running at the limit gets QueryTimeout at once, and its worker is killed and started again (the
store on disk survives; RocksDB recovers it). The server itself never waits on a runaway query.

Several servers (the worker processes of `eckg serve --workers N`) can share a data directory: each takes
the first endpoint store no other process holds (store, then store-1, store-2 ...; an flock on a file
beside it, held while the server runs), so each has a copy of its own. Decisions reach every copy, from the
one audit log. Updates would reach one copy only, so a server with updates enabled takes the first store
or none.

At start the worker makes its store hold the current build of the knowledge graph (copied from the build
cache when the graph version or its triple counts differ), the extra data given with --data, and
whatever decisions and updates it already held. Updates change the endpoint's store only: screening
always uses the built graph, whose content hash stamps decisions.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph import errors as error_types
from graph.decisions_view import META, META_GRAPH, audit_mark, audit_mark_quads, sync_decisions
from graph.errors import EckgError, NotAcceptable, QueryTimeout, StoreUnavailable
from graph.kg import KnowledgeGraph
from graph.namespaces import ID
from graph.results import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, serialize_graph, serialize_solutions
from graph.sparql_text import graph_iris, refuse_remote, with_using
from graph.store import KNOWLEDGE_GRAPHS, EmbeddedStore
from graph.terms import graph_of, value_of

_HASH = ox.NamedNode(ID + "endpoint#graphHash")
_EXTRA = ox.NamedNode(ID + "endpoint#extraGraph")


CATCH_UP_LIMIT = 900.0
"""Seconds a catch-up of the decisions graph with the audit log may take (QueryService._catch_up)."""


@dataclass(frozen=True)
class WorkerConfig:
    store_path: str
    build_store: str
    graph_hash: str
    graph_counts: dict[str, int]
    extra_nquads: bytes
    extra_graphs: tuple[str, ...]
    allow_service: bool
    allow_load: bool
    max_rows: int
    audit_path: str | None = None


@dataclass(frozen=True)
class Answer:
    body: bytes
    media_type: str
    kind: str  # select, ask, graph


@dataclass
class QueryService:
    """Runs SPARQL for the endpoint in a worker process, with a hard time limit per request."""

    config: WorkerConfig
    timeout: float
    first_store_only: bool = False  # updates are enabled: no copy of the store but the first will do
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _claim: int | None = None  # the descriptor whose flock holds this server's store
    _first: Path = field(init=False)  # the first store's path: the claim starts there
    _process: Any = None
    _conn: Connection | None = None

    def __post_init__(self) -> None:
        self._first = Path(self.config.store_path)

    @classmethod
    def for_graph(cls, kg: KnowledgeGraph) -> QueryService:
        settings = kg.settings
        extras = [g for e in kg.extra for g in e.graphs]
        quads = [q for g in extras for q in kg.store.quads(g)]
        config = WorkerConfig(
            store_path=str(settings.data_dir / "endpoint" / "store"),
            build_store=str(kg.build_dir / "store"),
            graph_hash=kg.manifest.content_hash,
            graph_counts={g: kg.store.count(g) for g in KNOWLEDGE_GRAPHS},
            extra_nquads=ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"",
            extra_graphs=tuple(extras),
            allow_service=settings.allow_service,
            allow_load=settings.allow_load,
            max_rows=settings.max_result_rows,
            audit_path=str(settings.audit_log),
        )
        return cls(config, settings.query_timeout, first_store_only=settings.updates_enabled)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._claim is None:
            path, self._claim = claim_store(self._first, self.first_store_only)
            self.config = replace(self.config, store_path=str(path))
        context = mp.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=worker_main, args=(child, self.config), daemon=True, name="eckg-sparql"
        )
        process.start()
        child.close()
        if not parent.poll(120):
            process.kill()
            raise StoreUnavailable("the SPARQL worker did not start within 120 s")
        status = parent.recv()
        if status[0] != "ready":
            process.join(5)
            raise _rebuild(status)
        self._process, self._conn = process, parent

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(("stop",))
        if self._process is not None:
            self._process.join(5)
            if self._process.is_alive():
                self._process.kill()
        self._process = self._conn = None
        if self._claim is not None:
            os.close(self._claim)  # the store is free for the next server
            self._claim = None

    def _restart(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(10)
        self._process = self._conn = None
        self.start()

    # ------------------------------------------------------------------ requests

    def _call(self, message: tuple[Any, ...], timeout: float | None, stopped: str | None = None) -> Any:
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        if not self._lock.acquire(timeout=min(limit, self.timeout)):
            raise QueryTimeout(
                f"the SPARQL endpoint is busy; no slot within {self.timeout:g} s (setting ECKG_QUERY_TIMEOUT)"
            )
        try:
            if self._conn is None:
                self.start()
            assert self._conn is not None
            self._conn.send(message)
            if not self._conn.poll(max(deadline - time.monotonic(), 0.01)):
                self._restart()
                raise QueryTimeout(
                    stopped
                    or f"the query ran longer than {limit:g} s and was stopped (setting ECKG_QUERY_TIMEOUT)"
                )
            reply = self._conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError) as e:
            self._restart()
            raise StoreUnavailable(
                f"the SPARQL worker stopped unexpectedly ({type(e).__name__}); it was restarted"
            ) from None
        finally:
            self._lock.release()
        if reply[0] == "error":
            raise _rebuild(reply)
        return reply[1]

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
        """Run a query; the answer is serialised in the solution or graph format (None: not acceptable)."""
        graph_iris(default_graphs, "default-graph-uri")
        graph_iris(named_graphs, "named-graph-uri")
        self._catch_up()
        reply = self._call(
            ("query", text, default_graphs, named_graphs, solution_format, graph_format, base), timeout
        )
        return Answer(*reply)

    def update(
        self,
        text: str,
        *,
        using: list[str] | None = None,
        using_named: list[str] | None = None,
        base: str | None = None,
    ) -> None:
        self._call(("update", with_using(text, using or [], using_named or []), base), None)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (e.g. decisions) to the endpoint's store."""
        data = ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS) or b""
        if data:
            self._call(("add", data), None)

    def graphs(self) -> dict[str, int]:
        """Triple count of the default graph ('') and of every named graph."""
        self._catch_up()
        return dict(self._call(("graphs",), None))

    def _catch_up(self) -> None:
        """Bring the decisions graph up to the audit log, before a query and apart from it: after a large
        batch this takes a while (100,000 decisions, over a minute here), which is not the query's time;
        within the query's limit it was a 503 for a query that had not begun, and a catch-up cut short."""
        self._call(
            ("sync",),
            CATCH_UP_LIMIT,
            f"bringing the decisions graph up to the audit log took longer than {CATCH_UP_LIMIT:g} s and was "
            "stopped; what it wrote is kept, and the next query goes on from there",
        )


def claim_store(first: Path, first_only: bool = False) -> tuple[Path, int]:
    """The first of `first`, `first`-1, `first`-2 ... that no other process holds, and the open descriptor
    of the lock file whose flock now holds it for this process (closing it lets go). StoreUnavailable if
    `first_only` and another process holds the first."""
    first.parent.mkdir(parents=True, exist_ok=True)
    for number in range(1024):
        path = first if number == 0 else first.with_name(f"{first.name}-{number}")
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return path, fd
        except BlockingIOError:
            os.close(fd)
        if first_only:
            raise StoreUnavailable(
                f"another server holds the endpoint's store ({first}); with SPARQL Update enabled a server "
                "must have it: stop the other server, or serve with updates off (copies of the store are "
                "then made for each server)"
            )
    raise StoreUnavailable(f"1,024 servers already hold copies of the endpoint's store beside {first}")


def _rebuild(reply: tuple[Any, ...]) -> EckgError:
    _, name, detail, errors, extra = reply
    cls = getattr(error_types, name, EckgError)
    if not (isinstance(cls, type) and issubclass(cls, EckgError)):
        cls = EckgError
    error = cls.__new__(cls)
    EckgError.__init__(error, detail, errors=errors, **extra)
    return error


# ---------------------------------------------------------------- the worker process


def worker_main(conn: Connection, config: WorkerConfig) -> None:
    try:
        store = open_store(config)
    except Exception as e:  # report why the worker cannot start, then stop
        conn.send(("error", "StoreUnavailable", f"the SPARQL store could not be opened: {e}", [], {}))
        return
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message[0] == "stop":
            return
        try:
            conn.send(("ok", _handle(store, config, message)))
        except EckgError as e:
            conn.send(("error", type(e).__name__, e.detail, e.errors, e.extra))
        except Exception as e:  # an unexpected failure answers as an internal error, the worker lives on
            conn.send(("error", "EckgError", f"{type(e).__name__}: {e}", [], {}))


def open_store(config: WorkerConfig) -> EmbeddedStore:
    store = EmbeddedStore(Path(config.store_path))
    meta = ox.NamedNode(META_GRAPH)
    known = [value_of(q.object) for q in store.oxigraph.quads_for_pattern(META, _HASH, None, meta)]
    counts = {g: store.count(g) for g in config.graph_counts}
    if known != [config.graph_hash] or counts != config.graph_counts:
        for graph in config.graph_counts:
            store.drop_graph(graph)
        build = ox.Store.read_only(config.build_store)
        store.bulk_add(
            q for q in build.quads_for_pattern(None, None, None, None) if graph_of(q) in config.graph_counts
        )
    for old in store.oxigraph.quads_for_pattern(META, _EXTRA, None, meta):
        store.drop_graph(value_of(old.object))
    mark = audit_mark(store)
    store.drop_graph(META_GRAPH)
    if config.extra_nquads:
        store.oxigraph.load(config.extra_nquads, format=ox.RdfFormat.N_QUADS)
    store.add(
        [
            ox.Quad(META, _HASH, ox.Literal(config.graph_hash), meta),
            *audit_mark_quads(*mark),
        ]
        + [ox.Quad(META, _EXTRA, ox.NamedNode(g), meta) for g in config.extra_graphs]
    )
    store.oxigraph.flush()
    return store  # its decisions are brought up to date by the first query (a long log takes a while)


def _handle(store: EmbeddedStore, config: WorkerConfig, message: tuple[Any, ...]) -> Any:
    op = message[0]
    if op == "sync":
        sync_decisions(store, config.audit_path)
        return None
    if op == "query":
        _, text, default_graphs, named_graphs, solution_format, graph_format, base = message
        refuse_remote(text, allow_service=config.allow_service, allow_load=config.allow_load)
        if default_graphs is None and named_graphs is None:  # no dataset given: every graph, default as union
            result = store.query(text, union=True, max_rows=config.max_rows, prefixes={}, base_iri=base)
        else:  # the protocol's dataset replaces the store's: the graphs named, and only those
            result = store.query(
                text,
                default_graph=default_graphs or [],
                named_graphs=named_graphs or [],
                max_rows=config.max_rows,
                prefixes={},
                base_iri=base,
            )
        return _serialize(result, solution_format, graph_format)
    if op == "update":
        _, text, base = message
        refuse_remote(text, allow_service=config.allow_service, allow_load=config.allow_load)
        store.update(text, base_iri=base, prefixes={})
        return None
    if op == "add":
        store.add(ox.parse(message[1], format=ox.RdfFormat.N_QUADS))
        return None
    if op == "graphs":
        counts = {"": sum(1 for _ in store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph()))}
        counts.update(_named_graph_counts(store))
        return counts
    raise EckgError(f"unknown endpoint operation {op!r}")


def _named_graph_counts(store: EmbeddedStore) -> dict[str, int]:
    """Triples in each named graph but the meta graph (an empty one too), counted by Oxigraph in one query:
    counting in Python took a step per triple, and the decisions graph of a long log holds millions."""
    counted = store.query(_COUNT_BY_GRAPH, union=True, prefixes={})
    counts = {row["g"].value: int(row["n"].value) for row in counted.rows}
    return {g: counts.get(g, 0) for g in store.graph_names() if g != META_GRAPH}


_COUNT_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _serialize(result: Any, solution_format: str | None, graph_format: str | None) -> tuple[bytes, str, str]:
    if result.kind == "graph":
        if graph_format is None:
            raise NotAcceptable(
                "the query returns a graph; accept one of " + ", ".join(GRAPH_MEDIA_TYPES.values())
            )
        return serialize_graph(result.triples, graph_format), GRAPH_MEDIA_TYPES[graph_format], result.kind
    if solution_format is None:
        raise NotAcceptable(
            "the query returns results; accept one of " + ", ".join(RESULT_MEDIA_TYPES.values())
        )
    return serialize_solutions(result, solution_format), RESULT_MEDIA_TYPES[solution_format], result.kind
