"""`eckg serve`: the API, the web page and the SPARQL endpoint on one port."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from graph.cli.output import one_of
from graph.errors import InputError
from graph.settings import get_settings, made_data_dir

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")  # uvicorn's


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def serve_command(
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind (127.0.0.1 keeps it local).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port (0: any free one).")] = 8000,
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data", help="Extra RDF file (Turtle, N-Triples, TriG with named graphs). Repeatable."
        ),
    ] = None,
    update_token: Annotated[
        str | None,
        typer.Option(
            "--update-token",
            help="Enable SPARQL Update for requests bearing this token.",
            envvar="ECKG_UPDATE_TOKEN",
            show_envvar=False,
        ),
    ] = None,
    allow_anonymous_update: Annotated[
        bool,
        typer.Option(
            "--allow-anonymous-update", help="Enable SPARQL Update without a token (local test stores only)."
        ),
    ] = False,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Serve the graph loaded (eckg load) into this SPARQL server's query endpoint (ECKG_STORE_URL).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes sharing the port, e.g. one per core (setting ECKG_SERVE_WORKERS, default 1). "
            "Above 1, SPARQL Update must be off unless --store is given.",
        ),
    ] = None,
) -> None:
    """Serve the screening API, the web page and the SPARQL 1.1 endpoint (http://HOST:PORT/sparql)."""
    one_of(log_level, LOG_LEVELS, "--log-level")
    for path in data or []:
        if not path.is_file():
            raise InputError(f"--data {path}: no such file")
    overrides = {
        "ECKG_DATA_FILES": json.dumps([str(p.resolve()) for p in data or []]) if data else None,
        "ECKG_UPDATE_TOKEN": update_token,
        "ECKG_ALLOW_ANONYMOUS_UPDATE": "true" if allow_anonymous_update else None,
        "ECKG_STORE_URL": store,
    }
    os.environ.update({k: v for k, v in overrides.items() if v is not None})
    get_settings.cache_clear()
    settings = get_settings()
    made_data_dir(settings)
    count = workers or settings.serve_workers
    if count > 1 and settings.updates_enabled and not settings.store_url:
        raise InputError(
            f"--workers {count} with SPARQL Update enabled: each worker keeps its own copy of the embedded "
            "endpoint's store, so an update would reach one of them; serve with one worker, or with the "
            "graph in a SPARQL server (--store URL)"
        )
    from graph.serving import serve  # uvicorn is loaded by the one command that serves

    serve(host, port, log_level, count)
