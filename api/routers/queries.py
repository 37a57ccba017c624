"""/queries: the named-query catalogue over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.negotiation import GRAPH_TYPES, SOLUTION_TYPES, choose
from api.state import state_of
from graph.catalogue import catalogue, get_query
from graph.errors import NotAcceptable
from graph.results import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, serialize_graph, serialize_solutions

router = APIRouter(tags=["Queries"])


@router.get("/queries", summary="The named queries")
def list_queries() -> list[dict[str, Any]]:
    return [
        {
            "name": q.name,
            "summary": q.summary,
            "returns": list(q.returns),
            "params": [
                {"name": p.name, "type": p.type, "required": p.required, "description": p.description}
                for p in q.params
            ],
        }
        for q in catalogue().values()
    ]


@router.get(
    "/queries/{name}",
    summary="Run a named query",
    response_class=Response,
    responses={200: {"description": "SPARQL results (JSON, XML, CSV, TSV) or a graph"}},
)
async def run_query(request: Request, name: str) -> Response:
    """Parameters are the query-string values (e.g. `?date=2026-03-01&destination=JP`), bound as typed RDF terms."""
    state = state_of(request)
    named = get_query(name)
    bindings = named.bind(dict(request.query_params))
    result = await run_in_threadpool(
        state.kg.query, named.text, bindings, max_rows=state.settings.max_result_rows
    )
    accept = request.headers.get("accept")
    if result.kind == "graph":
        fmt = choose(accept, GRAPH_TYPES, "turtle")
        if fmt is None:
            raise NotAcceptable("this query returns a graph")
        return Response(serialize_graph(result.triples, fmt), media_type=GRAPH_MEDIA_TYPES[fmt])
    fmt = choose(accept, SOLUTION_TYPES, "json")
    if fmt is None:
        raise NotAcceptable("this query returns results: accept JSON, XML, CSV or TSV")
    return Response(serialize_solutions(result, fmt), media_type=RESULT_MEDIA_TYPES[fmt])
