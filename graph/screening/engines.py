"""The two rule engines. Both validate transactions against the same shapes over the same graph and
produce the same findings and the same sh:ValidationReport.

- `ReferenceEngine`: pySHACL over rdflib graphs in memory — the reference, as SHACL users run it.
- `FastEngine`: the shapes' SPARQL constraints run on the Oxigraph store, set-at-a-time over every
  transaction of a batch (one query per constraint), with pySHACL's result semantics: one result per
  distinct (focus, path, value, other projected variables), `{?var}` message templates filled the same way.

The differential tests in tests/screening/test_engines.py keep the two in step, decision for decision.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from graph.kg import KnowledgeGraph
from graph.namespaces import GRAPH_SHAPES
from graph.screening.inline import Template
from graph.screening.memo import Key, ResultMemo, bound_dates, domain_values
from graph.screening.pyshacl_messages import fill, install
from graph.screening.reads_cache import cached_reads
from graph.screening.report import Finding, Report
from graph.screening.shapes import Constraint, load_constraints
from graph.screening.transaction import Resolved
from graph.sparql_text import where_body_start, with_values
from graph.store import new_scratch_graph
from graph.terms import triples_to_rdflib


class Engine(Protocol):
    name: str

    def findings(self, transactions: Sequence[Resolved]) -> list[Finding]: ...

    def report(self, transactions: Sequence[Resolved]) -> tuple[list[Finding], Report]: ...


_NAMES_FOCUS = re.compile(r"\{[?$]this\}")


def fill_message(template: str | None, variables: dict[str, str]) -> str:
    """The substitution of {?var} and {$var} in sh:message, as the reference engine makes it (pySHACL's, with
    each value taken literally: graph.screening.pyshacl_messages)."""
    return fill(template or "", variables)


_POOL = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="eckg-rules")


@dataclass(frozen=True)
class _Each:
    """The key of a constraint whose results cannot be reused: one transaction."""

    iri: str


# Up to this many transactions, a constraint's query binds `$this` with VALUES: Oxigraph's planner then
# starts from the transactions and walks to the measures, so the cost follows the transactions, not the size
# of the graph (pre-bound `$this` is invisible to the planner: with 100,000 parties, a query that started from
# the measures took 230 ms, bound by VALUES 0.9 ms). Unbound, the query starts from the measures: a cost fixed
# by the graph (~4 ms for all constraints over the shipped graph) plus little per transaction, against ~0.1 ms
# per transaction with VALUES — so larger runs go unbound.
FOCUS_LIMIT = 50

# Up to this many runs of FOCUS_LIMIT, transactions stay bound, a run of FOCUS_LIMIT at a time: unbound, a
# run costs what the size of the graph sets (at 100,000 parties, 122 ms for 51 transactions against 14 ms
# bound for 50). On the shipped graph bound runs cost more (17-40 ms against 9-21 ms for 51-150
# transactions), but with results reused a group of 32 is no slower (docs/benchmarks.md). So a few requests
# screened together, with their weak matches' alternatives (up to 3 each), keep a cost that follows them.
BOUND_RUNS = 3

# A result row: path, value (None: the focus itself), the other projected variables
Row = tuple[ox.NamedNode | None, Any, tuple[tuple[str, str], ...]]


class FastEngine:
    """Runs each constraint's query on Oxigraph, reusing results by key (graph.screening.memo): each
    constraint runs once, set-at-a-time, over one transaction per key it has not seen, the constraints side
    by side on the machine's cores (Oxigraph releases the GIL while it evaluates). A batch of an order book
    has few keys per constraint (100,000 transactions: 1 to 8,812; 73,375 distinct signatures), so after
    its first chunks a chunk of 5,000 runs the rules over ~1,000 of them."""

    name = "fast"

    def __init__(self, kg: KnowledgeGraph, *, reuse: bool = True) -> None:
        self.kg = kg
        self.reuse = reuse  # False: evaluate every transaction afresh (for comparison and benchmarks)
        self.constraints = load_constraints(kg)
        self.reads = cached_reads(self.constraints, kg.build_dir)
        self._memo_graph = ""
        self._lock = threading.Lock()
        self.memo = self._new_memo()
        self._messages: dict[tuple[str, Row], str] = {}  # filled messages that do not name the focus

    def _new_memo(self) -> ResultMemo:
        self._memo_graph = self.kg.content_hash
        dates = bound_dates(self.kg.store, self.kg.data_graphs(), self.reads.values())
        return ResultMemo(self.reads, dates, domain_values(self.kg.store, self.reads))

    def _current_memo(self) -> ResultMemo:
        with self._lock:
            if self._memo_graph != self.kg.content_hash:  # extra data was loaded: results may differ
                self.memo = self._new_memo()
            return self.memo

    def findings(self, transactions: Sequence[Resolved]) -> list[Finding]:
        if not self.reuse:
            runs = self._run(self.constraints, transactions)
            return [
                f
                for c in self.constraints
                for focus, rows in runs[c.constraint].items()
                for f in self._findings(c, focus, rows)
            ]
        memo = self._current_memo()
        # transactions with one signature share every constraint's key: each signature is decided once
        groups: dict[Any, list[Resolved]] = {}
        for tx in transactions:
            groups.setdefault(memo.signature(tx), []).append(tx)
        keys = {group: memo.keys_of(self.constraints, group) for group in groups}
        known, fresh = self._rows_by_key(memo, groups, keys)
        out: list[Finding] = []
        for group, txs in groups.items():
            # the constraints with results for this signature (rows), or run for each transaction (None)
            found = [
                (c, None if key is None else known[key])
                for c, key in zip(self.constraints, keys[group], strict=True)
                if key is None or known[key]
            ]
            for tx in txs:
                for c, rows in found:
                    if rows is None:
                        rows = fresh[c.constraint].get(tx.iri)
                    if rows:
                        out += self._findings(c, tx.iri, rows)
        return out

    def _rows_by_key(
        self,
        memo: ResultMemo,
        groups: dict[Any, list[Resolved]],
        keys: dict[Any, list[Key | None]],
    ) -> tuple[dict[Key, list[Row]], dict[str, dict[str, list[Row]]]]:
        """The result rows of every key of the groups, recalled or run now (and remembered), and the rows
        of the constraints run for each transaction (keyless), by constraint and focus."""
        known = memo.recall({k for per_group in keys.values() for k in per_group if k is not None})
        # per constraint, one transaction for each key not seen before (each transaction if it has no key)
        todo: dict[str, dict[Key | _Each, Resolved]] = {}
        for group, txs in groups.items():
            for c, key in zip(self.constraints, keys[group], strict=True):
                if key is None:
                    todo.setdefault(c.constraint, {}).update((_Each(tx.iri), tx) for tx in txs)
                elif key not in known:
                    todo.setdefault(c.constraint, {}).setdefault(key, txs[0])
        chosen = {tx.iri: tx for txs in todo.values() for tx in txs.values()}
        fresh = self._run([self._by_iri[c] for c in todo], list(chosen.values())) if todo else {}
        new = {
            each: fresh[constraint].get(tx.iri, [])
            for constraint, picked in todo.items()
            for each, tx in picked.items()
            if not isinstance(each, _Each)
        }
        memo.remember(new)
        known.update(new)
        return known, fresh

    @cached_property
    def _needed(self) -> frozenset[ox.NamedNode] | None:
        """The transaction predicates some constraint reads (None: unknown, so all of them), as store terms:
        compared as terms, since reading a term's .value makes a new Python string each time."""
        if any(r is None for r in self.reads.values()):
            return None
        return frozenset(ox.NamedNode(p) for r in self.reads.values() if r is not None for p in r.predicates)

    @cached_property
    def _where(self) -> dict[str, int]:
        return {c.constraint: where_body_start(c.select) for c in self.constraints}

    @cached_property
    def _templates(self) -> dict[str, Template]:
        """Each constraint's query cut where one transaction's values go (graph.screening.inline)."""
        return {
            c.constraint: Template.of(c.select, dict(c.prefixes), self._where[c.constraint])
            for c in self.constraints
        }

    @cached_property
    def _alone_without_scratch(self) -> bool:
        """Whether a transaction screened alone needs no scratch graph: its values are written into every
        query in place of every pattern on `$this` (graph.screening.inline), and no other pattern can
        match a predicate the scratch graph would hold (graph.screening.reads: `others`)."""
        needed = self._needed
        if needed is None:
            return False
        held = {p.value for p in needed}
        for c in self.constraints:
            read = self.reads.get(c.constraint)
            if read is None or "*" in read.others or held & set(read.others):
                return False
            if self._templates[c.constraint].reads_this:
                return False
        return True

    @cached_property
    def _prefixes(self) -> dict[str, dict[str, str]]:
        return {c.constraint: dict(c.prefixes) for c in self.constraints}

    @cached_property
    def _by_iri(self) -> dict[str, Constraint]:
        return {c.constraint: c for c in self.constraints}

    def _run(
        self, constraints: Sequence[Constraint], transactions: Sequence[Resolved]
    ) -> dict[str, dict[str, list[Row]]]:
        """Result rows by focus of each constraint over the transactions, all of them in one scratch graph
        (none for one transaction whose values every query takes in: `_alone_without_scratch`). Up to
        FOCUS_LIMIT transactions, the query is bound to them (`bound_query`), so the planner starts from
        the transactions (up to BOUND_RUNS times as many: in runs of FOCUS_LIMIT); above that, the query
        runs unbound and the planner starts from the (fewer) measures. The constraints run side by side,
        but for one transaction: its queries are mostly parsed and planned, which Oxigraph does holding
        the GIL, so threads would only add their hand-offs (~0.2 ms a screening)."""
        if FOCUS_LIMIT < len(transactions) <= BOUND_RUNS * FOCUS_LIMIT:
            parts = [
                self._run(constraints, transactions[i : i + FOCUS_LIMIT])
                for i in range(0, len(transactions), FOCUS_LIMIT)
            ]
            return {
                c.constraint: {k: v for p in parts for k, v in p[c.constraint].items()} for c in constraints
            }
        bound = transactions if len(transactions) <= FOCUS_LIMIT else None
        if len(transactions) == 1 and self._alone_without_scratch:
            return {c.constraint: self._rows(c, bound) for c in constraints}
        side_by_side = _POOL.map if len(transactions) > 1 else map
        with self._scratch(transactions):
            runs = side_by_side(lambda c: self._rows(c, bound), constraints)
            return {c.constraint: found for c, found in zip(constraints, runs, strict=True)}

    @contextmanager
    def _scratch(self, transactions: Sequence[Resolved]) -> Iterator[None]:
        node = ox.NamedNode(new_scratch_graph())
        needed = self._needed
        self.kg.store.bulk_add(
            ox.Quad(tx_node, p, o, node)
            for tx in transactions
            for tx_node in [ox.NamedNode(tx.iri)]
            for p, o in tx.pairs
            if needed is None or p in needed
        )
        try:
            yield
        finally:
            self.kg.store.drop_graph(node.value)

    def bound_query(self, constraint: Constraint, transactions: Sequence[Resolved]) -> str:
        """The constraint's query bound to the transactions: `$this` by VALUES first in its WHERE group. For
        one transaction, its values are written in place of the statements and variables that would read
        them, `$this` is bound only if still read, and DISTINCT and a constant BIND at the end are left to
        `_rows` (graph.screening.inline, graph.screening.trim: one screening's queries take under a third
        of the time, 3.9 -> 1.1 ms); for several, the longer text costs what planning saves."""
        if len(transactions) == 1:
            tx = transactions[0]
            return self._templates[constraint.constraint].bound(tx.term, tx.objects)
        focus = [tx.term for tx in transactions]
        return with_values(constraint.select, "this", focus, at=self._where[constraint.constraint])

    def _rows(self, constraint: Constraint, bound: Sequence[Resolved] | None) -> dict[str, list[Row]]:
        """The constraint's distinct result rows, by focus (pySHACL keeps one result per distinct row), over
        the transactions it is bound to (`bound_query`), or unbound (None): every transaction in the store."""
        query = constraint.select if bound is None else self.bound_query(constraint, bound)
        result = self.kg.store.query(query, prefixes=self._prefixes[constraint.constraint])
        # one transaction's query: $this not bound if no longer read, constants left to the engine
        # (graph.screening.inline, graph.screening.trim)
        focus: ox.NamedNode | None = None
        constants: Mapping[str, ox.NamedNode] = {}
        if bound is not None and len(bound) == 1:
            template = self._templates[constraint.constraint]
            focus = None if template.reads_this else ox.NamedNode(bound[0].iri)
            constants = template.constants
        rows: dict[str, dict[Row, None]] = {}
        for row in result.rows:
            if constants:
                row = {**constants, **row}
            this = row["this"] if focus is None else focus
            value = row.get("value")
            path = row.get("path")
            entry: Row = (
                path if isinstance(path, ox.NamedNode) else None,
                None if value is None or value == this else value,
                tuple(sorted((k, v.value) for k, v in row.items() if k not in ("this", "path", "value"))),
            )
            rows.setdefault(this.value, {})[entry] = None  # one of each distinct row, in order
        return {iri: list(found) for iri, found in rows.items()}

    def _findings(self, constraint: Constraint, focus: str, rows: list[Row]) -> list[Finding]:
        out = []
        for row in rows:
            path, value, extra = row
            term = ox.NamedNode(focus) if value is None else value
            message = self._messages.get((constraint.constraint, row)) if value is not None else None
            if message is None:
                variables = {
                    "this": focus,
                    **({"path": path.value} if path else {}),
                    "value": term.value,
                    **dict(extra),
                }
                message = fill_message(constraint.message, variables)
                if value is not None and not _NAMES_FOCUS.search(constraint.message or ""):
                    self._messages[constraint.constraint, row] = message
            out.append(_finding(constraint, focus, path.value if path else None, term, message))
        return out

    def report(self, transactions: Sequence[Resolved]) -> tuple[list[Finding], Report]:
        findings = self.findings(transactions)
        return findings, Report(findings)


