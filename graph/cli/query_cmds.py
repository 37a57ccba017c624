"""`eckg queries`, `eckg query` and `eckg sparql`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from graph.catalogue import catalogue, get_query, parse_query_file
from graph.cli.output import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    console,
    one_of,
    print_json,
    print_result,
    within,
)
from graph.errors import InputError
from graph.kg import KnowledgeGraph, load_graph
from graph.query_store import push_decisions, query_store
from graph.sparql_text import refuse_remote
from graph.store import Bindings, EmbeddedStore, QueryResult

ResultFormat = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help=f"One of {', '.join(SOLUTION_FORMATS + GRAPH_FORMATS)} (default table, or turtle for graphs).",
    ),
]
DataOption = Annotated[
    list[Path] | None, typer.Option("--data", help="Extra RDF file to load beside the graph. Repeatable.")
]


def register(app: typer.Typer) -> None:
    app.command("queries")(queries_command)
    app.command("query")(query_command)
    app.command("sparql")(sparql_command)


def _check_format(fmt: str | None) -> None:
    if fmt is not None:
        one_of(fmt, SOLUTION_FORMATS + GRAPH_FORMATS, "--format")


def _params(pairs: list[str] | None) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--param {pair!r}: write it as name=value")
        params[key.strip()] = value
    return params


def queries_command(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """List the named queries of the catalogue with their summaries and parameters."""
    one_of(fmt, ("text", "json"), "--format")
    entries: list[dict[str, Any]] = [
        {
            "name": q.name,
            "summary": q.summary,
            "params": [
                {"name": p.name, "type": p.type, "required": p.required, "description": p.description}
                for p in q.params
            ],
            "returns": list(q.returns),
        }
        for q in catalogue().values()
    ]
    if fmt == "json":
        print_json(entries)
        return
    for entry in entries:
        console.print(f"[bold]{entry['name']}[/]  {entry['summary']}", highlight=False)
        for p in entry["params"]:
            flag = "" if p["required"] else " (optional)"
            console.print(f"    --param {p['name']}=<{p['type']}>{flag}  {p['description']}", highlight=False)


def query_command(
    name: Annotated[
        str | None, typer.Argument(help="Name of a catalogue query (see `eckg queries`).")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="A parameter as name=value. Repeatable.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Run the query in this .rq file instead.")
    ] = None,
    fmt: ResultFormat = None,
    data: DataOption = None,
) -> None:
    """Run a named query (or a query file) with parameters bound as typed RDF terms."""
    _check_format(fmt)
    if (name is None) == (file is None):
        raise InputError("give either a query NAME or --file Q.rq")
    named = parse_query_file(file) if file is not None else get_query(name or "")
    kg = load_graph(data=data or ())
    bindings = named.bind(_params(param))
    print_result(_run(kg, named.text, bindings), fmt)


def sparql_command(
    query: Annotated[str, typer.Argument(help="A SPARQL 1.1 query; eckg's prefixes are predeclared.")],
    fmt: ResultFormat = None,
    data: DataOption = None,
) -> None:
    """Run an ad-hoc SPARQL query over the graph."""
    _check_format(fmt)
    kg = load_graph(data=data or ())
    refuse_remote(query, allow_service=kg.settings.allow_service, allow_load=kg.settings.allow_load)
    print_result(_run(kg, query), fmt)


def _run(kg: KnowledgeGraph, text: str, bindings: Bindings | None = None) -> QueryResult:
    """The query over the graph and every recorded decision, within the time limit: in the kept query
    store (graph.query_store) for an embedded graph; a remote store is sent the decisions new since the last run."""
    limit, rows = kg.settings.query_timeout, kg.settings.max_result_rows
    if not isinstance(kg.store, EmbeddedStore):
        push_decisions(kg)
        return within(limit, lambda: kg.query(text, bindings, max_rows=rows))
    with query_store(kg) as store:
        return within(limit, lambda: store.query(text, bindings, max_rows=rows))
