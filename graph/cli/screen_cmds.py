"""`eckg screen` (one transaction) and `eckg validate` (a rule validation run over a batch)."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from graph.audit import AuditLog
from graph.batches import Row, batch_bytes, parse_batch, rows_at_most
from graph.cli.output import console, errors, one_of, print_bytes, print_json
from graph.kg import load_graph
from graph.results import serialize_graph
from graph.runs import validate_to_files
from graph.screening import Screener, ScreeningRequest
from graph.screening.record import decision_triples
from graph.screening.render import render
from graph.validation import Tally
from graph.workers import started_workers, worker_count

Engine = Annotated[
    str | None, typer.Option("--engine", help="fast (the shapes' SPARQL on Oxigraph) or reference (pySHACL).")
]
Data = Annotated[
    list[Path] | None, typer.Option("--data", help="Extra RDF file to load beside the graph. Repeatable.")
]


def register(app: typer.Typer) -> None:
    app.command("screen")(screen_command)
    app.command("validate")(validate_command)


def _check_engine(engine: str | None) -> None:
    if engine is not None:
        one_of(engine, ("fast", "reference"), "--engine")


def screen_command(
    item: Annotated[
        str, typer.Option("--item", help="Control-list code (1C902.b), item IRI, or name in en/ja/zh.")
    ],
    destination: Annotated[
        str, typer.Option("--destination", help="Destination country, ISO 3166-1 alpha-2 (JP).")
    ],
    end_user: Annotated[str, typer.Option("--end-user", help="End user: party IRI or name in any script.")],
    end_use: Annotated[
        str | None,
        typer.Option("--end-use", help="End use id or label (civilian, automotive, military, wmd...)."),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Day to judge on, YYYY-MM-DD (default today).")
    ] = None,
    origin: Annotated[str, typer.Option("--origin", help="Country the item originates in.")] = "CN",
    exporter_country: Annotated[
        str, typer.Option("--exporter-country", help="Country the export leaves from.")
    ] = "CN",
    consignee: Annotated[
        str | None, typer.Option("--consignee", help="Importer or consignee (name or IRI).")
    ] = None,
    exporter: Annotated[
        str | None, typer.Option("--exporter", help="Exporter (name or IRI); informational.")
    ] = None,
    quantity: Annotated[str | None, typer.Option("--quantity", help="Quantity; informational.")] = None,
    value: Annotated[str | None, typer.Option("--value", help="Declared value; informational.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text, json, or turtle (the decision as RDF).")
    ] = "text",
    engine: Engine = None,
    data: Data = None,
) -> None:
    """Screen one transaction: may it go, and if not, why (measure, articles, sources, since when).

    Exit 0: it may go (clear, licence required or enhanced review); 1: prohibited, or the graph cannot
    decide (undetermined); 2: input error."""
    one_of(fmt, ("text", "json", "turtle"), "--format")
    _check_engine(engine)
    fields = {
        "item": item,
        "destination": destination,
        "end_user": end_user,
        "end_use": end_use,
        "date": date,
        "origin": origin,
        "exporter_country": exporter_country,
        "consignee": consignee,
        "exporter": exporter,
        "quantity": quantity,
        "value": value,
    }
    request = ScreeningRequest.parse({k: v for k, v in fields.items() if v is not None})
    kg = load_graph(data=data or ())
    decision = Screener(kg, engine).screen(request)
    AuditLog(kg.settings.audit_log).append([decision], source="cli")
    if fmt == "json":
        print_json(decision.as_dict())
    elif fmt == "turtle":
        print_bytes(serialize_graph(decision_triples(decision), "turtle"))
    else:
        console.print(render(decision))
    raise typer.Exit(0 if decision.may_ship else 1)


def validate_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="Transactions: CSV (columns = the screen fields), a JSON array, JSON Lines, or Turtle."
        ),
    ],
    input_format: Annotated[
        str | None,
        typer.Option(
            "--input-format", help="csv, json (an array), jsonl or turtle (default: from the extension)."
        ),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the sh:ValidationReport here (Turtle).")
    ] = None,
    decisions: Annotated[
        Path | None,
        typer.Option("--decisions", help="Write per-transaction decisions here (.jsonl or .csv)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Summary as text or json.")] = "text",
    engine: Engine = None,
    data: Data = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=0,
            help="Processes screening the batch (0: one per core for large batches; setting ECKG_BATCH_WORKERS).",
        ),
    ] = 0,
) -> None:
    """Run the rules over a batch of transactions: summary, validation report and decisions.

    A malformed row rejects the whole batch (every bad line is named) and nothing is written.
    Exit 0: conforms (nothing prohibited or undetermined); 1: violations; 2: bad input."""
    _check_engine(engine)
    one_of(fmt, ("text", "json"), "--format")
    if decisions is not None and decisions.suffix.lower() not in (".jsonl", ".csv"):
        raise typer.BadParameter("the decisions file must end in .jsonl or .csv", param_hint="--decisions")
    _check_outputs(file, {"--report": report, "--decisions": decisions})
    source, batch_format = batch_bytes(file, input_format)
    kg = load_graph(data=data or ())
    screener, audit = Screener(kg, engine), AuditLog(kg.settings.audit_log)
    requested = workers or kg.settings.batch_workers
    # workers start while the batch is parsed, as many as its lines could need (graph.workers)
    with started_workers(
        screener, audit, worker_count(rows_at_most(source, batch_format) or 0, requested)
    ) as pool:
        rows = parse_batch(source, batch_format, str(file))
        tally = _validate(screener, rows, report, decisions, worker_count(len(rows), requested), audit, pool)
    summary = tally.as_dict()
    if fmt == "json":
        print_json(summary)
    else:
        console.print(
            f"{summary['transactions']} transactions · conforms: {summary['conforms']}", highlight=False
        )
        for outcome, count in summary["decisions"].items():
            console.print(f"  {outcome:<17} {count}", highlight=False)
        for identifier, count in summary["measures"].items():
            console.print(f"  {count:>6}  {identifier}", highlight=False)
    raise typer.Exit(0 if tally.conforms else 1)


def _validate(
    screener: Screener,
    rows: list[Row],
    report: Path | None,
    decisions: Path | None,
    workers: int,
    audit: AuditLog,
    pool: Executor | None,
) -> Tally:
    """The run over the rows, with a progress bar on stderr for a large batch."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
        disable=len(rows) < 1000,
    ) as progress:
        task = progress.add_task("screening", total=len(rows))
        return validate_to_files(
            screener,
            rows,
            decisions=decisions,
            report=report,
            workers=workers,
            audit=audit,
            progress=lambda n: progress.advance(task, n),
            pool=pool,
        )


def _check_outputs(batch: Path, outputs: dict[str, Path | None]) -> None:
    """Outputs that can be written, each to a file of its own, none of them the batch: BadParameter naming
    the option before anything is read or screened."""
    seen: dict[Path, str] = {batch.resolve(): "the batch"}
    for option, path in outputs.items():
        if path is None:
            continue
        where = path.resolve()
        if where in seen:
            raise typer.BadParameter(f"{path} is {seen[where]} too", param_hint=option)
        if where.is_dir() or not where.parent.is_dir():
            what = "a directory" if where.is_dir() else f"in {path.parent}, which is not a directory"
            raise typer.BadParameter(f"{path} is {what}", param_hint=option)
        seen[where] = f"the file of {option}"
