"""GET /decisions/{id} and /decisions/{id}/explanation, as JSON and RDF."""

from __future__ import annotations

import rdflib
from fastapi.testclient import TestClient

from api import create_app
from api.schemas import Decision

ECKG = rdflib.Namespace("https://w3id.org/eckg/ontology#")


def _decision(client) -> str:  # type: ignore[no-untyped-def]
    body = {
        "item": "samarium oxide",
        "destination": "JP",
        "end_user": "三菱重工航空エンジン株式会社",
        "date": "2026-03-01",
    }
    return str(client.post("/screen", json=body).json()["id"])


def test_a_stored_decision_as_json_and_rdf(client) -> None:  # type: ignore[no-untyped-def]
    decision_id = _decision(client)
    record = client.get(f"/decisions/{decision_id}")
    assert Decision.model_validate(record.json()).source == "api"
    turtle = client.get(f"/decisions/{decision_id}", headers={"accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert (
        rdflib.URIRef(f"https://w3id.org/eckg/id/decision/{decision_id}"),
        ECKG.outcome,
        ECKG.prohibited,
    ) in graph
    jsonld = client.get(f"/decisions/{decision_id}", headers={"accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=jsonld.text, format="json-ld")) == len(graph)


def test_explanation_chain(client) -> None:  # type: ignore[no-untyped-def]
    decision_id = _decision(client)
    chain = client.get(f"/decisions/{decision_id}/explanation").json()["chain"]
    first = chain[0]
    assert first["measure"]["identifier"] == "MOFCOM Announcement 2026 No. 11"
    assert first["listing"]["position"] == 2
    assert any(a["basis"] == "analyst's mapping" and a["status"] == "unverified" for a in first["articles"])
    assert all(s["url"].startswith("http") for s in first["sources"])
    turtle = client.get(f"/decisions/{decision_id}/explanation", headers={"accept": "text/turtle"}).text
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    measure = rdflib.URIRef("https://w3id.org/eckg/id/measure/mofcom-2026-11")
    assert (
        measure,
        rdflib.URIRef("http://purl.org/dc/terms/identifier"),
        rdflib.Literal("MOFCOM Announcement 2026 No. 11"),
    ) in graph
    assert (None, ECKG.url, None) in graph  # sources described too


def test_unknown_decision_and_bad_accept(client) -> None:  # type: ignore[no-untyped-def]
    missing = client.get("/decisions/does-not-exist")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    decision_id = _decision(client)
    assert client.get(f"/decisions/{decision_id}", headers={"accept": "image/png"}).status_code == 406
    shortened = client.get(f"/decisions/{decision_id[:8]}")  # as `eckg audit` shows it: not taken over HTTP
    assert shortened.status_code == 404
    assert shortened.json()["detail"].endswith("give its whole id (`eckg audit` shortens them)")
    other = decision_id[:-1] + ("1" if decision_id.endswith("0") else "0")
    assert "whole id" not in client.get(f"/decisions/{other}").json()["detail"]


def test_a_decision_is_queryable_as_rdf_at_the_sparql_endpoint(client) -> None:  # type: ignore[no-untyped-def]
    decision_id = _decision(client)
    iri = f"https://w3id.org/eckg/id/decision/{decision_id}"
    ask = "PREFIX eckg: <https://w3id.org/eckg/ontology#> ASK { GRAPH ?g { ?d a eckg:Decision ; eckg:outcome ?o } }"
    answer = client.get("/sparql", params={"query": ask.replace("?d", f"<{iri}>")})
    assert answer.json()["boolean"] is True, "the decision is in the endpoint's decisions graph"
    rows = client.get(
        "/queries/list_decisions_for_measure",
        params={"measure": "msr:mofcom-2026-11"},  # the control-list designation it cites
        headers={"accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    assert iri in {r["decision"]["value"] for r in rows}


def test_a_rotated_audit_log_is_read_anew(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Renamed away while the server runs, the log starts anew with the next decision: decisions are then
    looked up in the new file, by id and at the SPARQL endpoint — also when the new file has grown past the
    old one's length before anything reads it."""
    own = settings.model_copy(update={"data_dir": tmp_path / "data"})
    ask = "PREFIX eckg: <https://w3id.org/eckg/ontology#> ASK { GRAPH ?g { <%s> a eckg:Decision } }"

    def in_sparql(client, decision_id: str) -> bool:  # type: ignore[no-untyped-def]
        query = ask % f"https://w3id.org/eckg/id/decision/{decision_id}"
        return bool(client.get("/sparql", params={"query": query}).json()["boolean"])

    with TestClient(create_app(own)) as client:
        before = _decision(client)
        assert in_sparql(client, before) and client.get(f"/decisions/{before}").status_code == 200
        own.audit_log.rename(own.audit_log.with_suffix(".jsonl.1"))
        after = [_decision(client) for _ in range(2)]  # two lines: longer than the old file
        assert own.audit_log.stat().st_size > own.audit_log.with_suffix(".jsonl.1").stat().st_size
        assert all(in_sparql(client, d) for d in after), "the new file's decisions, from its first line"
        assert all(client.get(f"/decisions/{d}").status_code == 200 for d in after)
        assert not in_sparql(client, before), "the view is of the log now at the path"
        assert client.get(f"/decisions/{before}").status_code == 404
