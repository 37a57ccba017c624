"""Converting RDF terms between pyoxigraph (the store) and rdflib (pySHACL, owlrl, users' rdflib code)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
import rdflib

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
RdfTerm = rdflib.URIRef | rdflib.BNode | rdflib.Literal


def to_rdflib(term: OxTerm) -> RdfTerm:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))


def to_ox(term: RdfTerm) -> OxTerm:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def triples_to_rdflib(triples: Iterable[ox.Triple | ox.Quad]) -> Iterator[tuple[RdfTerm, RdfTerm, RdfTerm]]:
    for t in triples:
        yield to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)  # type: ignore[arg-type]


def triples_to_ox(triples: Iterable[tuple[RdfTerm, RdfTerm, RdfTerm]]) -> Iterator[ox.Triple]:
    for s, p, o in triples:
        yield ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]


def lexical(term: OxTerm | None) -> str | None:
    """The string value of a term (IRI, blank-node id or literal's lexical form)."""
    return None if term is None else term.value
