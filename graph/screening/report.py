"""Findings and the standard sh:ValidationReport they make.

Both engines produce findings; the fast engine's report is written from them, shaped as pySHACL writes
it (tests/screening/test_engines.py checks the two reports are isomorphic), and serialized by Oxigraph —
a 100,000-transaction run has hundreds of thousands of results, too many to build as an rdflib graph.
The reference engine keeps pySHACL's own report graph.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from graph.terms import to_ox, triples_to_rdflib

_SH = "http://www.w3.org/ns/shacl#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML}


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(_SH + name)


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


@dataclass
class Report:
    """A validation report: the findings, and pySHACL's own report graph where pySHACL made them."""

    findings: list[Finding]
    pyshacl: list[rdflib.Graph] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(f.severity == _SH + "Violation" for f in self.findings)

    @classmethod
    def merge(cls, reports: Sequence[Report]) -> Report:
        return cls([f for r in reports for f in r.findings], [g for r in reports for g in r.pyshacl])

    def triples(self) -> Iterator[ox.Triple]:
        """The report as triples."""
        node = ox.BlankNode()
        yield from self.head_triples(node, self.conforms)
        yield from self.result_triples(node)

    @staticmethod
    def head_triples(node: ox.BlankNode, conforms: bool) -> list[ox.Triple]:
        return [
            ox.Triple(node, _RDF_TYPE, _sh("ValidationReport")),
            ox.Triple(node, _sh("conforms"), ox.Literal(str(conforms).lower(), datatype=_BOOLEAN)),
        ]

    def result_triples(self, node: ox.BlankNode) -> Iterator[ox.Triple]:
        """The results, hanging off `node`: pySHACL's own where it made them, else written from the findings."""
        if self.pyshacl:
            yield from _pyshacl_results(self.pyshacl, node)
            return
        for f in self.findings:
            result = ox.BlankNode()
            yield ox.Triple(node, _sh("result"), result)
            yield ox.Triple(result, _RDF_TYPE, _sh("ValidationResult"))
            yield ox.Triple(result, _sh("focusNode"), ox.NamedNode(f.focus))
            if f.path is not None:
                yield ox.Triple(result, _sh("resultPath"), ox.NamedNode(f.path))
            value = ox.NamedNode(f.value) if f.value_is_iri else ox.Literal(f.value)
            yield ox.Triple(result, _sh("value"), value)
            yield ox.Triple(result, _sh("resultSeverity"), ox.NamedNode(f.severity))
            yield ox.Triple(result, _sh("sourceConstraintComponent"), _sh("SPARQLConstraintComponent"))
            yield ox.Triple(result, _sh("sourceShape"), ox.NamedNode(f.shape))
            yield ox.Triple(result, _sh("sourceConstraint"), ox.NamedNode(f.constraint))
            yield ox.Triple(result, _sh("resultMessage"), ox.Literal(f.message))

    def result_ntriples(self, node: ox.BlankNode) -> bytes:
        """`result_triples` as N-Triples, fast: a finding's triples differ from another's with the same
        constraint, path, value and message only in the focus and the result node, so each such group is
        serialized once (by Oxigraph, which escapes) and copied with those two substituted."""
        if self.pyshacl:
            return ox.serialize(self.result_triples(node), format=ox.RdfFormat.N_TRIPLES) or b""
        salt = os.urandom(6).hex()  # result nodes unique across chunks and processes
        lines = []
        for index, f in enumerate(self.findings):
            template = _template(
                node.value, f.shape, f.constraint, f.severity, f.path, f.value, f.value_is_iri, f.message
            )
            lines.append(template.replace(_RESULT_MARK, f"r{salt}x{index}").replace(_FOCUS_MARK, f.focus))
        return "".join(lines).encode()

    def graph(self) -> rdflib.Graph:
        """The report as an rdflib graph: pySHACL's own where it made it, else written from the findings."""
        graph = rdflib.Graph()
        graph.bind("sh", SH)
        if self.pyshacl:
            return _merge_pyshacl(self.pyshacl, graph)
        for triple in triples_to_rdflib(self.triples()):
            graph.add(triple)
        return graph

    def serialize(self, fmt: str = "turtle") -> bytes:
        if fmt not in _FORMATS:
            raise ValueError(f"unknown report format {fmt!r}; use {', '.join(_FORMATS)}")
        if self.pyshacl:
            return self.graph().serialize(format={"ntriples": "nt"}.get(fmt, fmt), encoding="utf-8")
        out = ox.serialize(self.triples(), format=_FORMATS[fmt], prefixes={"sh": _SH})
        assert out is not None
        return out


_RESULT_MARK = "eckgresultmark"
_FOCUS_MARK = "urn:eckg:focus-mark"


@lru_cache(maxsize=65536)
def _template(
    node: str,
    shape: str,
    constraint: str,
    severity: str,
    path: str | None,
    value: str,
    value_is_iri: bool,
    message: str,
) -> str:
    finding = Finding(_FOCUS_MARK, shape, constraint, severity, "", 0, path, value, value_is_iri, message)
    triples = Report([finding]).result_triples(ox.BlankNode(node))
    text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    first = text.split(" <http://www.w3.org/ns/shacl#result> _:", 1)[1].split(" ", 1)[0]  # the result node
    return text.replace(f"_:{first} ", f"_:{_RESULT_MARK} ").replace(f"_:{first} .", f"_:{_RESULT_MARK} .")


def _pyshacl_results(graphs: Sequence[rdflib.Graph], node: ox.BlankNode) -> Iterator[ox.Triple]:
    """pySHACL's result triples, its report nodes replaced by `node` (their type and sh:conforms left out)."""
    for graph in graphs:
        reports = set(graph.subjects(rdflib.RDF.type, SH.ValidationReport))
        for triple in graph:
            s, p, o = triple
            if s in reports and p != SH.result:
                continue
            subject = node if s in reports else to_ox(s)  # type: ignore[arg-type]
            yield ox.Triple(subject, to_ox(p), to_ox(o))  # type: ignore[arg-type]


def _merge_pyshacl(graphs: Sequence[rdflib.Graph], merged: rdflib.Graph) -> rdflib.Graph:
    """One sh:ValidationReport from the reports of several pySHACL runs."""
    if len(graphs) == 1:
        for prefix, namespace in merged.namespaces():
            graphs[0].bind(prefix, namespace)
        return graphs[0]
    report = rdflib.BNode()
    merged.add((report, rdflib.RDF.type, SH.ValidationReport))
    conforms = all(str(c) == "true" for g in graphs for c in g.objects(None, SH.conforms))
    merged.add((report, SH.conforms, rdflib.Literal(conforms)))
    for graph in graphs:
        for result in graph.objects(None, SH.result):
            merged.add((report, SH.result, result))
            for p, o in graph.predicate_objects(result):
                merged.add((result, p, o))
    return merged
