"""/sparql: the SPARQL 1.1 Protocol — query (GET, POST form, POST direct) and, when enabled, update;
the service description and, for a browser, the YASGUI editor."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from api.auth import require_writer
from api.negotiation import GRAPH_TYPES, SOLUTION_TYPES, choose, wants_html
from api.service_description import service_description
from api.state import AppState, state_of
from api.ui import editor_page
from graph.errors import (
    InputError,
    MethodNotAllowed,
    NotAcceptable,
    ParseError,
    QueryRefused,
    UnsupportedMediaType,
)
from graph.results import GRAPH_MEDIA_TYPES, serialize_graph
from graph.sparql_text import looks_like_update

router = APIRouter(tags=["SPARQL"])
Params = list[tuple[str, str]]
_TEXT_TYPES = ("text/", "application/n-triples")


def _values(params: Params, name: str) -> list[str]:
    return [v for k, v in params if k == name]


def _utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ParseError(f"the {what} is not valid UTF-8 (byte {e.start})", source=what) from None


def _form(body: bytes) -> Params:
    text = _utf8(body, "form body")
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ParseError(
            "a percent-encoded value of the form is not valid UTF-8", source="form body"
        ) from None


def _dataset(params: Params, default: str, named: str) -> tuple[list[str] | None, list[str] | None]:
    defaults, nameds = _values(params, default), _values(params, named)
    if not defaults and not nameds:
        return None, None
    return defaults, nameds


_RESULTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Query results (JSON, XML, CSV, TSV) or a graph (Turtle, N-Triples, JSON-LD, RDF/XML); "
        "without a query, the service description (or the editor for a browser)"
    }
}


_DATASET_PARAMS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"An IRI of a graph for the query's {what} (repeatable)",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    }
    for name, what in (("default-graph-uri", "default graph"), ("named-graph-uri", "named graphs"))
]
_GET_PARAMS = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "description": "A SPARQL 1.1 query (without it: the service description)",
        "schema": {"type": "string"},
    },
    *_DATASET_PARAMS,
]
_POST_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "update": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
        "application/sparql-query": {"schema": {"type": "string"}},
        "application/sparql-update": {"schema": {"type": "string"}},
    },
}


@router.get(
    "/sparql",
    name="sparql",
    summary="SPARQL query (GET), service description, or the editor",
    response_class=Response,
    responses=_RESULTS,
    openapi_extra={"parameters": _GET_PARAMS},
)
async def sparql_get(request: Request) -> Response:
    """`?query=` with optional `default-graph-uri` / `named-graph-uri`. Without a query: the service
    description (Turtle etc.), or the YASGUI editor when a browser asks for HTML."""
    state = state_of(request)
    url_params: Params = list(request.query_params.multi_items())
    if _values(url_params, "update"):
        raise QueryRefused("SPARQL Update is not accepted with GET; POST it as application/sparql-update")
    queries = _values(url_params, "query")
    if not queries:
        return await _describe(request, state)
    return await _query(request, state, _one(queries, "query"), url_params)


@router.post(
    "/sparql",
    summary="SPARQL query or update (POST)",
    response_class=Response,
    responses={**_RESULTS, 204: {"description": "Update done"}},
    openapi_extra={"parameters": _DATASET_PARAMS, "requestBody": _POST_BODY},
)
async def sparql_post(request: Request) -> Response:
    """Form-encoded `query=` or `update=`, or a direct `application/sparql-query` /
    `application/sparql-update` body (UTF-8). Updates need the bearer token when enabled."""
    state = state_of(request)
    url_params: Params = list(request.query_params.multi_items())
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    charset = next(
        (
            p.split("=", 1)[1].strip().strip('"').lower()
            for p in content_type.split(";")[1:]
            if p.strip().lower().startswith("charset=")
        ),
        "utf-8",
    )
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"SPARQL requests must be UTF-8 (got charset={charset})")
    body = await request.body()
    if media == "application/x-www-form-urlencoded":
        params = url_params + _form(body)
        queries, updates = _values(params, "query"), _values(params, "update")
        if len(queries) + len(updates) != 1:
            raise InputError(
                "give exactly one query or one update parameter "
                f"(got {len(queries)} query and {len(updates)} update)"
            )
        if queries:
            return await _query(request, state, queries[0], params)
        return await _update(request, state, updates[0], params)
    if media == "application/sparql-query":
        if _values(url_params, "query"):
            raise InputError("a direct POST carries the query in its body, not also in a query parameter")
        return await _query(request, state, _utf8(body, "query"), url_params)
    if media == "application/sparql-update":
        return await _update(request, state, _utf8(body, "update"), url_params)
    raise UnsupportedMediaType(
        f"POST to /sparql needs Content-Type application/x-www-form-urlencoded, application/sparql-query or "
        f"application/sparql-update (got {media or 'none'})"
    )


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other(request: Request) -> Response:
    raise MethodNotAllowed(
        f"{request.method} is not a SPARQL Protocol operation; use GET or POST", allow="GET, POST"
    )


def _one(values: list[str], name: str) -> str:
    if len(values) > 1:
        raise InputError(f"the {name} parameter is given {len(values)} times; give it once")
    return values[0]


async def _query(request: Request, state: AppState, text: str, params: Params) -> Response:
    if looks_like_update(text):
        raise QueryRefused(
            "this is a SPARQL Update sent to the query operation; POST it as application/sparql-update"
        )
    accept = request.headers.get("accept")
    solution_format, graph_format = (
        choose(accept, SOLUTION_TYPES, "json"),
        choose(accept, GRAPH_TYPES, "turtle"),
    )
    if solution_format is None and graph_format is None:
        raise NotAcceptable(
            f"none of the accepted types ({accept}) is a SPARQL result or RDF format this endpoint serves"
        )
    default, named = _dataset(params, "default-graph-uri", "named-graph-uri")
    answer = await run_in_threadpool(
        state.endpoint.query,
        text,
        default_graphs=default,
        named_graphs=named,
        solution_format=solution_format,
        graph_format=graph_format,
        base=str(request.url_for("sparql")),
    )
    return Response(answer.body, media_type=_with_charset(answer.media_type), headers={"Vary": "Accept"})


async def _update(request: Request, state: AppState, text: str, params: Params) -> Response:
    require_writer(request, state.settings)
    using, using_named = _values(params, "using-graph-uri"), _values(params, "using-named-graph-uri")
    await run_in_threadpool(
        state.endpoint.update, text, using=using, using_named=using_named, base=str(request.url_for("sparql"))
    )
    return Response(status_code=204)


async def _describe(request: Request, state: AppState) -> Response:
    accept = request.headers.get("accept")
    if wants_html(accept):
        return HTMLResponse(editor_page(str(request.url_for("sparql")), state.settings.updates_enabled))
    fmt = choose(accept, GRAPH_TYPES, "turtle")
    if fmt is None:
        raise NotAcceptable("the service description is RDF: accept Turtle, N-Triples, JSON-LD or RDF/XML")
    graphs = await run_in_threadpool(state.endpoint.graphs)
    triples = service_description(
        str(request.url_for("sparql")),
        graphs,
        update=state.settings.updates_enabled,
        service=state.settings.allow_service,
    )
    return Response(serialize_graph(triples, fmt), media_type=_with_charset(GRAPH_MEDIA_TYPES[fmt]))


def _with_charset(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith(_TEXT_TYPES) else media_type
