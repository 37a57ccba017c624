"""Why: each finding traced to its measure, articles, in-force period, listing, classification and sources,
with a status that is the weakest of the facts it rests on.

Everything here comes from catalogue queries (queries/*.rq), so an analyst can ask the same in SPARQL.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from graph.kg import KnowledgeGraph
from graph.namespaces import ECKG
from graph.screening.memo import DateClasses, graph_dates
from graph.screening.report import Finding
from graph.screening.transaction import Resolved

_BASIS_ORDER = {"stated in the text": 0, "stated by the spokesperson": 1, "analyst's mapping": 2}
STATUS_RANK = {"confirmed": 1, "reported": 2, "unverified": 3, "conflicting": 4}
_PATH_FIELD = {
    str(ECKG.endUser): "end_user",
    str(ECKG.consignee): "consignee",
    str(ECKG.item): "item",
    str(ECKG.endUse): "end_use",
    str(ECKG.transactionDate): "date",
}


def local(iri: str | None) -> str | None:
    """The local name of an eckg IRI (eckg#confirmed -> confirmed)."""
    return None if iri is None else iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def weakest(statuses: list[str | None]) -> str:
    known = [s for s in statuses if s]
    return max(known, key=lambda s: STATUS_RANK.get(s, 0)) if known else "confirmed"


class Explainer:
    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.measure = lru_cache(maxsize=512)(self._measure)
        self.listing = lru_cache(maxsize=4096)(self._listing)
        self.sources = lru_cache(maxsize=4096)(self._sources)
        self.classification = lru_cache(maxsize=4096)(self._classification)
        # which measures designate an item, and which are in force, changes only on the graph's dates:
        # cached by the day's date class (graph.screening.memo), so one query serves every day of a class
        self.dates = DateClasses(graph_dates(kg.store, kg.data_graphs()))
        self._by_class: dict[str, dict[str, tuple[dict[str, Any], ...]]] = {}
        self._reasons: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._notes: dict[tuple[str, str], list[dict[str, Any]]] = {}

    # ------------------------------------------------------------------ lookups (cached per graph)

    def _measure(self, iri: str) -> dict[str, Any] | None:
        rows = self.kg.run("get_measure", measure=iri).records()
        if not rows:
            return None
        row = rows[0]
        bases = self.kg.run("list_legal_bases", measure=iri).records()
        periods = self.kg.run("list_measure_periods", measure=iri).records()
        return {
            "iri": iri,
            "identifier": row["identifier"],
            "label": row.get("label"),
            "kind": row.get("kindLabel"),
            "status": local(row.get("status")),
            "issued": row.get("issued"),
            "effective_from": row.get("effectiveFrom"),
            "effective_until": row.get("effectiveUntil"),
            "instrument": {
                "iri": row.get("instrument"),
                "label": row.get("instrumentLabel"),
                "number": row.get("number"),
            }
            if row.get("instrument")
            else None,
            "note": row.get("note"),
            "articles": sorted(
                (
                    {
                        "iri": b["cites"],
                        "label": b.get("citesLabel"),
                        "basis": b["basisKind"],
                        "status": local(b["status"]),
                    }
                    for b in bases
                ),
                key=lambda a: (_BASIS_ORDER.get(a["basis"], 9), a["iri"]),
            ),
            "periods": [
                {"start": p["start"], "end": p.get("end"), "status": local(p["status"])} for p in periods
            ],
            "sources": self.sources(iri),
        }

    def _sources(self, iri: str) -> list[dict[str, Any]]:
        """The resource's sources, most reliable first."""
        sources = [
            {
                "iri": r["source"],
                "url": r["url"],
                "publisher": r.get("publisher"),
                "date": r.get("date"),
                "kind": r["kind"],
                "status": local(r["status"]),
            }
            for r in self.kg.run("list_sources", resource=iri).records()
        ]
        return sorted(sources, key=lambda s: (STATUS_RANK.get(s["status"] or "", 9), s["iri"]))

    def _listing(self, iri: str) -> dict[str, Any] | None:
        rows = self.kg.run("get_listing", listing=iri).records()
        if not rows:
            return None
        r = rows[0]
        return {
            "iri": iri,
            "party": r.get("party"),
            "party_label": r.get("partyLabel"),
            "list": r["listLabel"],
            "measure": r["measure"],
            "identifier": r["identifier"],
            "position": int(r["position"]) if "position" in r else None,
            "status": local(r["status"]),
            "note": r.get("note"),
            "sources": self.sources(iri),
        }

    def _classification(self, party: str, klass: str) -> dict[str, Any] | None:
        rows = self.kg.run("list_classifications", party=party, **{"class": klass}).records()
        if not rows:
            return None
        r = rows[0]
        via = None if r["classifiedParty"] == party else r["classifiedLabel"]
        return {
            "iri": r["classification"],
            "class": local(klass),
            "party": r["classifiedParty"],
            "via_part_of": via,
            "status": local(r["status"]),
            "sources": self.sources(r["classification"]),
        }

    def item_measures(self, item: str, day: str) -> tuple[dict[str, Any], ...]:
        """The measures designating an item and whether each is in force that day. Which are in force changes
        only on the graph's dates, so one query per date class answers for every item (a table per class)."""
        date_class = self.dates.of(day)
        table = self._by_class.get(date_class)
        if table is None:
            table = self._item_measures(day)
            self._by_class[date_class] = table
        return table.get(item, ())

    def _item_measures(self, day: str) -> dict[str, tuple[dict[str, Any], ...]]:
        by_item: dict[str, list[dict[str, Any]]] = {}
        for r in self.kg.run("list_item_measures", date=day).records():
            by_item.setdefault(r["item"], []).append(
                {
                    "iri": r["measure"],
                    "identifier": r["identifier"],
                    "in_force": r["inForce"] == "true",
                    "period_status": local(r.get("periodStatus")),
                    "designation_status": local(r.get("designationStatus")),
                }
            )
        return {item: tuple(found) for item, found in by_item.items()}

    # ------------------------------------------------------------------ one reason

    def reason(self, finding: Finding, resolved: Resolved, as_of: date) -> dict[str, Any]:
        """Why a finding: one dict per distinct explanation, shared between the decisions it explains (do
        not change it). What it depends on: the finding, the parties and item, the day's date class."""
        party = None
        if finding.constraint.endswith("MilitaryEndUserConstraint"):
            party = resolved.consignee if finding.path == str(ECKG.consignee) else resolved.end_user
        key = (
            finding.constraint,
            finding.path,
            finding.value,
            finding.message,
            finding.outcome,
            finding.severity,
            party.iri if party else None,
            resolved.item.iri,
            self.dates.of(as_of.isoformat()),
        )
        found = self._reasons.get(key)
        if found is None:
            found = self._reason(finding, resolved, as_of)
            if len(self._reasons) < 100_000:
                self._reasons[key] = found
        return found

    def _reason(self, finding: Finding, resolved: Resolved, as_of: date) -> dict[str, Any]:
        listing = self.listing(finding.value) if finding.value_is_iri else None
        measure_iri = listing["measure"] if listing else (finding.value if finding.value_is_iri else None)
        measure = self.measure(measure_iri) if measure_iri else None
        period = _period_on(measure, as_of) if measure else None
        statuses: list[tuple[str, str | None]] = []
        if measure:
            statuses += [
                ("measure", measure["status"]),
                ("in-force period", period["status"] if period else None),
            ]
        if listing:
            statuses.append(("listing", listing["status"]))
        classification = None
        if finding.constraint.endswith("MilitaryEndUserConstraint"):
            party = resolved.consignee if finding.path == str(ECKG.consignee) else resolved.end_user
            if party and party.iri:
                classification = self.classification(party.iri, str(ECKG.MilitaryEndUser))
                statuses.append(
                    ("military end-user classification", classification["status"] if classification else None)
                )
        item_control = self._item_control(resolved, as_of)
        if item_control:
            statuses.append(
                ("item control", weakest([item_control["period_status"], item_control["designation_status"]]))
            )
        status = weakest([s for _, s in statuses])
        return {
            "outcome": finding.outcome,
            "message": finding.message,
            "status": status,
            "uncertain": [{"fact": f, "status": s} for f, s in statuses if s and s != "confirmed"],
            "rule": {
                "shape": finding.shape,
                "constraint": finding.constraint,
                "severity": local(finding.severity),
                "field": _PATH_FIELD.get(finding.path or "", local(finding.path)),
            },
            "measure": _public_measure(measure, period),
            "articles": measure["articles"] if measure else [],
            "sources": measure["sources"] if measure else [],
            "listing": listing,
            "classification": classification,
            "item_control": item_control,
        }

    def _item_control(self, resolved: Resolved, as_of: date) -> dict[str, Any] | None:
        """The in-force measure that makes the item a controlled (dual-use) item that day, if any."""
        if resolved.item.iri is None:
            return None
        controls = [m for m in self.item_measures(resolved.item.iri, as_of.isoformat()) if m["in_force"]]
        return controls[0] if controls else None

    def item_notes(self, resolved: Resolved, as_of: date) -> list[dict[str, Any]]:
        """Measures designating the item that are not in force that day (not yet, suspended or ended): one
        list per item and date class, shared between the decisions it is in (do not change it)."""
        if resolved.item.iri is None:
            return []
        day = as_of.isoformat()
        key = (resolved.item.iri, self.dates.of(day))
        found = self._notes.get(key)
        if found is None:
            found = [
                {
                    "measure": m["iri"],
                    "identifier": m["identifier"],
                    "periods": (self.measure(m["iri"]) or {}).get("periods", []),
                }
                for m in self.item_measures(resolved.item.iri, day)
                if not m["in_force"]
            ]
            if len(self._notes) < 100_000:
                self._notes[key] = found
        return found


def _period_on(measure: dict[str, Any], as_of: date) -> dict[str, Any] | None:
    day = as_of.isoformat()
    for p in measure["periods"]:
        if p["start"] <= day and (p["end"] is None or day <= p["end"]):
            return p
    return None


def _public_measure(measure: dict[str, Any] | None, period: dict[str, Any] | None) -> dict[str, Any] | None:
    if measure is None:
        return None
    keep = (
        "iri",
        "identifier",
        "label",
        "kind",
        "status",
        "issued",
        "effective_from",
        "effective_until",
        "instrument",
        "note",
    )
    return {**{k: measure[k] for k in keep}, "in_force_period": period, "periods": measure["periods"]}
