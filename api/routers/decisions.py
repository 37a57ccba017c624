"""/decisions/{id} and /decisions/{id}/explanation: stored decisions and why, as JSON or RDF."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.negotiation import choose
from api.schemas import Decision
from api.state import state_of
from graph.audit import decision_of
from graph.errors import NotAcceptable
from graph.explanations import explanation, explanation_triples
from graph.results import GRAPH_MEDIA_TYPES, serialize_graph
from graph.screening.record import decision_triples

router = APIRouter(tags=["Decisions"])
_OFFERS = {
    "application/json": "json",
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/n-triples": "ntriples",
    "application/rdf+xml": "rdfxml",
}
_RDF = {
    "description": "The decision as RDF (PROV-O)",
    "content": {t: {} for t in _OFFERS if t != "application/json"},
}


def _format(request: Request) -> str:
    fmt = choose(request.headers.get("accept"), _OFFERS, "json")
    if fmt is None:
        raise NotAcceptable(
            "accept application/json, text/turtle, application/ld+json, application/n-triples or application/rdf+xml"
        )
    return fmt


@router.get(
    "/decisions/{decision_id}", response_model=Decision, summary="A stored decision", responses={200: _RDF}
)
def get_decision(request: Request, decision_id: str) -> Any:
    """The decision as recorded in the audit log (JSON), or its RDF (Turtle, JSON-LD...) by content negotiation."""
    fmt = _format(request)
    record = state_of(request).audit.get(decision_id)
    if fmt == "json":
        return record
    return Response(
        serialize_graph(decision_triples(decision_of(record)), fmt), media_type=GRAPH_MEDIA_TYPES[fmt]
    )


@router.get(
    "/decisions/{decision_id}/explanation", summary="Why a decision came out as it did", responses={200: _RDF}
)
async def get_explanation(request: Request, decision_id: str) -> Any:
    """The chain behind a stored decision: each reason → its measure (identifier, in-force period) →
    the articles it rests on → the sources, with the status of each. As RDF, the decision with the
    measures', articles' and sources' descriptions."""
    state, fmt = state_of(request), _format(request)
    decision = decision_of(state.audit.get(decision_id))
    if fmt == "json":
        return explanation(decision)
    triples = await run_in_threadpool(explanation_triples, state.kg, decision)
    return Response(serialize_graph(triples, fmt), media_type=GRAPH_MEDIA_TYPES[fmt])
