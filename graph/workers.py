"""Screening a large batch in worker processes, one per core.

Resolving names, building decisions and explanations is Python work that one interpreter does on one core;
the worker processes each load the built graph from the cache (a fraction of a second), screen whole chunks
— recording each chunk in the audit log (fsync'd) before returning it — and send back the chunk's lines of
the output files as bytes, in order. The parent only splits the batch and writes.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.audit import AuditLog
from graph.errors import BuildError
from graph.kg import KnowledgeGraph
from graph.settings import Settings

if TYPE_CHECKING:
    from graph.runs import ChunkOutput

# one worker per core, for batches big enough to repay starting them (about half a second each)
MIN_ROWS_PER_WORKER = 10_000

_screener: Any = None
_audit: AuditLog | None = None
_graph_hash = ""


def worker_count(rows: int, requested: int = 0) -> int:
    """Workers for a batch: `requested` if set (1: screen in this process), else one per core as long as
    each gets MIN_ROWS_PER_WORKER transactions."""
    if requested > 0:
        return requested
    return max(1, min(os.cpu_count() or 1, rows // MIN_ROWS_PER_WORKER))


def _start(
    settings: Settings, engine: str | None, data: list[str], audit_path: str | None, graph_hash: str
) -> None:
    global _screener, _audit, _graph_hash
    from graph.kg import load_graph
    from graph.screening.screen import Screener

    _screener = Screener(load_graph(settings, data=[Path(p) for p in data]), engine)
    _audit = AuditLog(Path(audit_path)) if audit_path else None
    _graph_hash = graph_hash


def _screen(task: tuple[list[dict[str, Any]], list[str], str | None]) -> ChunkOutput:
    from graph.runs import chunk_output
    from graph.screening.request import ScreeningRequest
    from graph.validation import gc_paused

    requests, wheres, decisions_format = task
    with gc_paused():
        resolved = [_screener.resolve(ScreeningRequest.model_validate(r)) for r in requests]
        findings, report = _screener.engine.report(resolved)
        decided = _screener.decide(resolved, findings)
        if decided and decided[0].graph_hash != _graph_hash:
            raise BuildError("a worker loaded another graph version than the run; rebuild and retry")
        if _audit is not None:
            _audit.append(decided, source="batch")
        return chunk_output(decided, report, wheres, decisions_format)


def outputs_in_workers(
    kg: KnowledgeGraph,
    engine: str,
    tasks: Iterable[tuple[list[dict[str, Any]], list[str], str | None]],
    workers: int,
    audit: AuditLog | None,
) -> Iterator[ChunkOutput]:
    """Each chunk's outputs (graph.runs.chunk_output), in order, made by `workers` processes that load the
    same graph as `kg` (its build and extra data) and the same engine. A task is a chunk's requests (as
    dicts), the rows they came from, and the decisions file's format."""
    context = mp.get_context("spawn")  # never fork a process that runs threads
    initargs = (
        kg.settings,
        engine,
        [e.path for e in kg.extra],
        str(audit.path) if audit else None,
        kg.content_hash,
    )
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start, initargs=initargs
    ) as pool:
        yield from pool.map(_screen, tasks)
