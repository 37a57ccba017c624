"""Decisions as RDF (PROV-O), so that SPARQL can ask why a decision came out as it did and which
decisions rest on a measure.

    decision a eckg:Decision, prov:Entity
        eckg:outcome, eckg:certainty, eckg:asOf, eckg:graphHash, eckg:engine, prov:generatedAtTime,
        eckg:about <transaction>, eckg:hasReason <reason> ...,
        prov:wasGeneratedBy <activity>, prov:wasDerivedFrom <measure> ... <source> ...
    activity a eckg:ScreeningActivity ; prov:used <transaction>, <measure> ... ; prov:wasAssociatedWith <eckg>
    reason a eckg:Reason ; eckg:outcome ; eckg:measure ; eckg:shape ; eckg:constraint ; eckg:resultPath ;
        eckg:message ; eckg:status ; prov:wasDerivedFrom <listing> <source> ...
    transaction: the screened input (item, countries, parties, end use, date)

The triples are a function of the decision alone, so the audit log can rebuild them at any time.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from graph.countries import country_iri
from graph.kg import KnowledgeGraph
from graph.namespaces import DECISION, ECKG, GRAPH_DECISIONS
from graph.screening.decision import Decision

_XSD = "http://www.w3.org/2001/XMLSchema#"
_PROV = "http://www.w3.org/ns/prov#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_OUTCOME = {
    "prohibited": "prohibited",
    "undetermined": "undetermined",
    "enhanced_review": "enhancedReview",
    "license_required": "licenceRequired",
    "clear": "clear",
}
_FIELD_PATH = {
    "end_user": "endUser",
    "consignee": "consignee",
    "item": "item",
    "end_use": "endUse",
    "date": "transactionDate",
}
SOFTWARE = ox.NamedNode("https://w3id.org/eckg/id/software/eckg")


# Terms of the vocabulary, made once: a view of a long audit log makes millions of triples
@lru_cache(maxsize=256)
def _e(name: str) -> ox.NamedNode:
    return ox.NamedNode(ECKG + name)


@lru_cache(maxsize=64)
def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(_PROV + name)


@lru_cache(maxsize=8)
def _xsd(datatype: str) -> ox.NamedNode:
    return ox.NamedNode(_XSD + datatype)


def _lit(value: str, datatype: str | None = None) -> ox.Literal:
    return ox.Literal(value, datatype=_xsd(datatype)) if datatype else ox.Literal(value)


def decision_triples(decision: Decision) -> list[ox.Triple]:
    return [ox.Triple(s, p, o) for s, p, o in _statements(decision)]


def decision_quads(decision: Decision, graph: str | ox.NamedNode) -> list[ox.Quad]:
    """The decision's triples in a graph, made as quads directly, not triples first: pyoxigraph's cost is
    in taking each term (211 -> 100-178 us a decision here, with the vocabulary's terms made once)."""
    g = graph if isinstance(graph, ox.NamedNode) else ox.NamedNode(graph)
    return [ox.Quad(s, p, o, g) for s, p, o in _statements(decision)]


def _statements(decision: Decision) -> list[tuple[Any, Any, Any]]:
    node = ox.NamedNode(f"{DECISION}{decision.id}")
    activity = ox.NamedNode(f"{DECISION}{decision.id}/activity")
    tx = ox.NamedNode(decision.transaction)
    out: list[tuple[Any, Any, Any]] = [
        (node, _RDF_TYPE, _e("Decision")),
        (node, _e("outcome"), _e(_OUTCOME[decision.decision])),
        (node, _e("certainty"), _e(decision.certainty)),
        (node, _e("asOf"), _lit(decision.as_of.isoformat(), "date")),
        (node, _e("graphHash"), _lit(decision.graph_hash)),
        (node, _e("engine"), _lit(f"{decision.engine} (eckg {decision.eckg_version})")),
        (node, _p("generatedAtTime"), _lit(decision.decided_at, "dateTime")),
        (node, _e("about"), tx),
        (node, _p("wasGeneratedBy"), activity),
        (activity, _RDF_TYPE, _e("ScreeningActivity")),
        (activity, _p("used"), tx),
        (activity, _p("wasAssociatedWith"), SOFTWARE),
        (activity, _p("endedAtTime"), _lit(decision.decided_at, "dateTime")),
        (SOFTWARE, _RDF_TYPE, _p("SoftwareAgent")),
    ]
    out += _transaction(tx, decision)
    for index, reason in enumerate(decision.reasons, start=1):
        out += _reason(node, activity, ox.NamedNode(f"{DECISION}{decision.id}/reason/{index}"), reason)
    return out


def _transaction(tx: ox.NamedNode, decision: Decision) -> list[tuple[Any, Any, Any]]:
    resolved, given = decision.resolved, decision.input
    out: list[tuple[Any, Any, Any]] = [
        (tx, _RDF_TYPE, _e("ExportTransaction")),
        (tx, _e("itemText"), _lit(given["item"])),
        (tx, _e("endUserName"), _lit(given["end_user"])),
        (tx, _e("destinationCountry"), country_iri(resolved["destination"])),
        (tx, _e("originCountry"), country_iri(resolved["origin"])),
        (tx, _e("exporterCountry"), country_iri(resolved["exporter_country"])),
        (
            tx,
            _e("transactionDate"),
            _lit(date.fromisoformat(given.get("date", decision.as_of.isoformat())).isoformat(), "date"),
        ),
    ]
    for key, prop in (
        ("item", "item"),
        ("end_user", "endUser"),
        ("consignee", "consignee"),
        ("exporter", "exporter"),
    ):
        entry = resolved.get(key)
        if entry and entry.get("iri"):
            out.append((tx, _e(prop), ox.NamedNode(entry["iri"])))
    if resolved.get("end_use"):
        out.append((tx, _e("endUse"), ox.NamedNode(resolved["end_use"])))
    return out


def _reason(
    decision: ox.NamedNode, activity: ox.NamedNode, node: ox.NamedNode, reason: dict[str, Any]
) -> list[tuple[Any, Any, Any]]:
    out: list[tuple[Any, Any, Any]] = [
        (decision, _e("hasReason"), node),
        (node, _RDF_TYPE, _e("Reason")),
        (node, _e("outcome"), _e(_OUTCOME[reason["outcome"]])),
        (node, _e("message"), _lit(reason["message"])),
        (node, _e("status"), _e(reason["status"])),
    ]
    rule = reason.get("rule") or {}
    if rule.get("shape"):
        out += [
            (node, _e("shape"), ox.NamedNode(rule["shape"])),
            (node, _e("constraint"), ox.NamedNode(rule["constraint"])),
        ]
    if rule.get("field") in _FIELD_PATH:
        out.append((node, _e("resultPath"), _e(_FIELD_PATH[rule["field"]])))
    if reason.get("measure"):
        measure = ox.NamedNode(reason["measure"]["iri"])
        out += [
            (node, _e("measure"), measure),
            (activity, _p("used"), measure),
            (decision, _p("wasDerivedFrom"), measure),
        ]
    if reason.get("listing"):
        out.append((node, _p("wasDerivedFrom"), ox.NamedNode(reason["listing"]["iri"])))
    for source in reason.get("sources", []):
        out += [
            (node, _p("wasDerivedFrom"), ox.NamedNode(source["iri"])),
            (decision, _p("wasDerivedFrom"), ox.NamedNode(source["iri"])),
        ]
    if reason.get("conditional_on"):
        out.append(
            (
                node,
                _e("note"),
                _lit(f"conditional on the end user being {reason['conditional_on']['end_user']}"),
            )
        )
    return out


def record(kg: KnowledgeGraph, decision: Decision) -> None:
    """Add a decision's triples to the graph's decisions graph (queryable with SPARQL)."""
    kg.store.add(decision_quads(decision, GRAPH_DECISIONS))
