"""`eckg build` and `eckg info`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from graph import build as builder
from graph.cli.output import console, one_of, print_json
from graph.errors import InputError
from graph.info import graph_info
from graph.kg import load_graph, load_into, remote_store
from graph.settings import get_settings

DataOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--data", help="Extra RDF file to load beside the graph (Turtle, N-Triples, TriG...). Repeatable."
    ),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="Output format: text or json.")]


def register(app: typer.Typer) -> None:
    app.command("build")(build_command)
    app.command("info")(info_command)
    app.command("load")(load_command)


def build_command(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Build again even if the cache has this version.")
    ] = False,
) -> None:
    """Build the knowledge graph (parse, OWL RL closure, persist) or reuse the cached build."""
    settings = get_settings()
    inputs = builder.collect_inputs(settings.reasoner)
    cached = builder.is_built(settings.cache_dir, inputs.content_hash) and not rebuild
    started = time.perf_counter()
    directory = builder.build(inputs, settings.cache_dir, force=rebuild)
    manifest = builder.Manifest.read(directory / "manifest.json")
    verb = "reused" if cached else "built"
    console.print(
        f"{verb} graph [bold]{manifest.content_hash[:16]}[/] in {time.perf_counter() - started:.2f}s"
    )
    console.print(f"  store: {directory / 'store'}", highlight=False)
    console.print(f"  triples: {manifest.triples}", highlight=False)


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="A SPARQL 1.1 server's query endpoint to keep the graph in (setting ECKG_STORE_URL; its update and "
        "Graph Store endpoints: ECKG_STORE_UPDATE_URL, ECKG_STORE_GRAPH_URL).",
    ),
]


def load_command(store: StoreOption = None, data: DataOption = None) -> None:
    """Load the graph (ontology, shapes, facts, OWL RL closure, in-force periods) and any --data files into
    a SPARQL server, replacing what an earlier load put there; screening and queries then run against it
    (eckg --store URL ..., eckg serve --store URL)."""
    settings = get_settings()
    url = store or settings.store_url
    if not url:
        raise InputError("give the server's query endpoint: eckg load --store URL (or set ECKG_STORE_URL)")
    for path in data or []:
        if not path.is_file():
            raise InputError(f"--data {path}: no such file")
    started = time.perf_counter()
    manifest = load_into(settings, remote_store(settings.model_copy(update={"store_url": url})), data or ())
    console.print(
        f"loaded graph [bold]{manifest.content_hash[:16]}[/] into {url} in {time.perf_counter() - started:.2f}s",
        highlight=False,
    )


def info_command(fmt: FormatOption = "text", data: DataOption = None) -> None:
    """Show what the graph holds: triples (asserted, inferred), counts of measures, listings, parties,
    items, countries and sources, and the content hash that stamps decisions."""
    one_of(fmt, ("text", "json"), "--format")
    info = graph_info(load_graph(data=data or ()))
    if fmt == "json":
        print_json(info.as_dict())
        return
    console.print(f"content hash  {info.content_hash}", highlight=False)
    console.print(
        f"built at      {info.built_at} (eckg {info.eckg_version}, reasoner {info.reasoner})", highlight=False
    )
    console.print("triples       " + ", ".join(f"{k} {v}" for k, v in info.triples.items()), highlight=False)
    for kind, count in info.counts.items():
        console.print(f"{kind:<13} {count}", highlight=False)
