"""Where the graph lives: an embedded Oxigraph store (default) behind one small interface.

Unless the caller names graphs, a query's default graph is the union of all graphs: ontology, facts,
inferred, periods, shapes, extra data, decisions (where loaded) and the scratch graphs of transactions
being screened. (Oxigraph evaluates a union default graph three times faster than an explicit list of
graphs; nothing in the catalogue or the rules matches the shapes or a scratch transaction by accident:
rules bind their transaction, and transactions are of no kind the catalogue lists.)
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from graph.errors import InputError, QuerySyntaxError, ResultTooLarge
from graph.namespaces import (
    GRAPH_EXTRA,
    GRAPH_FACTS,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_PERIODS,
    GRAPH_SCRATCH,
    GRAPH_SHAPES,
    PREFIXES,
)
from graph.results import QueryResult
from graph.sparql_text import error_position, undeclared_prefix, with_bindings, without_position
from graph.terms import OxTerm

KNOWLEDGE_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_FACTS, GRAPH_INFERRED, GRAPH_PERIODS, GRAPH_SHAPES)
Bindings = Mapping[str, OxTerm]


class GraphStore(Protocol):
    """What eckg needs from a store: query with typed bindings, add and drop graphs."""

    def query(
        self,
        sparql: str,
        bindings: Bindings | None = None,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        union: bool = False,
        max_rows: int | None = None,
    ) -> QueryResult: ...

    def add(self, quads: Iterable[ox.Quad]) -> None: ...

    def drop_graph(self, graph: str) -> None: ...

    def graph_names(self) -> list[str]: ...

    def count(self, graph: str | None = None) -> int: ...


def values_of(bindings: Bindings) -> dict[str, str]:
    """Bindings as N-Triples terms for a VALUES block; InputError for a blank node (VALUES cannot hold one)."""
    out = {}
    for name, term in bindings.items():
        if isinstance(term, ox.BlankNode):
            raise InputError(f"parameter {name}: a blank node cannot be bound to a query, give an IRI")
        out[name] = str(term)
    return out


def public_graphs(store: GraphStore) -> list[str]:
    """The named graphs a query's default graph is made of: everything but scratch graphs."""
    return [g for g in store.graph_names() if not g.startswith(GRAPH_SCRATCH)]


def new_scratch_graph() -> str:
    return f"{GRAPH_SCRATCH}{uuid.uuid4().hex}"


def syntax_error(error: SyntaxError, query: str, prefixes: Iterable[str] = ()) -> QuerySyntaxError:
    """A SPARQL syntax error with the parser's line and column, from Oxigraph's message; a prefix the query
    uses and does not declare (nor is among `prefixes`) is named as such."""
    message = str(error.args[0]) if error.args else str(error)
    line, column = error_position(message)
    message = without_position(message)
    if (undeclared := undeclared_prefix(query, prefixes)) is not None:
        prefix, line, column = undeclared
        known = f" <{PREFIXES[prefix]}>" if prefix in PREFIXES else " <...>"
        message = f"the prefix '{prefix}:' is not declared (PREFIX {prefix}:{known})"
    where = f" at line {line}, column {column}" if line is not None else ""
    location = {k: v for k, v in (("line", line), ("column", column)) if v is not None}
    return QuerySyntaxError(
        f"SPARQL syntax error{where}: {message}", errors=[{**location, "message": message}]
    )


FLUSH_AFTER = 20_000
"""Quads written to an on-disk store between flushes of its memtables (~20 MB of RocksDB memtable)."""

COMPACT_AFTER = 20_000
"""Quads added to an in-memory store, at the least, before it is compacted (EmbeddedStore.drop_graph)."""


