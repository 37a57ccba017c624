"""The two rule engines. Both validate transactions against the same shapes over the same graph and
produce the same findings and the same sh:ValidationReport.

- `ReferenceEngine`: pySHACL over rdflib graphs in memory — the reference, as SHACL users run it.
- `FastEngine`: the shapes' SPARQL constraints run on the Oxigraph store, set-at-a-time over every
  transaction of a batch (one query per constraint), with pySHACL's result semantics: one result per
  distinct (focus, path, value, other projected variables), `{?var}` message templates filled the same way.

The differential tests in tests/screening/test_engines.py keep the two in step, decision for decision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox
import rdflib
from pyshacl import validate
from rdflib.namespace import RDF, SH

from graph.kg import KnowledgeGraph
from graph.namespaces import GRAPH_SHAPES
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
        message = re.sub("{{[?$]{}}}".format(name), value, message)
    return message


class FastEngine:
    name = "fast"

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.constraints = load_constraints(kg)

    def _graphs(self, scratch: str) -> list[str]:
        return [*self.kg.data_graphs(), scratch]

    def findings(self, transactions: Sequence[Resolved]) -> list[Finding]:
        scratch = new_scratch_graph()
        node = ox.NamedNode(scratch)
        self.kg.store.bulk_add(ox.Quad(t.subject, t.predicate, t.object, node) for tx in transactions for t in tx.triples())
        try:
            single = {"this": ox.NamedNode(transactions[0].iri)} if len(transactions) == 1 else None
            return [f for c in self.constraints for f in self._run(c, scratch, single)]
        finally:
            self.kg.store.drop_graph(scratch)

    def _run(self, constraint: Constraint, scratch: str, bindings: dict[str, ox.NamedNode] | None) -> list[Finding]:
        result = self.kg.store.query(
            constraint.select, bindings, default_graph=self._graphs(scratch), prefixes=dict(constraint.prefixes)
        )
        out, seen = [], set()
        for row in result.rows:
            focus = row["this"]
            value = row.get("value", focus)
            path = row.get("path")
            extra = {k: v.value for k, v in row.items() if k not in ("this", "path", "value")}
            dedup = (focus, path, value, tuple(sorted(extra.items())))
            if dedup in seen:
                continue
            seen.add(dedup)
            variables = {"this": focus.value, **({"path": path.value} if path else {}), "value": value.value, **extra}
            out.append(_finding(constraint, focus.value, path.value if path else None, value, fill_message(constraint.message, variables)))
        return out

    def report(self, transactions: Sequence[Resolved]) -> tuple[list[Finding], rdflib.Graph]:
        findings = self.findings(transactions)
        return findings, report_graph(findings)


def _finding(c: Constraint, focus: str, path: str | None, value: ox.NamedNode | ox.BlankNode | ox.Literal, message: str) -> Finding:
    return Finding(focus, c.shape, c.constraint, c.severity, c.notation, c.rank, path, value.value,
                   isinstance(value, ox.NamedNode), message)


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
            data, shacl_graph=self.shapes, inference="none", allow_warnings=True, allow_infos=True, advanced=False
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

