"""Printing for the CLI: rich tables on a terminal, JSON/CSV/TSV for scripts, errors on stderr."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from graph.errors import EckgError
from graph.results import QueryResult, serialize_graph, serialize_solutions

T = TypeVar("T")
console = Console()
errors = Console(stderr=True)

SOLUTION_FORMATS = ("table", "json", "csv", "tsv", "xml")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")


def fail(error: EckgError) -> NoReturn:
    """Print an error (what is wrong, and where) to stderr and exit with its code."""
    errors.print(f"[bold red]error:[/] {error.detail}", markup=True, highlight=False, soft_wrap=True)
    for item in error.errors:
        where = ", ".join(str(v) if k == "row" else f"{k} {v}" for k, v in item.items() if k != "message")
        message = item.get("message", "")
        if message and message not in error.detail:
            errors.print(f"  - {where + ': ' if where else ''}{message}", markup=False, highlight=False)
    sys.exit(error.exit_code)


def one_of(value: str, choices: Sequence[str], option: str) -> str:
    """`value` if it is one of `choices`, else BadParameter naming the option and the choices (exit 2)."""
    if value not in choices:
        listed = choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"
        raise typer.BadParameter(f"use {listed}", param_hint=option)
    return value


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_bytes(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def print_result(result: QueryResult, fmt: str | None) -> None:
    """A query result in the chosen format (table by default; Turtle for graphs)."""
    if result.kind == "graph":
        fmt = fmt if fmt in GRAPH_FORMATS else "turtle"
        print_bytes(serialize_graph(result.triples, fmt))
    elif fmt in (None, "table"):
        console.print(result_table(result))
    else:
        print_bytes(serialize_solutions(result, fmt))


def result_table(result: QueryResult) -> Table:
    if result.kind == "ask":
        table = Table("ask")
        table.add_row("true" if result.boolean else "false")
        return table
    table = Table(*result.variables, show_lines=False)
    for row in result.rows:
        table.add_row(*(row[v].value if v in row else "" for v in result.variables))
    table.caption = f"{len(result.rows)} row(s)"
    return table


def within(seconds: float, work: Callable[[], T]) -> T:
    """Run work in a thread; if it is still running after `seconds`, say so and exit 3 (Oxigraph cannot
    cancel a query, so the process ends instead of hanging)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as error:  # handed back to the caller's thread
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        errors.print(
            f"[bold red]error:[/] the query ran longer than {seconds:g} s and was stopped (setting ECKG_QUERY_TIMEOUT)"
        )
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(3)
    if "error" in box:
        raise box["error"]
    return box["value"]