def _finding(
    c: Constraint, focus: str, path: str | None, value: ox.NamedNode | ox.BlankNode | ox.Literal, message: str
) -> Finding:
    return Finding(
        focus,
        c.shape,
        c.constraint,
        c.severity,
        c.notation,
        c.rank,
        path,
        value.value,
        isinstance(value, ox.NamedNode),
        message,
    )


class ReferenceEngine:
    name = "reference"

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.shapes = rdflib.Graph()
        for triple in triples_to_rdflib(kg.store.quads(GRAPH_SHAPES)):
            self.shapes.add(triple)
        self.by_constraint = {c.constraint: c for c in load_constraints(kg)}

    def report(self, transactions: Sequence[Resolved]) -> tuple[list[Finding], Report]:
        from pyshacl import validate  # only this engine needs it: ~0.2 s of every command's start otherwise

        install()  # values taken literally in messages (a backslash in one failed the validation)

        data = rdflib.Graph()
        data += self.kg.rdflib_graph
        for tx in transactions:
            for triple in triples_to_rdflib(tx.triples()):
                data.add(triple)
        _, report, _ = validate(
            data,
            shacl_graph=self.shapes,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            advanced=False,
        )
        findings = self._findings(report)
        return findings, Report(findings, [report])

    def findings(self, transactions: Sequence[Resolved]) -> list[Finding]:
        return self.report(transactions)[0]

    def _findings(self, report: rdflib.Graph) -> list[Finding]:
        out = []
        for result in report.objects(None, SH.result):
            constraint = self.by_constraint[str(report.value(result, SH.sourceConstraint))]
            value = report.value(result, SH.value)
            path = report.value(result, SH.resultPath)
            out.append(
                Finding(
                    focus=str(report.value(result, SH.focusNode)),
                    shape=constraint.shape,
                    constraint=constraint.constraint,
                    severity=str(report.value(result, SH.resultSeverity)),
                    outcome=constraint.notation,
                    rank=constraint.rank,
                    path=None if path is None else str(path),
                    value=str(value),
                    value_is_iri=isinstance(value, rdflib.URIRef),
                    message=str(report.value(result, SH.resultMessage) or ""),
                )
            )
        return out


def make_engine(kg: KnowledgeGraph, name: str) -> Engine:
    return FastEngine(kg) if name == "fast" else ReferenceEngine(kg)
