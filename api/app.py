"""The FastAPI application: `create_app(settings)` builds it; `eckg serve` runs it with uvicorn.

Handlers are thin: parse the request, call one library function, shape the response. Errors are RFC 9457
problem documents from the one exception tree in graph.errors (see api/problems.py).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import openapi, problems
from api.limits import BodyLimit
from api.routers import decisions, lookups, queries, screen, sparql, system
from api.state import AppState
from graph.endpoint_remote import endpoint_for
from graph.kg import KnowledgeGraph, load_graph
from graph.settings import Settings, get_settings

STATIC = Path(__file__).parent / "static"
DESCRIPTION = """Screen exports against the PRC's dual-use export-control measures concerning Japan (and the US
precedents), and ask why: which measure, which article, which source, since when. Also a standard SPARQL
1.1 endpoint over the knowledge graph."""


def create_app(settings: Settings | None = None, *, kg: KnowledgeGraph | None = None) -> FastAPI:
    """The app for these settings (default: read from ECKG_* once); the graph is loaded, and built if
    needed, with any ECKG_DATA_FILES, when the app starts."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        graph = kg or load_graph(settings, data=settings.data_files)
        endpoint = endpoint_for(graph)
        endpoint.start()
        app.state.eckg = state = AppState(settings=settings, kg=graph, endpoint=endpoint)
        state.coalescer  # noqa: B018 — ready before the first request: the screener, its name index
        state.screener.resolver.prepare()  # and, for a long party list, its postings (~2 s at 200,000)
        # What is loaded now lives as long as the app: out of the collector's scans, a full collection under
        # load takes ~1 ms instead of ~50 ms (the p99 of POST /screen, `make bench`).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            state.close()
            gc.unfreeze()  # an app stopped in a process that goes on (tests) leaves its objects collectable

    app = FastAPI(title="eckg", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    problems.register(app)
    openapi.install(app)
    for module in (screen, decisions, lookups, queries, sparql, system):
        app.include_router(module.router, responses=problems.RESPONSES)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # innermost, so that the body limit and CORS below apply to POST /screen as to every route
    app.add_middleware(screen.ScreenEndpoint)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Accept", "Authorization"],
        )
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    return app
