"""Screening a large batch in this process and in worker processes, one process per core.

Resolving names, building decisions and explanations is Python work that one interpreter does on one core.
A run in N processes screens in this one and in N - 1 workers. The workers each load the built graph from
the cache (about a second: importing, opening the store, making the screener), screen whole chunks —
recording each chunk in the audit log (fsync'd) before returning it — and send back the chunk's lines of
the output files as bytes. This process hands out the chunks, screens one itself whenever the workers have
enough waiting, and writes every chunk's lines in order. So it screens from the start, while the workers
start, and no core is left to a process that only hands out chunks. `eckg validate` starts the workers
before it parses the batch (started_workers: as many as the file's lines could need), so that they load
the graph while this process reads the rows. On the AMD machine of
docs/benchmarks.md, `eckg validate` took 11.2-17.0 s over 100,000 transactions against 12.8-18.0 s with two
workers and this process handing out only (four alternating pairs), and 4.8-6.3 s over 20,000 against
6.7-7.8 s (one process: 6.0-7.5 s).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from graph.audit import AuditLog
from graph.batches import Row, gc_paused
from graph.errors import BuildError
from graph.kg import load_graph
from graph.runs import ChunkOutput, screen_part
from graph.screening.request import ScreeningRequest
from graph.screening.screen import Screener
from graph.settings import Settings

# one process per core, for batches big enough to repay starting the workers (about a second each)
MIN_ROWS_PER_WORKER = 10_000
AHEAD = 2  # chunks handed to each worker and not yet done before this process screens one itself
HELD = 4  # chunks per process that may be done and wait, in memory, for an earlier one to be written

T = TypeVar("T")
P = TypeVar("P")
Task = tuple[list[dict[str, Any]], list[str], str | None]

_screener: Any = None
_audit: AuditLog | None = None
_graph_hash = ""


def worker_count(rows: int, requested: int = 0) -> int:
    """Processes for a batch: `requested` if set (1: this process alone), else one per core as long as
    each gets MIN_ROWS_PER_WORKER transactions."""
    if requested > 0:
        return requested
    return max(1, min(os.cpu_count() or 1, rows // MIN_ROWS_PER_WORKER))


@contextmanager
def started_workers(screener: Screener, audit: AuditLog | None, processes: int) -> Iterator[Executor | None]:
    """A pool of `processes` - 1 workers that load the graph, engine and audit log of `screener` and
    `audit`, started now, so that they get ready while this process goes on (parsing the batch: `eckg
    validate` over 100,000 rows, a median of 8.3 against 8.5 s over 13 alternating pairs); None for one
    process. Workers not yet ready when the block fails are not waited for."""
    if processes <= 1:
        yield None
        return
    kg = screener.kg
    initargs = (
        kg.settings,
        screener.engine.name,
        [e.path for e in kg.extra],
        str(audit.path) if audit else None,
        kg.content_hash,
    )
    context = mp.get_context("spawn")  # never fork a process that runs threads
    pool = ProcessPoolExecutor(
        max_workers=processes - 1, mp_context=context, initializer=_start, initargs=initargs
    )
    try:
        for _ in range(processes - 1):
            pool.submit(int)  # a task makes a worker start
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def outputs_in_workers(
    screener: Screener,
    parts: Iterable[Sequence[Row]],
    decisions_format: str | None,
    processes: int,
    audit: AuditLog | None,
    pool: Executor | None = None,
) -> Iterator[ChunkOutput]:
    """Each part's outputs (graph.runs.chunk_output), in order, screened by this process's `screener` and
    by `processes` - 1 workers that load the same graph (its build and extra data) and the same engine:
    those of `pool` (started_workers, for the same screener and audit log), or started now."""
    with started_workers(screener, audit, processes) if pool is None else nullcontext(pool) as workers:
        assert workers is not None
        outputs = in_order(
            parts,
            lambda part: workers.submit(_screen, _task(part, decisions_format)),
            lambda part: screen_part(
                screener, [r.request for r in part], [r.where for r in part], decisions_format, audit
            ),
            ahead=AHEAD * (processes - 1),
            held=HELD * processes,
        )
        yield from cancelling(workers, outputs)


def cancelling(pool: Executor, outputs: Iterator[T]) -> Iterator[T]:
    """The outputs; if one fails, or they are no longer wanted (the run failed writing), the chunks handed
    to the pool and not yet begun are cancelled: a failed run stops at once rather than screening (and
    recording in the audit log) the chunks handed out ahead. Those begun are finished."""
    try:
        yield from outputs
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise


def in_order(
    parts: Iterable[P],
    submit: Callable[[P], Future[T]],
    here: Callable[[P], T],
    *,
    ahead: int,
    held: int,
) -> Iterator[T]:
    """The outputs of the parts, in their order. A part is submitted (to the workers) while fewer than
    `ahead` of those submitted are unfinished, else made `here`, at once; when more than `held` outputs
    wait for an earlier one, this waits for the earliest. An error in a part is raised when its turn comes
    (one made here, at once)."""
    waiting: deque[Future[T]] = deque()
    for part in parts:
        if sum(not f.done() for f in waiting) < ahead:
            waiting.append(submit(part))
        else:
            done: Future[T] = Future()
            done.set_result(here(part))
            waiting.append(done)
        while waiting and (waiting[0].done() or len(waiting) > held):
            yield waiting.popleft().result()
    while waiting:
        yield waiting.popleft().result()


def _task(part: Sequence[Row], decisions_format: str | None) -> Task:
    """A part as a worker takes it: the requests as dicts (made as the part is handed out)."""
    requests = [r.request.model_dump(mode="json", exclude_none=True) for r in part]
    return requests, [r.where for r in part], decisions_format


def _start(
    settings: Settings, engine: str | None, data: list[str], audit_path: str | None, graph_hash: str
) -> None:
    global _screener, _audit, _graph_hash
    _screener = Screener(load_graph(settings, data=[Path(p) for p in data]), engine)
    _audit = AuditLog(Path(audit_path)) if audit_path else None
    _graph_hash = graph_hash


def _screen(task: Task) -> ChunkOutput:
    requests, wheres, decisions_format = task
    if _screener.kg.content_hash != _graph_hash:
        raise BuildError("a worker loaded another graph version than the run; rebuild and retry")
    with gc_paused():
        validated = [ScreeningRequest.model_validate(r) for r in requests]
        return screen_part(_screener, validated, wheres, decisions_format, _audit)
