"""Rule validation runs: a batch of transactions (CSV, JSON Lines or Turtle) in; decisions, a summary and a
standard sh:ValidationReport out.

The rule for bad input: the whole batch is rejected, naming every bad line (or transaction), and nothing
is written. Outputs are written to a temporary file and renamed into place, so they are never half-written.
CSV outputs escape cells that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import pyoxigraph as ox
import rdflib
from pydantic import ValidationError

from graph.audit import AuditLog
from graph.errors import FieldError, InputError, ParseError
from graph.namespaces import ECKG
from graph.parsing import parse_bytes
from graph.screening.decision import BLOCKING, Decision
from graph.screening.report import Report
from graph.screening.request import FIELDS, ScreeningRequest, field_error
from graph.screening.screen import Screener
from graph.screening.transaction import Resolved
from graph.terms import triples_to_rdflib

CHUNK = 5000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Row:
    where: str  # "line 3" or the transaction IRI
    request: ScreeningRequest


@dataclass
class Tally:
    """Counts of a run: transactions, decisions by outcome, and measures behind them."""

    transactions: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    measures: Counter[str] = field(default_factory=Counter)
    violations: bool = False  # a sh:Violation in the report

    def add(self, decisions: Sequence[Decision], report: Report) -> None:
        self.transactions += len(decisions)
        self.decisions.update(d.decision for d in decisions)
        for d in decisions:
            self.measures.update(
                {
                    r["measure"]["identifier"]
                    for r in d.reasons
                    if r.get("measure") and "conditional_on" not in r
                }
            )
        self.violations = self.violations or not report.conforms

    def merge(self, other: Tally) -> None:
        self.transactions += other.transactions
        self.decisions.update(other.decisions)
        self.measures.update(other.measures)
        self.violations = self.violations or other.violations

    @property
    def conforms(self) -> bool:
        """Nothing prohibited and nothing undetermined."""
        return not any(self.decisions.get(o, 0) for o in BLOCKING)

    def as_dict(self) -> dict[str, Any]:
        return {
            "transactions": self.transactions,
            "conforms": self.conforms,
            "decisions": {
                k: self.decisions.get(k, 0)
                for k in ("prohibited", "undetermined", "enhanced_review", "license_required", "clear")
            },
            "measures": dict(sorted(self.measures.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


@dataclass
class RunResult:
    """The decisions and report of a run held in memory (the API's batches)."""

    decisions: list[Decision]
    report: Report | None = None
    rows: list[Row] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(d.decision in BLOCKING for d in self.decisions)

    def summary(self) -> dict[str, Any]:
        tally = Tally()
        tally.add(self.decisions, self.report or Report([]))
        return tally.as_dict()


# ---------------------------------------------------------------- reading


BATCH_FORMATS = ("csv", "json", "jsonl", "turtle")
_EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".ttl": "turtle"}


def read_batch(path: Path, fmt: str | None = None) -> list[Row]:
    """Every transaction of a batch file; InputError lists every bad line and nothing is screened."""
    fmt = fmt or _EXTENSIONS.get(path.suffix.lower())
    if fmt not in BATCH_FORMATS:
        raise InputError(
            f"{path}: give --input-format {', '.join(BATCH_FORMATS)} (cannot tell from {path.suffix!r})"
        )
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: {e.strerror or e}") from None
    return parse_batch(data, fmt, str(path))


