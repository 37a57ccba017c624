"""/screen and /screen/batch: may these shipments go, and why not."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.datastructures import URL, Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems
from api.negotiation import parse_accept
from api.schemas import BatchResult, Decision, response_json
from api.state import AppState, state_of
from graph.batches import Row, parse_batch
from graph.errors import FieldError, InputError, UnsupportedMediaType
from graph.screening import ScreeningRequest
from graph.validation import RunResult, check_rows, screen_chunks

router = APIRouter(tags=["Screening"])
EXAMPLE = {
    "item": "1C902.b",
    "destination": "JP",
    "end_user": "Japan Maritime Self-Defense Force",
    "date": "2026-03-01",
}
_BATCH_TYPES = {
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
    "text/csv": "csv",
    "text/turtle": "turtle",
}


PATH = "/screen"
OPERATION: dict[str, Any] = {
    "tags": ["Screening"],
    "summary": "Screen one transaction",
    "description": "The decision for one proposed export — prohibited, undetermined, enhanced_review, "
    "license_required or clear — with the reasons (measure, articles, in-force period, sources and their "
    "status), what each input resolved to, and the graph version. The decision is recorded in the audit log "
    "before it is returned.",
    "operationId": "screen_screen_post",
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/ScreeningRequest"},
                "example": EXAMPLE,
            }
        },
    },
    "responses": {
        "200": {
            "description": "Successful Response",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Decision"}}},
        },
        **{str(status): response for status, response in problems.RESPONSES.items()},
    },
}
"""POST /screen in the OpenAPI document, as FastAPI described it when it served the route."""


class ScreenEndpoint:
    """POST /screen — the decision for one proposed export — served as pure ASGI middleware in front of
    FastAPI's routing; every other request passes on to the app.

    Why: POST /screen is what order systems call, one shipment at a time, and under load the server's own
    work per request is what limits the answers per second. FastAPI's routing, dependency solving and
    request and response objects cost about 130 us of it on the benchmark machine (in process, screening
    left out: 220-320 us through FastAPI, 110-180 us here; docs/benchmarks.md). The request is read,
    validated (one pydantic pass) and answered (orjson) directly. The middleware outside it (the body
    limit, CORS) and the app's error handlers (api.problems) apply as to every route, and the operation is
    in the OpenAPI document (OPERATION, added by api.openapi). A trailing slash is redirected and another
    method answered 405, as FastAPI's router would."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _route_path(scope) not in (PATH, PATH + "/"):
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await _screen(scope, receive, sending)
        except Exception as error:
            if started:  # the answer is under way: nothing else can be said on this response
                raise
            await problems.respond(error, scope, receive, send)


async def _screen(scope: Scope, receive: Receive, send: Send) -> None:
    if _route_path(scope) != PATH:
        await RedirectResponse(URL(scope=scope).replace(path=scope["path"].rstrip("/")))(scope, receive, send)
        return
    if scope["method"] != "POST":
        raise HTTPException(status_code=405, headers={"Allow": "POST"})
    media = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise UnsupportedMediaType(f"send the transaction as application/json (got {media or 'none'})")
    body = await _body(receive)
    if body is None:  # the client went away: nobody to answer, nothing screened
        return
    transaction = ScreeningRequest.parse_json(body)
    state: AppState = scope["app"].state.eckg
    # screened with the requests that arrive at the same time (graph.screening.coalesce)
    decision = await asyncio.wrap_future(state.coalescer.submit(transaction))
    content = response_json(Decision, decision.as_dict())
    headers = [(b"content-length", str(len(content)).encode()), (b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": content})


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


async def _body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client disconnected first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


@router.post(
    "/screen/batch",
    response_model=BatchResult,
    summary="Screen many transactions",
    responses={
        200: {
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            "description": "JSON (summary and decisions), or JSON Lines streamed: one decision per line, then the summary",
        }
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"$ref": "#/components/schemas/ScreeningRequest"},
                    },
                    "example": [EXAMPLE],
                },
                "application/x-ndjson": {"schema": {"type": "string", "minLength": 1}},
                "text/csv": {
                    "schema": {"type": "string", "minLength": 1},
                    "example": "item,destination,end_user,date\n1C902.b,JP,JMSDF,2026-03-01\n",
                },
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
        }
    },
)
async def screen_batch(request: Request) -> Any:
    """Transactions as a JSON array, JSON Lines, CSV (header = the screening fields) or Turtle, in the body
    or as an uploaded `file`. A bad row rejects the whole batch (422, naming every bad line). With
    `Accept: application/x-ndjson` the decisions are streamed as they are made (each already in the
    audit log), then a final summary line."""
    state = state_of(request)
    rows = await _rows(request)
    check_rows(state.screener, rows)  # before a streamed response starts
    if _wants_lines(request.headers.get("accept")):
        return StreamingResponse(_stream(state, rows), media_type="application/x-ndjson")
    result = await run_in_threadpool(_run, state, rows)
    return {"summary": result.summary(), "decisions": [d.as_dict() for d in result.decisions]}


async def _rows(request: Request) -> list[Row]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise FieldError(
                "the upload needs a file field", errors=[{"field": "file", "message": "required"}]
            )
        name = (upload.filename or "").lower()
        fmt = form.get("format") or next(
            (
                f
                for ext, f in (
                    (".csv", "csv"),
                    (".jsonl", "jsonl"),
                    (".ndjson", "jsonl"),
                    (".json", "json"),
                    (".ttl", "turtle"),
                )
                if name.endswith(ext)
            ),
            None,
        )
        if fmt is None:
            raise InputError(
                "say the file's format with a 'format' field (csv, jsonl, json, turtle) or its extension"
            )
        return parse_batch(await upload.read(), str(fmt), upload.filename or "upload")
    if media not in _BATCH_TYPES:
        raise UnsupportedMediaType(
            f"send the batch as {', '.join(sorted(_BATCH_TYPES))} or multipart/form-data (got {media or 'none'})"
        )
    return parse_batch(await request.body(), _BATCH_TYPES[media], "request body")


def _wants_lines(accept: str | None) -> bool:
    ranges = parse_accept(accept)
    return bool(ranges) and ranges[0][0] in ("application/x-ndjson", "application/jsonl")


def _run(state: AppState, rows: list[Row]) -> RunResult:
    decisions = [
        d for chunk, _ in screen_chunks(state.screener, rows, state.audit, chunk=2000) for d in chunk
    ]
    return RunResult(decisions, rows=rows)


def _stream(state: AppState, rows: list[Row]) -> Iterator[bytes]:
    decisions: list[Any] = []
    for chunk, _ in screen_chunks(state.screener, rows, state.audit, chunk=500):
        start = len(decisions)
        decisions += chunk
        for row, decision in zip(rows[start : start + len(chunk)], chunk, strict=True):
            yield (json.dumps({"row": row.where, **decision.as_dict()}, ensure_ascii=False) + "\n").encode()
    yield (json.dumps({"summary": RunResult(decisions, rows=rows).summary()}) + "\n").encode()
