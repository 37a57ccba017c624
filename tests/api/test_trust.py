"""Trust: a server killed mid-batch loses no decision it reported; bad bytes get a clear 4xx; CORS is off
unless configured; the update token never reaches a log."""

from __future__ import annotations

import contextlib
import json
import signal
from pathlib import Path

import httpx
import pytest

from bench.workloads import requests, to_csv
from graph.audit import AuditLog
from graph.kg import KnowledgeGraph

pytestmark = pytest.mark.slow


def test_sigkill_mid_batch_loses_no_reported_decision(
    live_server, kg: KnowledgeGraph, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "killed"
    url = live_server(env={"ECKG_DATA_DIR": str(data_dir)})
    body = to_csv(requests(kg, 20_000, seed=3))
    reported: list[str] = []
    with (
        contextlib.suppress(httpx.RemoteProtocolError),  # the connection dies with the server
        httpx.stream(
            "POST",
            f"{url}/screen/batch",
            content=body,
            headers={"Content-Type": "text/csv", "Accept": "application/x-ndjson"},
            timeout=120,
        ) as response,
    ):
        assert response.status_code == 200
        for line in response.iter_lines():
            reported.append(json.loads(line)["id"])
            if len(reported) == 1200:  # well into the batch, mid-chunk on the server
                server = live_server.__self__.processes[-1]  # the `eckg serve` process (uvicorn in it)
                server.send_signal(signal.SIGKILL)
                server.wait(10)
                break
    assert len(reported) == 1200
    logged = {record["id"] for _, record in AuditLog(data_dir / "audit.jsonl").records()}
    assert set(reported) <= logged, "every decision reported as done is in the audit log"
    assert len(logged) < 20_000, "the server was killed before it finished"


def test_invalid_utf8_is_a_clear_400(client) -> None:  # type: ignore[no-untyped-def]
    bad = b"item,destination,end_user\n1C902.b,JP,\xff\xfe broken\n"
    response = client.post("/screen/batch", content=bad, headers={"Content-Type": "text/csv"})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "UTF-8" in response.json()["detail"]
    response = client.post(
        "/screen",
        content=b'{"item": "1C902.b", "destination": "JP", "end_user": "\xff"}',
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"


def test_cors_is_off_unless_configured(client) -> None:  # type: ignore[no-untyped-def]
    response = client.options(
        "/screen", headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in response.headers
    got = client.get("/health", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in got.headers


def test_the_update_token_never_reaches_the_log(live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    token = "s3cret-token-for-the-log-test"
    url = live_server("--update-token", token, "--log-level", "info")
    factory = live_server.__self__
    update = "INSERT DATA { <urn:ex:a> <urn:ex:p> <urn:ex:b> }"
    headers = {"Content-Type": "application/sparql-update"}
    assert (
        httpx.post(
            f"{url}/sparql", content=update, headers={**headers, "Authorization": f"Bearer {token}"}
        ).status_code
        == 204
    )
    assert (
        httpx.post(
            f"{url}/sparql", content=update, headers={**headers, "Authorization": "Bearer wrong"}
        ).status_code
        == 401
    )
    factory.close()
    logs = "".join(p.read_text(errors="replace") for p in factory.directory.glob("server-*.log"))
    assert "POST /sparql" in logs, "the access log was written"
    assert token not in logs


def test_a_streamed_batch_longer_than_a_chunk_streams_every_decision(client, kg: KnowledgeGraph) -> None:  # type: ignore[no-untyped-def]
    body = to_csv(requests(kg, 1234, seed=4))
    response = client.post(
        "/screen/batch", content=body, headers={"Content-Type": "text/csv", "Accept": "application/x-ndjson"}
    )
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["row"] for line in lines[:-1]] == [f"line {i}" for i in range(2, 1236)]
    assert lines[-1]["summary"]["transactions"] == 1234
