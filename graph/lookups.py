"""Looking things up: parties, items, measures and sources, with their names, relations, timelines and
provenance — as plain dicts the API and the web page show. Every lookup is a catalogue query.

Resources are named by their id (the last segment of their IRI: `jmsdf`, `mofcom-2026-1`, `1C902.b`), by
their full IRI, or — for measures — by their identifier ("MOFCOM Announcement 2026 No. 1").
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from graph.catalogue import expand_iri
from graph.errors import NotFound
from graph.kg import KnowledgeGraph
from graph.namespaces import ITEM, MEASURE, PARTY, SOURCE
from graph.screening.explain import Explainer, local
from graph.screening.resolve import Resolver
from graph.vocabulary import measure_kind


def slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _iri(text: str, namespace: str) -> str:
    """A full IRI from an id (`jmsdf`), a prefixed name (`pty:jmsdf`) or an IRI; NotFound for anything else."""
    text = text.strip()
    if "://" in text or re.match(r"^[a-z]+:[^/]", text):
        try:
            return expand_iri(text)
        except ValueError:
            raise NotFound(f"{text!r} is not a known IRI or prefixed name") from None
    if not re.fullmatch(r"[\w.-]+", text):
        raise NotFound(f"{text!r} is not an id")
    return namespace + text


def _one(rows: list[dict[str, str]], what: str, key: str) -> dict[str, str]:
    if not rows:
        raise NotFound(f"no {what} {key!r}")
    return rows[0]


def _names(kg: KnowledgeGraph, iri: str) -> list[dict[str, Any]]:
    return [
        {"name": r["name"], "language": r.get("language") or None, "preferred": r["preferred"] == "true"}
        for r in kg.run("list_names", resource=iri).records()
    ]


# ---------------------------------------------------------------- parties


def search_parties(kg: KnowledgeGraph, resolver: Resolver, q: str, limit: int = 10) -> list[dict[str, Any]]:
    """Parties whose names match `q` in any script: exact and fuzzy matches with scores, then names
    containing `q` (score 50); each with its country and list status. Names are compared normalised
    (graph.screening.names); SPARQL users have the same search as the find_parties query."""
    resolution = resolver.party(q)
    scored: dict[str, float] = {}
    if resolution.iri:
        scored[resolution.iri] = resolution.score
    for c in resolution.candidates:
        scored.setdefault(c.iri, c.score)
    for party in resolver.parties.substring(q):  # names containing q (the index of every name)
        scored.setdefault(party, 50.0)
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [
        {
            **party_summary(kg, iri),
            "score": round(score, 1),
            "match": "exact" if score >= 100 else ("strong" if iri == resolution.iri else "possible"),
        }
        for iri, score in ranked
    ]


def party_summary(kg: KnowledgeGraph, iri: str) -> dict[str, Any]:
    row = _one(kg.run("get_party", party=iri).records(), "party", iri)
    listings = kg.run("list_party_listings", party=iri).records()
    return {
        "id": slug(iri),
        "iri": iri,
        "label": row.get("label"),
        "country": row.get("country"),
        "kind": row.get("kindLabel"),
        "military_end_user": row.get("militaryEndUser") == "true",
        "lists": sorted({f"{r['listLabel']} ({r['identifier']})" for r in listings}),
    }


def party_detail(kg: KnowledgeGraph, explainer: Explainer, party: str) -> dict[str, Any]:
    iri = _iri(party, PARTY)
    summary = party_summary(kg, iri)
    row = kg.run("get_party", party=iri).records()[0]
    classification = explainer.classification(iri, "https://w3id.org/eckg/ontology#MilitaryEndUser")
    return {
        **summary,
        "status": row.get("status") or "confirmed",
        "note": row.get("note"),
        "names": _names(kg, iri),
        "relations": [
            {"relation": r["relation"], "id": slug(r["other"]), "iri": r["other"], "label": r["otherLabel"]}
            for r in kg.run("list_party_relations", party=iri).records()
        ],
        "military_end_user_basis": classification,
        "related_listings": _related_listings(kg, iri),
        "listings": [
            {
                "listing": r["listing"],
                "list": r["listLabel"],
                "measure": r["measure"],
                "measure_id": slug(r["measure"]),
                "identifier": r["identifier"],
                "since": r["effectiveFrom"],
                "position": r.get("position"),
                "status": r["status"],
                "via_part_of": None if r["listed"] == iri else slug(r["listed"]),
            }
            for r in kg.run("list_party_listings", party=iri).records()
        ],
        "sources": explainer.sources(iri),
    }


def _related_listings(kg: KnowledgeGraph, party: str) -> list[dict[str, Any]]:
    """The listings of the party's subsidiaries, parent companies and parts (graph.screening.related): one
    per listing, with the first day its designation is in force."""
    found: dict[str, dict[str, Any]] = {}
    for r in kg.run("list_related_listings", party=party).records():
        entry = found.setdefault(
            r["listing"],
            {
                "relation": r["relation"],
                "id": slug(r["related"]),
                "iri": r["related"],
                "label": r["relatedLabel"],
                "list": r["listLabel"],
                "measure_id": slug(r["measure"]),
                "identifier": r["identifier"],
                "since": r["start"],
                "status": r["status"],
            },
        )
        entry["since"] = min(entry["since"], r["start"])
    return list(found.values())


# ---------------------------------------------------------------- items


def search_items(kg: KnowledgeGraph, resolver: Resolver, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Items whose code starts with `q`, whose element is `q`, or whose names contain `q` (any language)."""
    found: dict[str, dict[str, str]] = {}
    for params in ({"code": q}, {"element": q}, {"name": q}):
        for row in kg.run("find_items", **params).records():
            found.setdefault(row["item"], row)
    best = resolver.item(q)
    ordered = ([best.iri] if best.iri in found else []) + [i for i in found if i != best.iri]
    return [
        {
            "id": slug(i),
            "iri": i,
            "code": found[i].get("notation"),
            "label": found[i].get("label"),
            "element": found[i].get("symbol"),
        }
        for i in ordered[:limit]
    ]


