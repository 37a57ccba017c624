"""`eckg serve`: the API, the web page and the SPARQL endpoint on one port."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from graph.errors import InputError


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def serve_command(
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind (127.0.0.1 keeps it local).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
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
) -> None:
    """Serve the screening API, the web page and the SPARQL 1.1 endpoint (http://HOST:PORT/sparql)."""
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
    # The app is named, not imported: the library (graph/) never imports the API (api/).
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level=log_level)
