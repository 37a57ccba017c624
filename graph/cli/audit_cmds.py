"""`eckg audit` (read the audit log) and `eckg audit verify ID` (re-derive a decision)."""

from __future__ import annotations

import csv
import json
import sys
import textwrap
from collections.abc import Iterable
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text

from graph.audit import SHORT_ID, AuditLog, moment
from graph.cli.output import console, one_of, print_json
from graph.errors import FieldError
from graph.screening.decision import OUTCOMES
from graph.settings import get_settings
from graph.validation import safe_cell
from graph.verify import verify

audit_app = typer.Typer(
    help="The audit log: every screening decision (CLI, API, batch), fsync'd as it is made.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.callback(invoke_without_command=True)
def audit_command(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only decisions made at or after this day or time (ISO 8601; UTC unless an offset is given).",
        ),
    ] = None,
    decision: Annotated[
        str | None, typer.Option("--decision", help=f"Only this outcome: {', '.join(OUTCOMES)}.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Only the last N matching decisions.", min=1)
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json (full records) or csv.")] = "text",
) -> None:
    """List recorded decisions (newest last)."""
    if ctx.invoked_subcommand is not None:
        return
    if decision is not None and decision not in OUTCOMES:
        raise FieldError(
            f"--decision {decision!r}: use one of {', '.join(OUTCOMES)}",
            errors=[{"field": "decision", "message": "unknown outcome"}],
        )
    one_of(fmt, ("text", "json", "csv"), "--format")
    records = AuditLog(get_settings().audit_log).select(since=since, decision=decision, limit=limit)
    if fmt == "json":
        _print_json_array(records)
    elif fmt == "csv":
        _print_csv(records)
    else:
        count = 0
        for record in records:
            console.print(_entry(record), highlight=False)
            count += 1
        console.print(
            f"[dim]{count} decision(s) in {escape(str(get_settings().audit_log))}; ids shortened "
            f"(`eckg audit verify` takes them so); --format json or csv for whole records[/]"
        )


def _print_json_array(records: Iterable[dict[str, Any]]) -> None:
    """The records as one JSON array (as print_json writes it), written as they are read: a log may
    hold millions."""
    out, first = sys.stdout, True
    for record in records:
        out.write("[\n" if first else ",\n")
        out.write(textwrap.indent(json.dumps(record, ensure_ascii=False, indent=2, default=str), "  "))
        first = False
    out.write("[]\n" if first else "\n]\n")


_CSV_COLUMNS = (
    "decided_at",
    "id",
    "decision",
    "certainty",
    "as_of",
    "item",
    "end_user",
    "destination",
    "source",
    "graph",
)


def _print_csv(records: Iterable[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\r\n")  # row by row, as the records are read
    writer.writerow(_CSV_COLUMNS)
    for r in records:
        row = (
            r["decided_at"],
            r["id"],
            r["decision"],
            r["certainty"],
            r["as_of"],
            r["input"]["item"],
            r["input"]["end_user"],
            r["resolved"]["destination"],
            r.get("source", ""),
            r["graph_hash"][:12],
        )
        writer.writerow([safe_cell(c) for c in row])


def _entry(record: dict[str, Any]) -> Text:
    """Two lines a decision, readable in 80 columns: when, short id, outcome, from where; then what (the
    graph version, and everything else, in --format json or csv)."""
    entry = Text(moment(record["decided_at"]).strftime("%Y-%m-%d %H:%M:%SZ  "))
    entry.append(record["id"][:SHORT_ID], style="bold")
    entry.append("  ")
    entry.append(record["decision"], style=_STYLES.get(record["decision"], ""))
    entry.append(f" · {record['certainty']}  {record.get('source', '')}")
    given = record["input"]
    entry.append(
        f"\n    {given['item']} → {record['resolved']['destination']}, end user {given['end_user']}, "
        f"as of {record['as_of']}"
    )
    return entry


_STYLES = {"prohibited": "red", "undetermined": "yellow", "enhanced_review": "yellow", "clear": "green"}


@audit_app.command("verify")
def verify_command(
    decision_id: Annotated[
        str,
        typer.Argument(help=f"The id of a recorded decision, or its first {SHORT_ID} characters or more."),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Re-derive a recorded decision on the graph version it recorded (kept by content hash) and confirm the
    same outcome. Exit 0 when it is the same, 1 when it differs."""
    settings = get_settings()
    result = verify(settings, AuditLog(settings.audit_log).find(decision_id))
    if fmt == "json":
        print_json(result.as_dict())
    else:
        verdict = "[green]verified[/]: same decision" if result.same else "[red]differs[/]"
        console.print(f"{verdict} on graph {result.graph_hash[:16]} (from the {result.graph_source})")
        console.print(
            f"  recorded: {result.recorded['decision']} ({result.recorded['certainty']})", highlight=False
        )
        for difference in result.differences:
            console.print(f"  {difference}", highlight=False)
    raise typer.Exit(0 if result.same else 1)
