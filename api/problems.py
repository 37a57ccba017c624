"""RFC 9457 problem responses: one function builds them; one table maps exceptions to them."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from graph.errors import EckgError, FieldError, problem, validation_message

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("eckg.api")

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document. `errors` lists each bad field or line when there are several.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What is wrong, naming the field, line or position."},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["message"],
                "properties": {
                    "field": {"type": "string"},
                    "row": {
                        "type": "string",
                        "description": "The batch row: line N, item N of a JSON array, or the transaction IRI.",
                    },
                    "line": {"type": "integer"},
                    "column": {"type": "integer"},
                    "source": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "description": "Bad request, unknown resource, not acceptable, too large, unsupported media type, "
        "invalid fields (422) or missing token (401/403): a problem document",
        "content": _PROBLEM_CONTENT,
    },
    503: {
        "description": "Query timed out, the store is unavailable, or the audit log cannot be written (then no "
        "decision is given)",
        "content": _PROBLEM_CONTENT,
    },
}
"""The error responses every operation can give (added to each router; the Problem schema they refer to is
added to the OpenAPI document by api.openapi)."""


def problem_response(error: EckgError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem(error), status_code=error.status, media_type=PROBLEM_JSON, headers=headers)


async def _eckg_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, EckgError)
    headers = {"WWW-Authenticate": 'Bearer realm="eckg"'} if error.status == 401 else None
    if error.status == 405:
        headers = {"Allow": str(error.extra.get("allow", "GET, POST"))}
    return problem_response(error, headers)


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = [
        {
            "field": ".".join(str(p) for p in item["loc"] if p != "body") or "(body)",
            "message": validation_message(item),
        }
        for item in error.errors()
    ]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return problem_response(FieldError(f"invalid request: {summary}", errors=fields))


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(error.detail),
        "status": error.status_code,
        "detail": str(error.detail),
    }
    return JSONResponse(body, status_code=error.status_code, media_type=PROBLEM_JSON, headers=error.headers)


async def _unexpected(_: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=error)
    return problem_response(EckgError("an internal error occurred; it has been logged"))


HANDLERS = {
    EckgError: _eckg_error,
    RequestValidationError: _validation_error,
    StarletteHTTPException: _http_error,
    Exception: _unexpected,
}


def register(app: FastAPI) -> None:
    for exception, handler in HANDLERS.items():
        app.add_exception_handler(exception, handler)


async def respond(error: Exception, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer `error` as the registered handlers do, for an endpoint served outside FastAPI's routing
    (api.routers.screen.ScreenEndpoint): the handler of the nearest class in its MRO."""
    handler = next(HANDLERS[c] for c in type(error).__mro__ if c in HANDLERS)
    response = await handler(Request(scope), error)
    await response(scope, receive, send)
