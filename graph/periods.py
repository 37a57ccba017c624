"""In-force periods: the days on which each measure applies, derived from its dates and its suspensions.

A measure is in force from its effective date to its end date (inclusive), less every period in which a
suspension of it is itself in force. The periods are written to the inferred graph, so that rules ask one
simple question ("is there a period of this measure containing the day?") and timelines can draw them.

When a suspension ends and it is not known what happened then (eckg:expiryOutcomeStatus unverified),
the period that starts the day after is marked unverified: the measure may have come back into force,
or the suspension may have been extended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pyoxigraph as ox

from graph.namespaces import ECKG, PERIOD
from graph.terms import OxTriple, solutions

_XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")

_MEASURES = """
PREFIX eckg: <https://w3id.org/eckg/ontology#>
SELECT ?m ?from ?until WHERE {
  ?m eckg:effectiveFrom ?from .
  ?m a ?kind . ?kind <http://www.w3.org/2000/01/rdf-schema#subClassOf>* eckg:Measure .
  OPTIONAL { ?m eckg:effectiveUntil ?until }
}"""
_SUSPENSIONS = """
PREFIX eckg: <https://w3id.org/eckg/ontology#>
SELECT ?s ?m ?from ?until ?outcome WHERE {
  ?s eckg:suspends ?m ; eckg:effectiveFrom ?from .
  OPTIONAL { ?s eckg:effectiveUntil ?until }
  OPTIONAL { ?s eckg:expiryOutcomeStatus ?outcome }
}"""


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None
    uncertain_after: ox.NamedNode | None = None  # the suspension whose unknown expiry opens this period

    def minus(self, start: date, end: date | None, suspension: ox.NamedNode, uncertain: bool) -> list[Period]:
        """This period less the days [start, end] (end None = open-ended)."""
        if (self.end is not None and start > self.end) or (end is not None and end < self.start):
            return [self]
        pieces = []
        if start > self.start:
            pieces.append(Period(self.start, start - timedelta(days=1), self.uncertain_after))
        if end is not None and (self.end is None or end < self.end):
            pieces.append(
                Period(end + timedelta(days=1), self.end, suspension if uncertain else self.uncertain_after)
            )
        return pieces


def _date(term: ox.Literal | None) -> date | None:
    return None if term is None else date.fromisoformat(term.value)


def derive_periods(store: ox.Store, graph: str) -> list[ox.Quad]:
    """The in-force period quads (in `graph`) of every measure with an effective date in `store`."""
    periods: dict[ox.NamedNode, list[Period]] = {}
    for row in solutions(store.query(_MEASURES, use_default_graph_as_union=True)):
        start = _date(row["from"])
        assert start is not None
        periods[row["m"]] = [Period(start, _date(row["until"]))]
    sources: dict[ox.NamedNode, set[ox.NamedNode]] = {m: {m} for m in periods}
    for row in solutions(store.query(_SUSPENSIONS, use_default_graph_as_union=True)):
        measure, suspension = row["m"], row["s"]
        if measure not in periods:
            continue
        uncertain = row["outcome"] == ox.NamedNode(ECKG + "unverified")
        start, end = _date(row["from"]), _date(row["until"])
        assert start is not None
        periods[measure] = [
            p for old in periods[measure] for p in old.minus(start, end, suspension, uncertain)
        ]
        sources[measure].add(suspension)
    target = ox.NamedNode(graph)
    return [
        ox.Quad(t[0], t[1], t[2], target)
        for m in sorted(periods, key=lambda n: n.value)
        for t in _period_triples(m, periods[m], sources[m])
    ]


def _period_triples(
    measure: ox.NamedNode, periods: list[Period], sources: set[ox.NamedNode]
) -> list[OxTriple]:
    slug = measure.value.rstrip("/").rsplit("/", 1)[-1]
    out: list[OxTriple] = []
    for index, period in enumerate(sorted(periods, key=lambda p: p.start), start=1):
        node = ox.NamedNode(f"{PERIOD}{slug}/{index}")
        status = "unverified" if period.uncertain_after is not None else "confirmed"
        triples: list[OxTriple] = [
            (node, _RDF_TYPE, ox.NamedNode(ECKG + "InForcePeriod")),
            (node, ox.NamedNode(ECKG + "periodOf"), measure),
            (measure, ox.NamedNode(ECKG + "inForcePeriod"), node),
            (
                node,
                ox.NamedNode(ECKG + "periodStart"),
                ox.Literal(period.start.isoformat(), datatype=_XSD_DATE),
            ),
            (node, ox.NamedNode(ECKG + "status"), ox.NamedNode(ECKG + status)),
        ]
        if period.end is not None:
            triples.append(
                (
                    node,
                    ox.NamedNode(ECKG + "periodEnd"),
                    ox.Literal(period.end.isoformat(), datatype=_XSD_DATE),
                )
            )
        triples += [(node, _DERIVED_FROM, s) for s in sorted(sources, key=lambda n: n.value)]
        out += triples
    return out
