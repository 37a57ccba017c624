"""/health: is the service up, which graph version does it serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from api.state import state_of

router = APIRouter(tags=["System"])
INDEX = Path(__file__).resolve().parent.parent / "static" / "index.html"


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    """The web page: screening form, decision and explanation, measure timeline, party view."""
    return FileResponse(INDEX, media_type="text/html")


@router.get("/health", summary="Service health and graph version")
def health(request: Request) -> dict[str, Any]:
    """Up, with the content hash of the graph that stamps decisions and the triples it holds."""
    state = state_of(request)
    return {
        "status": "ok",
        "graph_hash": state.kg.content_hash,
        "built_at": state.kg.manifest.built_at,
        "triples": state.kg.manifest.triples,
        "extra_data": [e.path for e in state.kg.extra],
        "update_enabled": state.settings.updates_enabled,
    }
