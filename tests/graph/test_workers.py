"""Handing out a batch's chunks (graph.workers.in_order): to the workers while they have fewer than `ahead`
unfinished, else screened here at once; outputs in order, and at most `held` waiting in memory."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from graph.workers import cancelling, in_order, worker_count


class Later(Future[str]):
    """A worker's chunk: unfinished until it is waited for (or finished by the test)."""

    def __init__(self, value: str) -> None:
        super().__init__()
        self.value = value

    def finish(self) -> None:
        if not self.done():
            self.set_result(self.value)

    def result(self, timeout: float | None = None) -> str:
        self.finish()
        return super().result(timeout)


def _run(  # type: ignore[no-untyped-def]
    parts: list[int], *, ahead: int, held: int, finished_while_here: dict[int, int] | None = None
):
    """Outputs, parts submitted, parts screened here, and the most outputs made and not yet taken.
    `finished_while_here`: a worker's part that finishes while a given part is screened here."""
    submitted: dict[int, Later] = {}
    here: list[int] = []
    out: list[str] = []
    most_waiting = 0

    def submit(part: int) -> Future[str]:
        submitted[part] = Later(f"worker {part}")
        return submitted[part]

    def screen_here(part: int) -> str:
        here.append(part)
        if part in (finished_while_here or {}):
            submitted[(finished_while_here or {})[part]].finish()
        return f"here {part}"

    for value in in_order(parts, submit, screen_here, ahead=ahead, held=held):
        out.append(value)
        most_waiting = max(most_waiting, len(submitted) + len(here) - len(out))
    return out, sorted(submitted), here, most_waiting


def test_every_part_once_in_order_shared_between_the_workers_and_here() -> None:
    out, submitted, here, most_waiting = _run(list(range(12)), ahead=2, held=4)
    assert [int(v.split()[1]) for v in out] == list(range(12))
    assert submitted[:2] == [0, 1], "the workers get the first parts"
    assert set(submitted) | set(here) == set(range(12)) and not set(submitted) & set(here)
    assert here and submitted[2:], "parts go here while the workers are busy, and to them again after"
    assert most_waiting <= 4 + 1


def test_a_finished_worker_gets_the_next_part() -> None:
    out, submitted, here, _ = _run(list(range(6)), ahead=1, held=8, finished_while_here={2: 0})
    assert submitted == [0, 3] and here == [1, 2, 4, 5]
    assert out == ["worker 0", "here 1", "here 2", "worker 3", "here 4", "here 5"]


def test_nothing_is_held_beyond_the_limit() -> None:
    _, _, _, most_waiting = _run(list(range(40)), ahead=3, held=2)
    assert most_waiting <= 2 + 1


def test_a_failed_part_raises_in_its_turn() -> None:
    def submit(part: int) -> Future[str]:
        failed: Future[str] = Future()
        failed.set_exception(ValueError(f"part {part} failed"))
        return failed

    outputs = in_order([0, 1], submit, lambda part: f"here {part}", ahead=1, held=4)
    with pytest.raises(ValueError, match="part 0 failed"):
        next(outputs)


def test_a_part_failing_here_raises_at_once() -> None:
    def screen_here(part: int) -> str:
        raise ValueError(f"part {part} failed here")

    outputs = in_order([0, 1, 2], Later, screen_here, ahead=1, held=4)
    with pytest.raises(ValueError, match="part 1 failed here"):
        next(outputs)


def test_a_failed_run_cancels_the_chunks_handed_out_and_not_begun() -> None:
    began: list[int] = []
    later = threading.Event()

    def screen(part: int) -> str:
        began.append(part)
        later.wait(0.2)  # every part is handed out by then; the second may be begun when the first fails
        if part == 0:
            raise ValueError("part 0 failed")
        return f"worker {part}"

    with ThreadPoolExecutor(max_workers=1) as pool:
        outputs = in_order(
            range(4), lambda part: pool.submit(screen, part), lambda part: f"here {part}", ahead=4, held=8
        )
        with pytest.raises(ValueError, match="part 0 failed"):
            next(cancelling(pool, outputs))
    assert began[0] == 0 and not {2, 3} & set(began), "the parts waiting for the worker were never screened"


@pytest.mark.parametrize(
    ("rows", "requested", "cores", "expected"), [(100_000, 0, 2, 2), (15_000, 0, 2, 1), (10, 3, 2, 3)]
)
def test_processes_per_batch(
    rows: int, requested: int, cores: int, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("graph.workers.os.cpu_count", lambda: cores)
    assert worker_count(rows, requested) == expected
