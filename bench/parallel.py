"""How much work the machine's cores do side by side: as many processes as it has cores running the same
pure-Python loop, against one running it alone, in the same run. On shared or SMT cores this can be far
below the core count, and it bounds what worker processes (a batch's, the server's) can gain."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from concurrent.futures import ProcessPoolExecutor


def _spin(count: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(count):
        total += i
    return time.perf_counter() - start


def speedups(processes: int | None = None, count: int = 5_000_000, repeat: int = 5) -> list[float]:
    """The work `processes` (default: one per core) do side by side, in units of one process's alone,
    measured `repeat` times: `processes` on a machine whose cores are its own, less where they are shared
    (and then it varies from one try to the next)."""
    n = processes or os.cpu_count() or 1
    out = []
    with ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("spawn")) as pool:
        list(pool.map(_spin, [1000] * n))  # every process started (one per task while none is idle)
        for _ in range(repeat):
            alone = pool.submit(_spin, count).result()
            together = list(pool.map(_spin, [count] * n))
            out.append(speedup(n, alone, together))
    return out


def speedup(processes: int, alone: float, together: list[float]) -> float:
    """The work `processes` did side by side, in units of one's alone: each did the work one did alone in
    `alone` seconds, and the last of them finished after max(`together`)."""
    return round(processes * alone / max(together), 2)
