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
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import pyoxigraph as ox
import rdflib
from pyshacl import validate
from rdflib.namespace import RDF, SH

from graph.kg import KnowledgeGraph
from graph.namespaces import GRAPH_SHAPES
from graph.screening.reads import cached_reads
from graph.screening.shapes import Constraint, load_constraints
from graph.screening.transaction import Resolved
from graph.store import new_scratch_graph
from graph.terms import triples_to_rdflib


@dataclass(frozen=True)
class Finding:
    """One validation result, with the outcome its constraint calls for."""

    focus: str
    shape: str
    constraint: str
    severity: str
    outcome: str
    rank: int
    path: str | None
    value: str
    value_is_iri: bool
    message: str

    def key(self) -> tuple[str, str, str, str | None, str, str]:
        return (self.focus, self.shape, self.constraint, self.path, self.value, self.message)


class Engine(Protocol):
    name: str

    def findings(self, transactions: Sequence[Resolved]) -> list[Finding]: ...

    def report(self, transactions: Sequence[Resolved]) -> tuple[list[Finding], rdflib.Graph]: ...


def fill_message(template: str | None, variables: dict[str, str]) -> str:
    """pySHACL's substitution of {?var} and {$var} in sh:message, applied the same way."""
    message = template or ""
    for name, value in variables.items():
        message = re.sub(f"{{[?$]{name}}}", value, message)
    return message


_POOL = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="eckg-rules")


# A result row: path, value (None: the focus itself), the other projected variables
Row = tuple[ox.NamedNode | None, Any, tuple[tuple[str, str], ...]]
MEMO_SIZE = 200_000


