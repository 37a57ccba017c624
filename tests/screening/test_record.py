"""Decisions as RDF: SPARQL can ask why a decision was denied and which decisions rest on a measure."""

from __future__ import annotations

import pyoxigraph as ox

from graph.kg import KnowledgeGraph
from graph.screening import Screener, ScreeningRequest
from graph.screening.decision import Decision
from graph.screening.record import decision_triples, record


def _screen(kg: KnowledgeGraph, **fields: str) -> Decision:
    return Screener(kg).screen(
        ScreeningRequest.parse({"item": "1C902.b", "destination": "JP", "date": "2026-03-01", **fields})
    )


def test_why_denied_walks_decision_reasons_measure_articles_sources(fresh_kg: KnowledgeGraph) -> None:
    decision = _screen(fresh_kg, end_user="JMSDF")
    record(fresh_kg, decision)
    rows = fresh_kg.run(
        "explain_decision", decision=f"https://w3id.org/eckg/id/decision/{decision.id}"
    ).records()
    assert {r["outcome"] for r in rows} == {"prohibited"}
    prohibited = next(r for r in rows if r["reasonOutcome"] == "prohibited")
    assert prohibited["identifier"] == "MOFCOM Announcement 2026 No. 1"
    assert "ECL Art. 10 (unverified)" in prohibited["articles"]
    assert "Export Control Law of the People's Republic of China (confirmed)" in prohibited["articles"]
    assert "https://udn.com/news/story/7331/9248262" in prohibited["sources"].split()


def test_decisions_resting_on_a_measure(fresh_kg: KnowledgeGraph) -> None:
    denied = _screen(fresh_kg, end_user="JMSDF")
    listed = _screen(fresh_kg, end_user="SUBARU Corporation", end_use="automotive")
    for d in (denied, listed):
        record(fresh_kg, d)
    on_ban = fresh_kg.run("list_decisions_for_measure", measure="msr:mofcom-2026-1").values("decision")
    assert on_ban == [f"https://w3id.org/eckg/id/decision/{denied.id}"]
    on_watch = fresh_kg.run("list_decisions_for_measure", measure="msr:mofcom-2026-12").records()
    assert [(r["outcome"], r["endUserName"], r["destination"]) for r in on_watch] == [
        ("enhanced_review", "SUBARU Corporation", "JP")
    ]


def test_decision_rdf_has_prov_links(kg: KnowledgeGraph) -> None:
    decision = _screen(kg, end_user="JMSDF")
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in decision_triples(decision))
    node = f"<https://w3id.org/eckg/id/decision/{decision.id}>"
    prov = "http://www.w3.org/ns/prov#"
    assert store.query(
        f"ASK {{ {node} <{prov}wasGeneratedBy> ?a . ?a <{prov}used> <{decision.transaction}> ; "
        f"<{prov}wasAssociatedWith> ?agent . ?agent a <{prov}SoftwareAgent> }}"
    )
    assert store.query(f'ASK {{ {node} <https://w3id.org/eckg/ontology#graphHash> "{decision.graph_hash}" }}')
    assert store.query(
        f"ASK {{ {node} <{prov}wasDerivedFrom> <https://w3id.org/eckg/id/measure/mofcom-2026-1> }}"
    )


def test_decision_rdf_is_a_function_of_the_decision(kg: KnowledgeGraph) -> None:
    decision = _screen(kg, end_user="JMSDF")
    again = Decision.from_dict(decision.as_dict())
    assert set(decision_triples(decision)) == set(decision_triples(again))
