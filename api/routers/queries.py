"""/queries: the named-query catalogue over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.negotiation import GRAPH_TYPES, SOLUTION_TYPES, choose
from api.state import state_of
from graph.catalogue import catalogue, get_query
from graph.errors import NotAcceptable
from graph.sparql_text import with_bindings
from graph.store import values_of

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
    """Parameters are the query-string values (e.g. `?date=2026-03-01&destination=JP`), bound as typed RDF
    terms. The query runs at the SPARQL endpoint, so it sees every decision recorded so far."""
    state = state_of(request)
    named = get_query(name)
    text = with_bindings(named.text, values_of(named.bind(dict(request.query_params))))
    accept = request.headers.get("accept")
    solution_format, graph_format = (
        choose(accept, SOLUTION_TYPES, "json"),
        choose(accept, GRAPH_TYPES, "turtle"),
    )
    if solution_format is None and graph_format is None:
        raise NotAcceptable(
            "accept SPARQL results (JSON, XML, CSV, TSV) or RDF (Turtle, N-Triples, JSON-LD, RDF/XML)"
        )
    answer = await run_in_threadpool(
        state.endpoint.query, text, solution_format=solution_format, graph_format=graph_format
    )
    return Response(answer.body, media_type=answer.media_type)