class FastEngine:
    """Runs each constraint's query on Oxigraph: for a batch, once over every transaction (set-at-a-time);
    for one transaction, the queries side by side on the machine's cores (Oxigraph releases the GIL while
    it evaluates), reusing a constraint's earlier results when the transaction's values for what that
    constraint reads (graph.screening.reads) are the same — the graph being fixed, so are the results."""

    name = "fast"

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.constraints = load_constraints(kg)
        self.reads = cached_reads(self.constraints, kg.build_dir)
        self._memo: OrderedDict[tuple[Any, ...], list[Row]] = OrderedDict()
        self._memo_graph = kg.content_hash
        self._lock = threading.Lock()

    def findings(self, transactions: Sequence[Resolved]) -> list[Finding]:
        if len(transactions) == 1:
            return self._single(transactions[0])
        with self._scratch(transactions):
            runs = _POOL.map(lambda c: self._rows(c, None), self.constraints)
            return [
                f
                for c, rows in zip(self.constraints, runs, strict=True)
                for focus, found in rows.items()
                for f in self._findings(c, focus, found)
            ]

    def _single(self, tx: Resolved) -> list[Finding]:
        objects: dict[str, frozenset[str]] = {}
        for t in tx.triples():
            objects[t.predicate.value] = objects.get(t.predicate.value, frozenset()) | {str(t.object)}
        keys = {c.constraint: self._key(c, objects) for c in self.constraints}
        cached = self._recall(keys)
        missing = [c for c in self.constraints if c.constraint not in cached]
        if missing:
            with self._scratch([tx]):
                focus = ox.NamedNode(tx.iri)
                runs = _POOL.map(lambda c: self._rows(c, {"this": focus}).get(tx.iri, []), missing)
                fresh = dict(zip((c.constraint for c in missing), runs, strict=True))
            self._remember({keys[c]: rows for c, rows in fresh.items() if keys[c] is not None})
            cached.update(fresh)
        return [f for c in self.constraints for f in self._findings(c, tx.iri, cached[c.constraint])]

    def _key(self, constraint: Constraint, objects: dict[str, frozenset[str]]) -> tuple[Any, ...] | None:
        read = self.reads[constraint.constraint]
        if read is None:
            return None
        return (constraint.constraint, *(objects.get(p, frozenset()) for p in read))

    def _recall(self, keys: dict[str, tuple[Any, ...] | None]) -> dict[str, list[Row]]:
        with self._lock:
            if self._memo_graph != self.kg.content_hash:  # extra data was loaded: results may differ
                self._memo.clear()
                self._memo_graph = self.kg.content_hash
            found = {}
            for constraint, key in keys.items():
                if key is not None and key in self._memo:
                    self._memo.move_to_end(key)
                    found[constraint] = self._memo[key]
            return found

    def _remember(self, entries: dict[Any, list[Row]]) -> None:
        with self._lock:
            self._memo.update(entries)
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)

    @contextmanager
    def _scratch(self, transactions: Sequence[Resolved]) -> Iterator[None]:
        node = ox.NamedNode(new_scratch_graph())
        self.kg.store.bulk_add(
            ox.Quad(t.subject, t.predicate, t.object, node) for tx in transactions for t in tx.triples()
        )
        try:
            yield
        finally:
            self.kg.store.drop_graph(node.value)

    def _rows(self, constraint: Constraint, bindings: dict[str, ox.NamedNode] | None) -> dict[str, list[Row]]:
        """The constraint's distinct result rows, by focus (pySHACL keeps one result per distinct row)."""
        result = self.kg.store.query(constraint.select, bindings, prefixes=dict(constraint.prefixes))
        rows: dict[str, list[Row]] = {}
        for row in result.rows:
            focus = row["this"]
            value = row.get("value")
            path = row.get("path")
            entry: Row = (
                path if isinstance(path, ox.NamedNode) else None,
                None if value is None or value == focus else value,
                tuple(sorted((k, v.value) for k, v in row.items() if k not in ("this", "path", "value"))),
            )
            found = rows.setdefault(focus.value, [])
            if entry not in found:
                found.append(entry)
        return rows

    def _findings(self, constraint: Constraint, focus: str, rows: list[Row]) -> list[Finding]:
        out = []
        for path, value, extra in rows:
            term = ox.NamedNode(focus) if value is None else value
            variables = {
                "this": focus,
                **({"path": path.value} if path else {}),
                "value": term.value,
                **dict(extra),
            }
            out.append(
                _finding(
                    constraint,
                    focus,
                    path.value if path else None,
                    term,
                    fill_message(constraint.message, variables),
                )
            )
        return out

    def report(self, transactions: Sequence[Resolved]) -> tuple[list[Finding], rdflib.Graph]:
        findings = self.findings(transactions)
        return findings, report_graph(findings)


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

    def report(self, transactions: Sequence[Resolved]) -> tuple[list[Finding], rdflib.Graph]:
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
        return self._findings(report), report

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


def report_graph(findings: Sequence[Finding]) -> rdflib.Graph:
    """A standard sh:ValidationReport for findings, shaped as pySHACL writes it."""
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    report = rdflib.BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    conforms = not any(f.severity == str(SH.Violation) for f in findings)
    graph.add((report, SH.conforms, rdflib.Literal(conforms)))
    for f in findings:
        node = rdflib.BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, rdflib.URIRef(f.focus)))
        if f.path is not None:
            graph.add((node, SH.resultPath, rdflib.URIRef(f.path)))
        graph.add((node, SH.value, rdflib.URIRef(f.value) if f.value_is_iri else rdflib.Literal(f.value)))
        graph.add((node, SH.resultSeverity, rdflib.URIRef(f.severity)))
        graph.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        graph.add((node, SH.sourceShape, rdflib.URIRef(f.shape)))
        graph.add((node, SH.sourceConstraint, rdflib.URIRef(f.constraint)))
        graph.add((node, SH.resultMessage, rdflib.Literal(f.message)))
    return graph


def make_engine(kg: KnowledgeGraph, name: str) -> Engine:
    return FastEngine(kg) if name == "fast" else ReferenceEngine(kg)
