"""OWL 2 RL closure of the asserted graph, keeping only the triples it adds that carry information.

Two reasoners give the closure: owlrl (the reference, pure Python) and reasonable (Rust, used for large
graphs). Both drop the tautologies OWL RL materialises for every resource (x owl:sameAs x, x rdf:type
owl:Thing, reflexive subclass/subproperty/equivalence), which would only add noise to every query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import owlrl
import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from graph.errors import BuildError
from graph.terms import triples_to_ox, triples_to_rdflib

Reasoner = Literal["owlrl", "reasonable"]
_REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}


def is_noise(s: object, p: object, o: object) -> bool:
    """True for closure triples that say nothing: tautologies that hold of every resource, and
    generalised-RDF triples (literal subjects) that RDF 1.1 stores cannot hold."""
    return isinstance(s, rdflib.Literal) or (p in _REFLEXIVE and s == o) or (p == RDF.type and o == OWL.Thing)


def _owlrl_closure(graph: rdflib.Graph) -> None:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(
        graph
    )


def _reasonable_inferred(asserted: Iterable[ox.Triple | ox.Quad]) -> list[ox.Triple]:
    """reasonable takes and gives plain triples: no rdflib graph (and its indexes) is built, which keeps a
    million-triple closure within a few hundred megabytes more than the triples themselves."""
    try:
        import reasonable
    except ImportError as e:  # pragma: no cover - depends on the install
        raise BuildError(
            "ECKG_REASONER=reasonable needs the 'reasonable' package (pip install 'eckg[fast-reasoner]')"
        ) from e
    base = list(triples_to_rdflib(asserted))
    r = reasonable.PyReasoner()
    r.from_graph(base)
    known = set(base)
    del base
    return list(triples_to_ox(t for t in r.reason() if t not in known and not is_noise(*t)))


def inferred_triples(
    asserted: Iterable[ox.Triple | ox.Quad], reasoner: Reasoner = "owlrl"
) -> list[ox.Triple]:
    """The informative triples the OWL RL closure adds to `asserted` (asserted ones are not repeated)."""
    if reasoner == "reasonable":
        return _reasonable_inferred(asserted)
    graph = rdflib.Graph()
    for triple in triples_to_rdflib(asserted):
        graph.add(triple)
    before = set(graph)
    _owlrl_closure(graph)
    added = [t for t in graph if t not in before and not is_noise(*t)]
    return list(triples_to_ox(added))
