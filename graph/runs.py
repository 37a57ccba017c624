"""Rule validation runs from a batch file to output files: the decisions file (CSV or JSON Lines), the
sh:ValidationReport (N-Triples, which is also Turtle) and a summary.

The batch is screened chunk by chunk — in this process, or in this process and worker processes
(graph.workers) — each chunk made into the bytes of its lines of the outputs, which this process appends,
in order, to temporary files it renames into place at the end: outputs are never half-written, and memory
holds a few chunks, not the run. Every chunk is in the audit log (fsync'd) before its lines are written.

In the report, every chunk's results hang off one blank node, `_:report`, whose type and sh:conforms are
written last (N-Triples has no order; a blank node label is one node throughout a document).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from graph.audit import AuditLog
from graph.batches import Row, gc_paused
from graph.screening.decision import Decision
from graph.screening.report import Report
from graph.screening.request import ScreeningRequest
from graph.screening.screen import Screener
from graph.validation import (
    CHUNK,
    Tally,
    atomic_file,
    check_rows,
    decisions_csv,
    decisions_jsonl,
    screen_chunks,
)

REPORT_NODE = ox.BlankNode("report")
DECISION_FORMATS = ("csv", "jsonl")


@dataclass
class ChunkOutput:
    """One chunk's share of the outputs, as bytes (so a worker process sends bytes, not objects)."""

    decisions: bytes
    report: bytes
    tally: Tally


def chunk_output(
    decisions: Sequence[Decision], report: Report, wheres: Sequence[str], decisions_format: str | None
) -> ChunkOutput:
    tally = Tally()
    tally.add(decisions, report)
    lines = b""
    if decisions_format == "csv":
        lines = decisions_csv(decisions, wheres, header=False)
    elif decisions_format == "jsonl":
        lines = decisions_jsonl(decisions, wheres)
    return ChunkOutput(lines, report.result_ntriples(REPORT_NODE), tally)


def screen_part(
    screener: Screener,
    requests: Sequence[ScreeningRequest],
    wheres: Sequence[str],
    decisions_format: str | None,
    audit: AuditLog | None,
) -> ChunkOutput:
    """One chunk screened, recorded in the audit log (fsync'd) and made into its lines of the outputs."""
    resolved = [screener.resolve(r) for r in requests]
    findings, report = screener.engine.report(resolved)
    decided = screener.decide(resolved, findings)
    if audit is not None:
        audit.append(decided, source="batch")
    return chunk_output(decided, report, wheres, decisions_format)


def validate_to_files(
    screener: Screener,
    rows: Sequence[Row],
    *,
    decisions: Path | None = None,
    report: Path | None = None,
    workers: int = 1,
    audit: AuditLog | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
    pool: Executor | None = None,
) -> Tally:
    """Screen every row and write the requested outputs; the tally of the run. A row the graph cannot
    take (an unknown end use) rejects the batch before anything is screened."""
    fmt = _decisions_format(decisions)
    check_rows(screener, rows)
    tally = Tally()
    with ExitStack() as stack:
        decisions_file = stack.enter_context(atomic_file(decisions)) if decisions else None
        report_file = stack.enter_context(atomic_file(report)) if report else None
        if decisions_file is not None and fmt == "csv":
            decisions_file.write(decisions_csv([], [], header=True))
        for part in _outputs(screener, rows, fmt, workers, audit, chunk, pool):
            _write(decisions_file, part.decisions)
            _write(report_file, part.report)
            tally.merge(part.tally)
            if progress:
                progress(part.tally.transactions)
        if report_file is not None:
            report_file.write(_report_head(not tally.violations))
    return tally


def _outputs(
    screener: Screener,
    rows: Sequence[Row],
    fmt: str | None,
    workers: int,
    audit: AuditLog | None,
    chunk: int,
    pool: Executor | None,
) -> Iterator[ChunkOutput]:
    if workers > 1:
        from graph.workers import outputs_in_workers

        parts = (rows[start:end] for start, end in spans(len(rows), chunk, workers))
        with gc_paused():
            yield from outputs_in_workers(screener, parts, fmt, workers, audit, pool)
        return
    with gc_paused():
        done = 0
        for decided, report in screen_chunks(screener, rows, audit, chunk=chunk):
            yield chunk_output(decided, report, [r.where for r in rows[done : done + len(decided)]], fmt)
            done += len(decided)


def spans(total: int, chunk: int, workers: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each chunk of a run in workers: `chunk` rows, then smaller as the run nears its end
    (a quarter of what is left per worker, down to a tenth of `chunk`), so that the workers finish
    together rather than one of them screening a last full chunk while the others wait."""
    start, least = 0, max(1, chunk // 10)
    while start < total:
        size = min(chunk, max(least, (total - start) // (4 * workers)))
        yield start, min(total, start + size)
        start += size


def _decisions_format(path: Path | None) -> str | None:
    if path is None:
        return None
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in DECISION_FORMATS:
        raise ValueError(f"the decisions file must end in .csv or .jsonl, not {path.name!r}")
    return fmt


def _write(file: BinaryIO | None, data: bytes) -> None:
    if file is not None and data:
        file.write(data)


def _report_head(conforms: bool) -> bytes:
    triples = Report([]).head_triples(REPORT_NODE, conforms)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
