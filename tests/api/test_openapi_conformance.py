"""Schemathesis against the app's own OpenAPI document, in process: for every operation, generated requests
(valid and invalid) must never get a 5xx and must be answered as the document says (status code, content
type, headers, body schema).

The app's lifespan (graph load, endpoint worker) is run by the module's TestClient; schemathesis reaches the
same app through a thin wrapper that declines the lifespan scope, so the graph is loaded once and closed
when the module ends. Operations are listed from the app's static OpenAPI document at collection time, one
test per operation and generation mode, so a failure names the operation.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from api import create_app

pytestmark = pytest.mark.fuzz

EXAMPLES = 60
# Bodies in a grammar JSON Schema cannot state (SPARQL text, CSV and JSON Lines batches): a schema-valid
# string is not a valid request, so "schema-valid data is accepted" is not checked for them. Everything else
# (no 5xx, documented status, content type, headers and body schema, invalid data rejected) still is.
GRAMMARS = {
    "application/sparql-query",
    "application/sparql-update",
    "application/x-www-form-urlencoded",
    "application/x-ndjson",
    "text/csv",
    "multipart/form-data",
}
SPEC = create_app().openapi()
OPERATIONS = [
    (
        method.upper(),
        path,
        any(p["in"] != "path" for p in operation.get("parameters", [])) or "requestBody" in operation,
    )
    for path, item in sorted(SPEC["paths"].items())
    for method, operation in sorted(item.items())
]
CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path, has_input in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if has_input or mode is GenerationMode.POSITIVE  # nothing to make invalid without inputs
]


class _Started:
    """The app as schemathesis sees it: requests go through; the lifespan is the TestClient's."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("the lifespan is run by the test's TestClient")  # declined, as servers expect
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def api_schema(client):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", _Started(client.app))


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_operation_conforms_to_openapi(api_schema, method: str, path: str, mode: GenerationMode) -> None:  # type: ignore[no-untyped-def]
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    def conforms(case: Any) -> None:
        grammar = (case.media_type or "").split(";")[0] in GRAMMARS or path == "/sparql"
        case.call_and_validate(
            excluded_checks=[schemathesis.checks.positive_data_acceptance] if grammar else None
        )

    conforms()


def test_every_error_response_is_a_problem_document() -> None:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            errors = operation["responses"]["4XX"]["content"]
            assert list(errors) == ["application/problem+json"], f"{method} {path}"
    assert SPEC["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
