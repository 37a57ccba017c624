"""OWL 2 RL closure of the asserted graph, keeping only the triples it adds that carry information.

Two reasoners give the closure: owlrl (the reference, pure Python) and reasonable (Rust, used for large
graphs). Both drop the tautologies OWL RL materialises for every resource (x owl:sameAs x, x rdf:type
owl:Thing, reflexive subclass/subproperty/equivalence), which would only add noise to every query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from graph.errors import BuildError
from graph.terms import to_ox, triples_to_ox, triples_to_rdflib

Reasoner = Literal["owlrl", "reasonable"]
_REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}


def is_noise(s: object, p: object, o: object) -> bool:
    """True for closure triples that say nothing: tautologies that hold of every resource, and
    generalised-RDF triples (literal subjects) that RDF 1.1 stores cannot hold."""
    return isinstance(s, rdflib.Literal) or (p in _REFLEXIVE and s == o) or (p == RDF.type and o == OWL.Thing)


def _owlrl_closure(graph: rdflib.Graph) -> None:
    import owlrl  # only a build reasons: not loaded by every command's start

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(
        graph
    )


def _reasonable_inferred(
    asserted: Iterable[ox.Triple | ox.Quad], is_asserted: Callable[[ox.Quad], bool] | None
) -> list[ox.Triple]:
    """reasonable takes and gives plain triples as rdflib terms. Memory is what bounds a large closure, so
    the asserted triples are kept once, compactly, in an Oxigraph store (to drop them from the output); the
    rdflib copy handed to reasonable is freed before it reasons; and its output is converted as it is
    consumed. `is_asserted` says whether a triple (as a quad in the default graph) was asserted, when the
    caller's store can say so; otherwise the asserted triples are kept in a store of their own."""
    try:
        import reasonable
    except ImportError as e:  # pragma: no cover - depends on the install
        raise BuildError(
            "ECKG_REASONER=reasonable needs the 'reasonable' package (pip install 'eckg[fast-reasoner]')"
        ) from e
    reasoner = reasonable.PyReasoner()
    if is_asserted is None:
        seen = ox.Store()
        seen.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in asserted)
        asserted = seen.quads_for_pattern(None, None, None, ox.DefaultGraph())
        is_asserted = seen.__contains__
    reasoner.from_graph(list(triples_to_rdflib(asserted)))
    closure = reasoner.reason()
    del reasoner
    closure.reverse()  # consumed from the end, in the reasoner's order, freeing it as it goes
    inferred = []
    while closure:
        s, p, o = closure.pop()
        if is_noise(s, p, o):
            continue
        quad = ox.Quad(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]
        if not is_asserted(quad):
            inferred.append(ox.Triple(quad.subject, quad.predicate, quad.object))
    return inferred


def inferred_triples(
    asserted: Iterable[ox.Triple | ox.Quad],
    reasoner: Reasoner = "owlrl",
    *,
    asserted_in: Callable[[ox.Quad], bool] | None = None,
) -> list[ox.Triple]:
    """The informative triples the OWL RL closure adds to `asserted` (asserted ones are not repeated).
    `asserted_in`, when given, says whether a triple (a quad in the default graph) is asserted; the
    asserted triples are then read once, as they stream."""
    if reasoner == "reasonable":
        return _reasonable_inferred(asserted, asserted_in)
    graph = rdflib.Graph()
    for triple in triples_to_rdflib(asserted):
        graph.add(triple)
    before = set(graph)
    _owlrl_closure(graph)
    added = [t for t in graph if t not in before and not is_noise(*t)]
    return list(triples_to_ox(added))