def item_detail(kg: KnowledgeGraph, explainer: Explainer, item: str, day: str) -> dict[str, Any]:
    iri = _iri(item, ITEM)
    row = _one(kg.run("get_item", item=iri).records(), "item", item)
    relations: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in kg.run("list_item_relations", item=iri).records():
        relations[r["relation"]].append({"value": r["value"], "label": r["valueLabel"]})
    measures = [
        {**m, "id": slug(m["iri"]), "periods": (explainer.measure(m["iri"]) or {}).get("periods", [])}
        for m in explainer.item_measures(iri, day)
    ]
    return {
        "id": slug(iri),
        "iri": iri,
        "code": row.get("code"),
        "label": row.get("label"),
        "kind": row.get("kind"),
        "broader": row.get("broaderCode") or row.get("broader"),
        "category": row.get("categoryLabel"),
        "status": row.get("status") or "confirmed",
        "note": row.get("note"),
        "names": _names(kg, iri),
        "sub_items": relations["sub-item"],
        "materials": relations["material"],
        "hs_codes": [r["value"] for r in relations["HS code"]],
        "measures": measures,
        "as_of": day,
        "sources": explainer.sources(iri),
    }


# ---------------------------------------------------------------- measures and sources


def list_measures(
    kg: KnowledgeGraph, destination: str | None, day: str | None, kind: str | None
) -> list[dict[str, Any]]:
    """Measures (for a destination, of a kind, in force on a day); `kind` is one of `measure_kind_names()`:
    a prefixed name (eckg:WatchListDesignation) or the label measures are listed with."""
    kind = measure_kind(kind) if kind is not None else None
    params = {k: v for k, v in (("destination", destination), ("kind", kind)) if v}
    if day:
        rows = kg.run("list_measures_in_force", date=day, **params).records()
        return [
            {
                "id": slug(r["measure"]),
                "iri": r["measure"],
                "identifier": r["identifier"],
                "label": r.get("label"),
                "kind": r["kindLabel"],
                "in_force": {"start": r["start"], "end": r.get("end"), "status": local(r["status"])},
            }
            for r in rows
        ]
    return [
        {
            "id": slug(r["measure"]),
            "iri": r["measure"],
            "identifier": r["identifier"],
            "label": r.get("label"),
            "kind": r["kindLabel"],
            "destination": r.get("country"),
            "issued": r.get("issued"),
            "effective_from": r.get("effectiveFrom"),
            "effective_until": r.get("effectiveUntil"),
            "status": r["status"],
        }
        for r in kg.run("list_measures", **params).records()
    ]


