"""Terms of the ontology that inputs are checked against, read from the ontology's Turtle (never listed by
hand): the kinds of measure with their labels, and the end uses with their names. The API documents them as enums."""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox

from graph.catalogue import get_query
from graph.errors import FieldError
from graph.namespaces import ECKG
from graph.paths import ontology_dir

_KINDS = """
PREFIX eckg: <https://w3id.org/eckg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?kind ?label WHERE {
  ?kind rdfs:subClassOf+ eckg:Measure FILTER(isIRI(?kind))
  OPTIONAL { ?kind rdfs:label ?label FILTER(LANG(?label) = "en") }
}
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
def _kinds_by_name() -> dict[str, str]:
    """Each kind of measure (every subclass of eckg:Measure) by its eckg: prefixed name and by its English
    label (as measures are listed with it), to its prefixed name."""
    names: dict[str, str] = {}
    for row in _select(_KINDS):
        iri = row["kind"].value
        if iri.startswith(ECKG):
            prefixed = "eckg:" + iri.removeprefix(ECKG)
            names[prefixed] = prefixed
            if row["label"] is not None:
                names[row["label"].value] = prefixed
    return names


@cache
def measure_kinds() -> tuple[str, ...]:
    """The kinds of measure, as eckg: prefixed names, sorted."""
    return tuple(sorted(set(_kinds_by_name().values())))


@cache
def measure_kind_names() -> tuple[str, ...]:
    """What a kind of measure may be given as: each prefixed name, then each English label."""
    kinds = measure_kinds()
    return (*kinds, *sorted(set(_kinds_by_name()) - set(kinds)))


def measure_kind(name: str) -> str:
    """The prefixed name of the kind of measure given by prefixed name or English label; FieldError names
    what is accepted."""
    found = _kinds_by_name().get(name.strip())
    if found is None:
        raise FieldError(
            f"{name!r} is not a kind of measure",
            errors=[{"field": "kind", "message": f"one of {', '.join(measure_kind_names())}"}],
        )
    return found


@cache
def end_use_names() -> tuple[str, ...]:
    """What an end use may be given as: each id (skos:notation), then its names in every language."""
    rows = _select(get_query("list_end_uses").text)
    ids = sorted({row["id"].value for row in rows})
    names = sorted({row["name"].value for row in rows if row["name"] is not None} - set(ids))
    return (*ids, *names)
