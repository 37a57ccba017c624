"""Rule validation runs: a batch of transactions (read by graph.batches) in; decisions, a summary and a
standard sh:ValidationReport out.

The rule for bad input: the whole batch is rejected, naming every bad line (or transaction), and nothing
is written. Outputs are written to a temporary file and renamed into place, so they are never half-written.
CSV outputs escape cells that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from graph.audit import AuditLog
from graph.batches import Row, gc_paused
from graph.errors import FieldError, InputError
from graph.screening.decision import BLOCKING, Decision
from graph.screening.report import Report
from graph.screening.screen import Screener
from graph.screening.transaction import Resolved

CHUNK = 5000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
