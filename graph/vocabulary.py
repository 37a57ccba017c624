"""Terms of the ontology that inputs are checked against, read from the ontology's Turtle (never listed by
hand): the kinds of measure, and the end uses with their names. The API documents them as enums."""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox

from graph.catalogue import get_query
from graph.namespaces import ECKG
from graph.paths import ontology_dir

_KINDS = """
PREFIX eckg: <https://w3id.org/eckg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?kind WHERE { ?kind rdfs:subClassOf+ eckg:Measure FILTER(isIRI(?kind)) }
"""


@cache
def _ontology() -> ox.Store:
    store = ox.Store()
    for path in sorted(ontology_dir().glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def _select(text: str) -> list[ox.QuerySolution]:
    solutions = _ontology().query(text)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


@cache
def measure_kinds() -> tuple[str, ...]:
    """The kinds of measure (every subclass of eckg:Measure), as eckg: prefixed names, sorted."""
    kinds = (row["kind"].value for row in _select(_KINDS))
    return tuple(sorted("eckg:" + iri.removeprefix(ECKG) for iri in kinds if iri.startswith(ECKG)))


@cache
def end_use_names() -> tuple[str, ...]:
    """What an end use may be given as: each id (skos:notation), then its names in every language."""
    rows = _select(get_query("list_end_uses").text)
    ids = sorted({row["id"].value for row in rows})
    names = sorted({row["name"].value for row in rows if row["name"] is not None} - set(ids))
    return (*ids, *names)
