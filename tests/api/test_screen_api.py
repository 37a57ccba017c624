"""POST /screen and /screen/batch."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from api.schemas import BatchResult, Decision
from graph.audit import AuditLog
from graph.kg import KnowledgeGraph
from graph.screening import Screener
from graph.screening.request import ScreeningRequest

from ..screening.test_engines import generated_requests
from .conftest import audit_lines

JMSDF = {
    "item": "1C902.b",
    "destination": "JP",
    "end_user": "Japan Maritime Self-Defense Force",
    "date": "2026-03-01",
}


def test_screen_returns_a_decision_that_matches_the_schema_and_is_recorded(client, api_settings) -> None:  # type: ignore[no-untyped-def]
    before = len(audit_lines(api_settings))
    response = client.post("/screen", json=JMSDF)
    assert response.status_code == 200
    decision = Decision.model_validate(response.json())
    assert (
        decision.decision == "prohibited"
        and decision.reasons[0].measure.identifier == "MOFCOM Announcement 2026 No. 1"
    )
    lines = audit_lines(api_settings)
    assert len(lines) == before + 1 and json.loads(lines[-1])["id"] == decision.id
    # written as the response model writes it: optional fields the decision lacks are there, as null
    body = response.json()
    assert body["recorded_at"] is None and body["resolved"]["item"]["note"] is None
    assert body == decision.model_dump(mode="json", by_alias=True)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"item": "1C902.b", "destination": "JP"}, {"end_user"}),
        ({**JMSDF, "destination": "Japan"}, {"destination"}),
        ({**JMSDF, "date": "2026-02-30"}, {"date"}),
        ({**JMSDF, "colour": "red"}, {"colour"}),
        ({**JMSDF, "quantity": -1}, {"quantity"}),
    ],
)
def test_field_errors_are_problem_documents(client, body: dict, fields: set[str]) -> None:  # type: ignore[no-untyped-def,type-arg]
    response = client.post("/screen", json=body)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (
        problem["type"].startswith("https://w3id.org/eckg/problems/")
        and problem["title"]
        and problem["detail"]
    )
    assert fields <= {e["field"] for e in problem["errors"]}


def test_semantic_input_errors(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/screen", json={**JMSDF, "destination": "ZZ"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "destination"
    response = client.post("/screen", json={**JMSDF, "end_use": "moon base"})
    assert response.status_code == 422 and "valid:" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("body", [b"not json", b"", b"[1, 2]", b'"1C902.b"'])
def test_a_body_that_is_not_a_json_object_is_a_problem(client, body: bytes) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/screen", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["(body)"]


def test_a_transaction_is_sent_as_json(client) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps(JMSDF).encode()
    for media in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"content-type": media} if media else {}
        response = client.post("/screen", content=body, headers=headers)
        assert response.status_code == 415, media
        assert "application/json" in response.json()["detail"]
    for media in ("application/json; charset=utf-8", "application/ld+json"):
        assert client.post("/screen", content=body, headers={"content-type": media}).status_code == 200


CSV = "item,destination,end_user,end_use,date\n1C902.b,JP,JMSDF,,2026-03-01\n1C909.b,JP,Acme,electronics,2026-03-01\n"


def _check_batch(data: dict) -> None:  # type: ignore[type-arg]
    result = BatchResult.model_validate(data)
    assert result.summary.transactions == 2 and result.summary.decisions["prohibited"] == 1
    assert [d.decision for d in result.decisions] == ["prohibited", "clear"]


def test_batch_as_csv_json_jsonl_and_upload(client) -> None:  # type: ignore[no-untyped-def]
    _check_batch(client.post("/screen/batch", content=CSV, headers={"content-type": "text/csv"}).json())
    records = [
        JMSDF,
        {
            "item": "1C909.b",
            "destination": "JP",
            "end_user": "Acme",
            "end_use": "electronics",
            "date": "2026-03-01",
        },
    ]
    _check_batch(client.post("/screen/batch", json=records).json())
    lines = "\n".join(json.dumps(r) for r in records)
    _check_batch(
        client.post("/screen/batch", content=lines, headers={"content-type": "application/x-ndjson"}).json()
    )
    _check_batch(client.post("/screen/batch", files={"file": ("batch.csv", CSV, "text/csv")}).json())


def test_batch_streams_json_lines(client, api_settings) -> None:  # type: ignore[no-untyped-def]
    before = len(audit_lines(api_settings))
    response = client.post(
        "/screen/batch", content=CSV, headers={"content-type": "text/csv", "accept": "application/x-ndjson"}
    )
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line.get("decision") for line in lines[:2]] == ["prohibited", "clear"]
    assert lines[-1]["summary"]["transactions"] == 2
    assert len(audit_lines(api_settings)) == before + 2


def test_a_bad_row_rejects_the_whole_batch(client, api_settings) -> None:  # type: ignore[no-untyped-def]
    before = len(audit_lines(api_settings))
    response = client.post(
        "/screen/batch", content=CSV + "1C902.b,XX,Acme,,2026-13-01\n", headers={"content-type": "text/csv"}
    )
    assert response.status_code == 422
    assert {e["row"] for e in response.json()["errors"]} == {"line 4"}
    assert len(audit_lines(api_settings)) == before


def test_batch_media_types(client) -> None:  # type: ignore[no-untyped-def]
    assert (
        client.post("/screen/batch", content=b"x", headers={"content-type": "image/png"}).status_code == 415
    )
    assert client.post("/screen/batch", json={"item": "x"}).status_code == 400
    assert client.post("/screen/batch", content=b"", headers={"content-type": "text/csv"}).status_code == 400


@pytest.mark.slow
def test_concurrent_screenings_over_http_each_get_their_own_recorded_decision(
    live_server, kg: KnowledgeGraph, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """32 clients at once on a real server: requests are screened in groups (graph.screening.coalesce), yet
    each answer is the decision its own transaction gets alone, and is in the audit log once."""
    url = live_server(env={"ECKG_DATA_DIR": str(tmp_path / "data")})
    bodies = [r.model_dump(mode="json", exclude_none=True) for r in generated_requests(kg, 160, seed=21)]
    answers: list[dict | None] = [None] * len(bodies)  # type: ignore[type-arg]

    def client(indexes: range) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            for i in indexes:
                response = http.post("/screen", json=bodies[i])
                assert response.status_code == 200, response.text
                answers[i] = response.json()

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(client, [range(k, len(bodies), 32) for k in range(32)]))
    reference = Screener(kg)
    for body, answer in zip(bodies, answers, strict=True):
        alone = reference.screen(ScreeningRequest.model_validate(body))
        assert answer is not None and answer["input"] == body
        assert (answer["decision"], [r["message"] for r in answer["reasons"]]) == (
            alone.decision,
            [r["message"] for r in alone.reasons],
        )
    logged = [record["id"] for _, record in AuditLog(tmp_path / "data" / "audit.jsonl").records()]
    assert sorted(logged) == sorted(a["id"] for a in answers if a)