class EmbeddedStore:
    """An Oxigraph store in this process (in memory, or on disk when given a path)."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        # Writers take this lock, and hand Oxigraph a list, never a generator: a write that pulls its
        # quads from Python needs the GIL while it holds the store's write lock, and a second writer holding
        # the GIL while it waits for that lock would deadlock them both.
        self._writing = threading.Lock()
        self._unflushed = 0  # quads written to RocksDB's memtables since the last flush (stores on disk)
        self._on_disk = path is not None and not read_only
        self._in_memory = path is None
        self._added = 0  # quads bulk-added since the last compaction (stores in memory)
        self._live = 0  # quads in the store at the last compaction, and added since (not in scratch graphs)
        self.compactions = 0
        if path is None:
            self._store = ox.Store()
        else:
            self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))

    @classmethod
    def copy_of(cls, path: Path, quads: Path | None = None) -> EmbeddedStore:
        """An in-memory copy of an on-disk store: parsed from `quads`, the same quads as N-Quads, where that
        file is there (0.05 s for the shipped graph), else read from the store itself, opened read-only
        (0.13-0.2 s: reading RocksDB is the slower part). Blank nodes keep their labels (the store's
        loaders would rename them), so every process that loads a build labels its nodes alike."""
        copy = cls()
        if quads is not None and quads.is_file():
            copy._store.bulk_extend(list(ox.parse(path=str(quads), format=ox.RdfFormat.N_QUADS)))
        else:
            copy._store.bulk_extend(ox.Store.read_only(str(path)).quads_for_pattern(None, None, None, None))
        copy._live = len(copy._store)
        return copy

    @property
    def oxigraph(self) -> ox.Store:
        return self._store

    def close(self) -> None:
        """Let go of the store (an on-disk one is closed once nothing else refers to it): this object
        is not to be used after."""
        with self._writing:
            if self._on_disk:
                self._store.flush()
            del self._store

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
        if default_graph is None:  # the default graph is the union of every graph (fastest in Oxigraph)
            union = True
        if bindings:  # VALUES, which the planner sees (pre-bound variables are planned as unbound)
            sparql = with_bindings(sparql, values_of(bindings))
        prefixes = PREFIXES if prefixes is None else prefixes
        try:
            answer = self._store.query(
                sparql,
                base_iri=base_iri,
                prefixes=dict(prefixes),
                use_default_graph_as_union=union,
                default_graph=None if union else [ox.NamedNode(g) for g in default_graph or []],
                named_graphs=None if named_graphs is None else [ox.NamedNode(g) for g in named_graphs],
            )
        except SyntaxError as e:
            raise syntax_error(e, sparql, prefixes) from None
        return materialize(answer, max_rows)

    def update(
        self, sparql: str, *, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None
    ) -> None:
        prefixes = PREFIXES if prefixes is None else prefixes
        try:
            with self._writing:
                self._store.update(sparql, base_iri=base_iri, prefixes=dict(prefixes))
                self._written(FLUSH_AFTER)  # its size is unknown: flush
        except SyntaxError as e:
            raise syntax_error(e, sparql, prefixes) from None

    def add(self, quads: Iterable[ox.Quad]) -> None:
        quads = list(quads)
        with self._writing:
            self._store.extend(quads)
            self._written(len(quads))
            self._live += len(quads)

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        quads = list(quads)
        with self._writing:
            for quad in quads:
                self._store.remove(quad)
            self._written(len(quads))

    def _written(self, quads: int) -> None:
        """Flush an on-disk store's memtables every FLUSH_AFTER quads written, so that a store taking a
        steady stream of small writes (decisions) keeps a bounded memory instead of growing until RocksDB's
        own limits."""
        if not self._on_disk:
            return
        self._unflushed += quads
        if self._unflushed >= FLUSH_AFTER:
            self._store.flush()
            self._unflushed = 0

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one go (a transaction's scratch graph, a chunk's). In memory, `extend` is faster than
        `bulk_extend` at every size measured (8 quads: 8 against 70 µs; 40,000: 41 against 60 ms), which
        is made for loading an on-disk store."""
        quads = list(quads)
        with self._writing:
            if self._in_memory:
                self._store.extend(quads)
            else:
                self._store.bulk_extend(quads)
            self._added += len(quads)

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph. An in-memory store is then compacted if it has taken as many quads since
        the last compaction as it holds (and at least COMPACT_AFTER): Oxigraph's memory store keeps every
        quad ever added, and every term, in its indexes — a removed quad is only marked removed — so a
        process that screens transaction after transaction in scratch graphs would grow and slow down
        without end (after 20,000 screenings, +45 MB and full scans 3x slower, measured). Compacting
        copies the live quads into a fresh store, which costs about what the writes it cleans up cost."""
        node = ox.NamedNode(graph)
        with self._writing:
            if self._store.contains_named_graph(node):
                self._store.remove_graph(node)
            if self._in_memory and self._added >= max(COMPACT_AFTER, self._live):
                self._compact()

    def compact(self) -> None:
        """Copy the live quads of an in-memory store into a fresh one (see drop_graph)."""
        if self._in_memory:
            with self._writing:
                self._compact()

    def _compact(self) -> None:
        """Swap in a copy of the live quads (with the write lock held, so no write falls between copy and
        swap). A reader still on the old store sees the same quads: no write went there since the copy."""
        fresh = ox.Store()  # private to this method: no lock to take in order
        fresh.bulk_extend(self._store.quads_for_pattern(None, None, None, None))
        self._store = fresh
        self._live = len(fresh)
        self._added = 0
        self.compactions += 1

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def quads_for_pattern(
        self, subject: Any, predicate: Any, obj: Any, graph: ox.NamedNode | None = None
    ) -> Iterable[ox.Quad]:
        return self._store.quads_for_pattern(subject, predicate, obj, graph)

    def quads(self, graph: str | None = None) -> Iterable[ox.Quad]:
        return self._store.quads_for_pattern(None, None, None, None if graph is None else ox.NamedNode(graph))


def materialize(answer: object, max_rows: int | None) -> QueryResult:
    """Turn Oxigraph's lazy answer into a QueryResult, stopping at max_rows + 1 (then ResultTooLarge)."""
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(answer))
    if isinstance(answer, (ox.QueryTriples, list)):  # a list: triples parsed from a remote store
        triples = []
        for triple in answer:
            triples.append(triple)
            _check_cap(len(triples), max_rows)
        return QueryResult(kind="graph", triples=triples)
    assert isinstance(answer, ox.QuerySolutions)
    variables = [v.value for v in answer.variables]
    rows: list[dict[str, OxTerm]] = []
    for solution in answer:
        # a solution is a tuple in the order of the variables: read by position, twice as fast as by name
        rows.append({v: term for v, term in zip(variables, solution, strict=True) if term is not None})
        _check_cap(len(rows), max_rows)
    return QueryResult(kind="select", variables=variables, rows=rows)


def _check_cap(count: int, max_rows: int | None) -> None:
    if max_rows is not None and count > max_rows:
        raise ResultTooLarge(
            f"the query returns more than {max_rows} results; narrow it or add LIMIT (setting ECKG_MAX_RESULT_ROWS)"
        )


def extra_graph_name(index: int) -> str:
    return f"{GRAPH_EXTRA}{index}"
