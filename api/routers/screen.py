"""/screen and /screen/batch: may these shipments go, and why not."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from api.negotiation import parse_accept
from api.schemas import BatchResult, Decision, response_json
from api.state import AppState, state_of
from graph.errors import FieldError, InputError, UnsupportedMediaType
from graph.screening import ScreeningRequest
from graph.validation import Row, RunResult, check_rows, parse_batch, screen_chunks

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


@router.post(
    "/screen",
    response_model=Decision,
    summary="Screen one transaction",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/ScreeningRequest"},
                    "example": EXAMPLE,
                }
            },
        }
    },
)
async def screen(request: Request) -> Response:
    """The decision for one proposed export — prohibited, undetermined, enhanced_review, license_required or
    clear — with the reasons (measure, articles, in-force period, sources and their status), what each
    input resolved to, and the graph version. The decision is recorded in the audit log before it is returned."""
    # The body is read and validated here, and the decision written with orjson, rather than by FastAPI from
    # the signature and the response model: about a fifth of the server's work per request (docs/benchmarks.md).
    transaction = ScreeningRequest.parse_json(await _json_body(request))
    # screened with the requests that arrive at the same time (graph.screening.coalesce)
    decision = await asyncio.wrap_future(state_of(request).coalescer.submit(transaction))
    return Response(response_json(Decision, decision.as_dict()), media_type="application/json")


async def _json_body(request: Request) -> bytes:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise UnsupportedMediaType(f"send the transaction as application/json (got {media or 'none'})")
    return await request.body()


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
