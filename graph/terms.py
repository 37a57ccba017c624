"""Converting RDF terms between pyoxigraph (the store) and rdflib (pySHACL, owlrl, users' rdflib code)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
import rdflib

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
RdfTerm = rdflib.URIRef | rdflib.BNode | rdflib.Literal
OxTriple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, OxTerm]  # a triple as a tuple, before ox.Triple


def value_of(term: object) -> str:
    """The string value of a store term (IRI, blank-node id, literal); TypeError for RDF-star triples."""
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term.value
    raise TypeError(f"not an IRI, blank node or literal: {term!r}")


def graph_of(quad: ox.Quad) -> str | None:
    """The name of a quad's graph, None for the default graph."""
    name = quad.graph_name
    return None if isinstance(name, ox.DefaultGraph) else name.value


def solutions(answer: object) -> ox.QuerySolutions:
    """A SELECT query's answer (TypeError for ASK and CONSTRUCT answers)."""
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"expected solutions, got {type(answer).__name__}")
    return answer


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


def triples_to_ox(
    triples: Iterable[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]],
) -> Iterator[ox.Triple]:
    for s, p, o in triples:
        yield ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]


def lexical(term: OxTerm | None) -> str | None:
    """The string value of a term (IRI, blank-node id or literal's lexical form)."""
    return None if term is None else term.value
