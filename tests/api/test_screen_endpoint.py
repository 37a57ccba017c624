"""POST /screen is served in front of FastAPI's routing (api.routers.screen.ScreenEndpoint): it answers
as a FastAPI route would — other methods, a trailing slash, the body limit, CORS, unexpected errors, the
OpenAPI document — and a client that goes away before its body is in is neither screened nor recorded."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.routers.screen import OPERATION
from graph.screening import Screener
from graph.settings import Settings

from .conftest import audit_lines
from .test_screen_api import JMSDF


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
def test_another_method_is_405_allowing_post(client, method: str) -> None:  # type: ignore[no-untyped-def]
    response = client.request(method, "/screen")
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    if method != "HEAD":
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 405


def test_a_trailing_slash_is_redirected_and_a_query_string_ignored(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/screen/?x=1", json=JMSDF, follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "http://testserver/screen?x=1"
    assert client.post("/screen/", json=JMSDF).json()["decision"] == "prohibited"  # followed, body resent
    assert client.post("/screen?x=1", json=JMSDF).json()["decision"] == "prohibited"


def test_the_body_limit_and_cors_apply(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    own = settings.model_copy(
        update={"data_dir": tmp_path, "max_request_bytes": 300, "cors_origins": ["https://a.example"]}
    )
    with TestClient(create_app(own)) as client:
        origin = {"Origin": "https://a.example"}
        response = client.post("/screen", json=JMSDF, headers=origin)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://a.example"
        too_large = client.post("/screen", json={**JMSDF, "end_user": "x" * 400}, headers=origin)
        assert too_large.status_code == 413
        assert too_large.headers["content-type"] == "application/problem+json"
        assert "ECKG_MAX_REQUEST_BYTES" in too_large.json()["detail"]
        streamed = client.post(  # no Content-Length: the limit counts what arrives
            "/screen",
            content=iter([json.dumps(JMSDF).encode(), b" " * 400]),
            headers={"content-type": "application/json"},
        )
        assert streamed.status_code == 413
        preflight = client.options("/screen", headers={**origin, "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
    assert [json.loads(line)["decision"] for line in audit_lines(own)] == ["prohibited"]


def test_a_screening_that_cannot_be_recorded_is_a_503_problem_without_a_decision(  # type: ignore[no-untyped-def]
    settings: Settings, tmp_path
) -> None:
    (tmp_path / "audit.jsonl").mkdir()  # the log's path is a directory: it cannot be opened to write
    with TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}))) as client:
        response = client.post("/screen", json=JMSDF)
    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/audit-log-unavailable") and "decision" not in response.json()


def test_an_unexpected_error_is_a_logged_500_problem(  # type: ignore[no-untyped-def]
    client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def fail(self: Screener, transactions: Any) -> Any:
        raise RuntimeError("the rules could not run")

    monkeypatch.setattr(Screener, "decide", fail)
    with caplog.at_level(logging.ERROR, logger="eckg.api"):
        response = client.post("/screen", json=JMSDF)
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    assert "the rules could not run" not in response.text  # logged, not shown
    assert any("the rules could not run" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_a_client_gone_before_its_body_is_in_gets_nothing_and_nothing_is_recorded(  # type: ignore[no-untyped-def]
    client, api_settings: Settings
) -> None:
    before = audit_lines(api_settings)
    sent: list[dict[str, Any]] = []
    messages = [
        {"type": "http.request", "body": b'{"item": "1C9', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/screen",
        "raw_path": b"/screen",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(client.app(scope, receive, send))
    assert sent == [] and not messages
    assert audit_lines(api_settings) == before


def test_the_operation_is_in_the_openapi_document(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").json()
    assert spec["paths"]["/screen"]["post"] == OPERATION
    schemas = spec["components"]["schemas"]
    assert {"ScreeningRequest", "Decision", "Problem"} <= set(schemas)
    body = OPERATION["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer = OPERATION["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert (body, answer) == ("#/components/schemas/ScreeningRequest", "#/components/schemas/Decision")
