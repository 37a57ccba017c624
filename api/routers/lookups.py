"""Lookups: parties, items, measures, sources and end uses — each with names, relations, timelines and
provenance. Thin handlers over graph.lookups."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.state import state_of
from graph import lookups
from graph.countries import country_codes
from graph.screening.request import Day
from graph.vocabulary import measure_kind_names

router = APIRouter(tags=["Lookups"])
Q = Annotated[
    str, Query(min_length=1, max_length=200, description="A name in any script, a code, or part of one.")
]
Limit = Annotated[int, Query(ge=1, le=100)]
Destination = Annotated[
    str | None,
    Query(
        min_length=2,
        max_length=2,
        description="ISO 3166-1 alpha-2 (lower case accepted too).",
        json_schema_extra={"enum": sorted(country_codes())},
    ),
]


@router.get("/parties", summary="Search parties by name in any script")
def search_parties(request: Request, q: Q, limit: Limit = 10) -> list[dict[str, Any]]:
    """Parties matching the name (normalised: case, width, legal forms), with their score, country,
    whether they are military end users, and the lists they are on."""
    state = state_of(request)
    return lookups.search_parties(state.kg, state.screener.resolver, q, limit)


@router.get("/parties/{party_id}", summary="A party, its names, relations and list status over time")
def get_party(request: Request, party_id: str) -> dict[str, Any]:
    state = state_of(request)
    return lookups.party_detail(state.kg, state.explainer, party_id)


@router.get("/items", summary="Search items by code, element or name")
def search_items(request: Request, q: Q, limit: Limit = 20) -> list[dict[str, Any]]:
    state = state_of(request)
    return lookups.search_items(state.kg, state.screener.resolver, q, limit)


@router.get("/items/{code}", summary="An item and the measures that control it")
def get_item(
    request: Request,
    code: str,
    date: Annotated[Day | None, Query(description="Day for 'in force' (default today).")] = None,
) -> dict[str, Any]:
    """The item with its names, entry, sub-items, materials, reference HS codes, and every measure that
    designates it with its in-force periods and whether it is in force on the day."""
    state = state_of(request)
    return lookups.item_detail(state.kg, state.explainer, code, (date or _today()).isoformat())


@router.get("/measures", summary="Measures, or those in force on a date")
def list_measures(
    request: Request,
    destination: Destination = None,
    date: Annotated[Day | None, Query(description="Only measures in force that day.")] = None,
    kind: Annotated[
        str | None,
        Query(
            description="A kind of measure (its subkinds included), as measures are listed with it "
            "(control-list designation) or by its name in the ontology (eckg:ControlListDesignation).",
            json_schema_extra={"enum": list(measure_kind_names())},
        ),
    ] = None,
) -> list[dict[str, Any]]:
    state = state_of(request)
    return lookups.list_measures(
        state.kg, destination.upper() if destination else None, date.isoformat() if date else None, kind
    )


@router.get("/measures/{measure_id}", summary="A measure with its timeline, articles, listings and sources")
def get_measure(request: Request, measure_id: str) -> dict[str, Any]:
    state = state_of(request)
    return lookups.measure_detail(state.kg, state.explainer, measure_id)


@router.get("/timeline", summary="The measures of a destination over time (for the timeline picture)")
def get_timeline(
    request: Request,
    destination: Destination = None,
) -> dict[str, Any]:
    """Each measure (for the destination, and those for every destination) with its in-force periods and
    status, and its dated events: issued, effective, suspended, suspension ends, ends."""
    state = state_of(request)
    return lookups.timeline(state.kg, state.explainer, destination.upper() if destination else None)


@router.get("/sources/{source_id}", summary="A source and the facts taken from it")
def get_source(request: Request, source_id: str) -> dict[str, Any]:
    return lookups.source_detail(state_of(request).kg, source_id)


@router.get("/end-uses", summary="The end-use taxonomy screening accepts")
def get_end_uses(request: Request) -> list[dict[str, Any]]:
    return lookups.end_uses(state_of(request).kg)


def _today() -> date:
    return date.today()