def parse_batch(data: bytes, fmt: str, source: str) -> list[Row]:
    if not data.strip():
        raise InputError(f"{source}: the batch is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ParseError(f"not valid UTF-8 (byte {e.start})", source=source) from None
    readers = {"csv": _csv_records, "json": _json_records, "jsonl": _jsonl_records, "turtle": _turtle_records}
    reader = readers[fmt]
    rows, problems = [], []
    with gc_paused():  # 100,000 rows: 2.5 -> 2.0 s, as the collector no longer rescans the growing list
        for where, record in reader(text, source):
            try:
                rows.append(Row(where, ScreeningRequest.model_validate(record)))
            except ValidationError as e:
                problems += [{**p, "row": where} for p in field_error(e).errors]
    if problems:
        raise FieldError(
            f"{source}: {len({p['row'] for p in problems})} transaction(s) are invalid; nothing was screened",
            errors=problems,
        )
    if not rows:
        raise InputError(f"{source}: the batch holds no transactions")
    return rows


def _csv_records(text: str, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each row as its non-empty cells by column, as csv.DictReader reads them (a blank line is no row; a
    short row lacks its last cells), with the line it ends on; a row with more cells than columns is an
    error. csv.reader with the header zipped in costs half of what DictReader does (0.5 s a 100,000-row
    file, before any is screened)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    given = next(reader, [])
    header = [_column(c) for c in given]
    unknown = [g for g, c in zip(given, header, strict=True) if c not in FIELDS]
    if not header or unknown:
        raise FieldError(
            f"{source}: line 1: unknown column(s) {', '.join(map(repr, unknown)) or '(none)'}; "
            f"the columns are {', '.join(FIELDS)}",
            errors=[{"row": "line 1", "message": "bad header"}],
        )
    if twice := sorted({c for c in header if header.count(c) > 1}):
        raise FieldError(
            f"{source}: line 1: column(s) {', '.join(map(repr, twice))} given twice",
            errors=[{"row": "line 1", "message": "bad header"}],
        )
    width = len(header)
    for row in reader:
        if not row:
            continue
        if len(row) > width:
            raise ParseError("more cells than columns", source=source, line=reader.line_num)
        # a short row's last cells are empty: zip stops at its end
        yield f"line {reader.line_num}", {k: v for k, v in zip(header, row, strict=False) if v}


def _column(name: str) -> str:
    """A header cell as a field name: case, surrounding space, and spaces or hyphens for '_' do not matter
    (a spreadsheet's 'End user' is end_user)."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


_DELIMITERS = (",", ";", "\t")


def _delimiter(text: str) -> str:
    """The character that separates the cells: a comma, or a semicolon or tab (as spreadsheets save CSV in
    some locales) where the header line, split by it, names only fields."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    for delimiter in _DELIMITERS:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        if len(cells) > 1 and all(_column(c) in FIELDS for c in cells):
            return delimiter
    return ","


def _json_records(text: str, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(e.msg, source=source, line=e.lineno, column=e.colno) from None
    if not isinstance(items, list):
        raise ParseError("a JSON batch is an array of transactions", source=source)
    for number, record in enumerate(items, start=1):
        if not isinstance(record, dict):
            raise ParseError(f"item {number} of the array is not a JSON object", source=source)
        yield f"item {number}", record


def _jsonl_records(text: str, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    # JSON Lines ends lines with \n (or \r\n) only: str.splitlines() would also split inside strings
    # holding U+0085, U+2028, \x1c ... which JSON allows unescaped.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise ParseError(e.msg, source=source, line=number, column=e.colno) from None
        if not isinstance(record, dict):
            raise ParseError("each line must be a JSON object", source=source, line=number)
        yield f"line {number}", record


_TURTLE_FIELDS = {
    "itemText": "item",
    "item": "item",
    "destinationCountry": "destination",
    "endUserName": "end_user",
    "endUser": "end_user",
    "endUse": "end_use",
    "transactionDate": "date",
    "originCountry": "origin",
    "exporterCountry": "exporter_country",
    "consignee": "consignee",
    "exporter": "exporter",
    "quantity": "quantity",
    "value": "value",
}


def _turtle_records(text: str, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    graph = rdflib.Graph()
    for triple in triples_to_rdflib(parse_bytes(text.encode(), ox.RdfFormat.TURTLE, source)):
        graph.add(triple)
    for tx in sorted(graph.subjects(rdflib.RDF.type, ECKG.ExportTransaction), key=str):
        record: dict[str, Any] = {}
        for prop, name in _TURTLE_FIELDS.items():
            value = graph.value(tx, ECKG[prop])
            if value is not None and (name not in record or prop in ("item", "endUser")):
                record[name] = _turtle_value(name, value)
        yield str(tx), record


def _turtle_value(name: str, value: rdflib.term.Node) -> str:
    """Country IRIs become their code; other terms their IRI or lexical form."""
    text = str(value)
    if name in ("destination", "origin", "exporter_country") and isinstance(value, rdflib.URIRef):
        return text.rsplit("/", 1)[-1]
    return text


# ---------------------------------------------------------------- running


def check_rows(screener: Screener, rows: Sequence[Row]) -> None:
    """What only the graph can check (end uses are terms of its taxonomy), for every row before any is
    screened: FieldError names every bad line and nothing is screened."""
    problems = []
    for row in rows:
        if row.request.end_use is None:
            continue
        try:
            screener.resolver.end_use(row.request.end_use)
        except FieldError as e:
            problems += [{**p, "row": row.where} for p in e.errors]
    if problems:
        raise FieldError(
            f"{len({p['row'] for p in problems})} transaction(s) are invalid; nothing was screened",
            errors=problems,
        )


def run_batch(
    screener: Screener,
    rows: Sequence[Row],
    progress: Callable[[int], None] | None = None,
    audit: AuditLog | None = None,
) -> RunResult:
    """Decisions and the validation report for every row, in memory, screened set-at-a-time in chunks;
    each chunk's decisions are in the audit log (fsync'd) before it counts as done. (Runs to files,
    in parallel and in bounded memory: graph.runs.)"""
    check_rows(screener, rows)
    decisions: list[Decision] = []
    reports: list[Report] = []
    with gc_paused():
        for chunk_decisions, report in screen_chunks(screener, rows, audit):
            reports.append(report)
            decisions += chunk_decisions
            if progress:
                progress(len(chunk_decisions))
    return RunResult(decisions, Report.merge(reports), list(rows))


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch builds its decisions: the collector would scan the
    growing heap again and again (a third of the run time at 100,000 transactions) and find nothing, as
    decisions hold no cycles. Switched back on at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def screen_chunks(
    screener: Screener,
    rows: Sequence[Row],
    audit: AuditLog | None = None,
    chunk: int = CHUNK,
) -> Iterator[tuple[list[Decision], Report]]:
    """Decisions and validation report chunk by chunk; recorded in the audit log before they are yielded."""
    # the next chunk's rules run (mostly in Oxigraph, without the GIL) while this one's decisions are built
    starts = range(0, len(rows), chunk)

    def resolve(start: int) -> list[Resolved]:
        return [screener.resolve(r.request) for r in rows[start : start + chunk]]

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="eckg-batch") as ahead:
        pending = None
        for index, start in enumerate(starts):
            resolved = resolve(start) if pending is None else pending[0]
            found = screener.engine.report(resolved) if pending is None else pending[1].result()
            pending = None
            if index + 1 < len(starts):
                following = resolve(starts[index + 1])
                pending = (following, ahead.submit(screener.engine.report, following))
            findings, report = found
            decided = screener.decide(resolved, findings)
            if audit is not None:
                audit.append(decided, source="batch")
            yield decided, report


# ---------------------------------------------------------------- writing


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path` and rename it into place."""
    with atomic_file(path) as f:
        f.write(data)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file to write that appears at `path` (renamed into place, fsync'd) only if the block succeeds."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        opened = tmp.open("wb")
    except OSError as error:  # nothing is written yet: the path is what is wrong
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with opened as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def safe_cell(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula (OWASP: prefix with a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def decisions_jsonl(decisions: Sequence[Decision], wheres: Sequence[str]) -> bytes:
    """One JSON line per decision, with the row (or item, or transaction) it decides."""
    return b"".join(
        orjson.dumps({"row": where, **d.as_dict()}, option=orjson.OPT_APPEND_NEWLINE)
        for d, where in zip(decisions, wheres, strict=True)
    )


CSV_COLUMNS = (
    "row",
    "id",
    "decision",
    "certainty",
    "as_of",
    "item",
    "item_resolved",
    "end_user",
    "end_user_resolved",
    "end_user_match",
    "destination",
    "measures",
    "messages",
)


def decisions_csv(decisions: Sequence[Decision], wheres: Sequence[str], header: bool = True) -> bytes:
    """One CSV row per decision (cells a spreadsheet would run as a formula are escaped)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(CSV_COLUMNS)
    for d, where in zip(decisions, wheres, strict=True):
        item, user = d.resolved["item"], d.resolved["end_user"]
        measures = sorted({r["measure"]["identifier"] for r in d.reasons if r.get("measure")})
        values = (
            where,
            d.id,
            d.decision,
            d.certainty,
            d.as_of.isoformat(),
            item["input"],
            item["label"] or "",
            user["input"],
            user["label"] or "",
            f"{user['strength']} {user['score']}",
            d.resolved["destination"],
            "; ".join(measures),
            " | ".join(r["message"] for r in d.reasons),
        )
        writer.writerow([safe_cell(v) for v in values])
    return buffer.getvalue().encode()