def find_measure(kg: KnowledgeGraph, measure: str) -> str:
    """The IRI of a measure given by id, IRI or identifier ("MOFCOM Announcement 2026 No. 1")."""
    for row in kg.run("list_measures").records():
        if row["identifier"].lower() == measure.strip().lower():
            return row["measure"]
    return _iri(measure, MEASURE)


def measure_detail(kg: KnowledgeGraph, explainer: Explainer, measure: str) -> dict[str, Any]:
    iri = find_measure(kg, measure)
    info = explainer.measure(iri)
    if info is None:
        raise NotFound(f"no measure {measure!r}")
    events = [e for e in kg.run("list_timeline_events").records() if e["measure"] == iri]
    listings = kg.run("list_listed_parties", measure=iri).records()
    return {
        **info,
        "id": slug(iri),
        "names": _names(kg, iri),
        "timeline": [
            {"date": e["date"], "event": e["event"], "status": e["status"], "by": e.get("by")} for e in events
        ],
        "listings": [
            {
                "party": r.get("party"),
                "party_id": slug(r["party"]) if r.get("party") else None,
                "label": r.get("label")
                or (f"(name truncated: {r['partialName']}…)" if r.get("partialName") else None),
                "position": r.get("position"),
                "status": r["status"],
            }
            for r in listings
        ],
        "claims": kg.run("list_claims", subject=iri).records(),
    }


def source_detail(kg: KnowledgeGraph, source: str) -> dict[str, Any]:
    iri = _iri(source, SOURCE)
    row = _one(kg.run("get_source", source=iri).records(), "source", source)
    facts = [
        {"iri": r["fact"], "kind": r["kind"], "label": r.get("label")}
        for r in kg.run("list_facts_from_source", source=iri).records()
        if not r["fact"].startswith("_:")
    ]
    return {
        "id": slug(iri),
        "iri": iri,
        **{k: row.get(k) for k in ("label", "url", "publisher", "date", "kind", "status")},
        "facts": facts,
    }


def end_uses(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """The end-use taxonomy: id, IRI, names in every language, and the broader end use's id."""
    uses: dict[str, dict[str, Any]] = {}
    broader: dict[str, str] = {}
    for r in kg.run("list_end_uses").records():
        entry = uses.setdefault(
            r["endUse"],
            {
                "id": r["id"],
                "iri": r["endUse"],
                "label": r.get("label") or r["id"],
                "names": [],
                "broader": None,
            },
        )
        if r.get("name") and r["name"] not in entry["names"]:
            entry["names"].append(r["name"])
        if r.get("broader"):
            broader[r["endUse"]] = r["broader"]
    for iri, parent in broader.items():
        uses[iri]["broader"] = uses[parent]["id"] if parent in uses else None
    return sorted(uses.values(), key=lambda u: u["id"])


def timeline(kg: KnowledgeGraph, explainer: Explainer, destination: str | None) -> dict[str, Any]:
    """Everything a timeline picture of a destination's measures needs: each measure with its kind, dates,
    in-force periods (with status) and dated events."""
    measures = list_measures(kg, destination, None, None)
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in kg.run(
        "list_timeline_events", **({"destination": destination} if destination else {})
    ).records():
        events[e["measure"]].append(
            {"date": e["date"], "event": e["event"], "status": e["status"], "by": e.get("by")}
        )
    rows = []
    for m in measures:
        info = explainer.measure(m["iri"]) or {}
        rows.append({**m, "periods": info.get("periods", []), "events": events.get(m["iri"], [])})
    return {"destination": destination, "measures": rows}
