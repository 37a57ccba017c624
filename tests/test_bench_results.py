"""The benchmark's results files: latest, and a copy of every full run, by its day, time and machine
(bench.figures.write)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.figures import Figure, history_name, write
from bench.parallel import speedup, speedups

ABOUT = {"cpu": "Intel(R) Xeon(R) Processor", "cores": 2, "memory_gib": 23.5, "python": "3.11.7"}


def test_a_full_run_is_kept_under_its_day_time_and_machine(tmp_path: Path) -> None:
    figure = Figure("one screening", "ms", 2.5, "<= 2 ms", False, baseline=500.0, limit=2.7)
    about = {**ABOUT, "when": "2026-11-23 23:47 UTC"}
    write([figure], tmp_path, about, keep=True)
    kept = tmp_path / "history" / "2026-11-23-2347-intel-xeon"
    assert kept.with_suffix(".md").read_text() == (tmp_path / "latest.md").read_text()
    data = json.loads(kept.with_suffix(".json").read_text())
    assert data["figures"][0]["ratio"] == 200.0 and data["machine"]["cpu"] == ABOUT["cpu"]
    assert (
        "| one screening | 2.50 ms | 500 ms | 200× | 2.70 ms | <= 2 ms | **no** |"
        in (tmp_path / "latest.md").read_text()
    )


def test_a_partial_run_keeps_no_history(tmp_path: Path) -> None:
    write([], tmp_path, {**ABOUT, "when": "2026-11-30 04:54 UTC"})
    assert (tmp_path / "latest.md").exists() and not (tmp_path / "history").exists()


def test_history_names_are_the_day_time_and_machine_in_plain_words() -> None:
    assert history_name({"cpu": "AMD EPYC 7B13 64-Core Processor", "when": "2026-11-30 04:54 UTC"}) == (
        "2026-11-30-0454-amd-epyc-7b13-64-core"
    )


def test_two_full_runs_on_one_day_are_both_kept(tmp_path: Path) -> None:
    for when in ("2026-12-01 01:53 UTC", "2026-12-01 03:28 UTC"):
        write([], tmp_path, {**ABOUT, "when": when}, keep=True)
    assert sorted(p.name for p in (tmp_path / "history").iterdir()) == [
        "2026-12-01-0153-intel-xeon.json",
        "2026-12-01-0153-intel-xeon.md",
        "2026-12-01-0328-intel-xeon.json",
        "2026-12-01-0328-intel-xeon.md",
    ]


def test_every_kept_run_in_the_repository_has_both_files() -> None:
    history = Path(__file__).parent.parent / "bench" / "results" / "history"
    stems = {p.stem for p in history.iterdir()}
    assert stems, "no benchmark runs kept"
    for stem in stems:
        assert (history / f"{stem}.md").exists() and (history / f"{stem}.json").exists(), stem


def test_the_machine_line_says_what_its_cores_do_side_by_side(tmp_path: Path) -> None:
    write([], tmp_path, {**ABOUT, "parallel": [1.57, 1.04, 1.53, 2.04], "when": "2026-11-30 18:00 UTC"})
    assert (
        "Machine: Intel(R) Xeon(R) Processor, 2 cores (side by side 1.6× the work of one, 1.0–2.0 over 4 "
        "tries), 23.5 GiB"
    ) in (tmp_path / "latest.md").read_text()
    write([], tmp_path, {**ABOUT, "when": "2026-11-23 23:47 UTC"})  # runs from before it was measured
    assert "Machine: Intel(R) Xeon(R) Processor, 2 cores, 23.5 GiB" in (tmp_path / "latest.md").read_text()


def test_the_cores_side_by_side_are_measured_against_one_alone() -> None:
    """Each try is a measure (what it comes to on a loaded machine is not asserted: no timed assertions)."""
    tries = speedups(processes=1, count=200_000, repeat=3)
    assert len(tries) == 3 and all(t > 0 for t in tries)


def test_side_by_side_is_the_work_done_in_the_time_of_the_slowest() -> None:
    assert speedup(2, 1.0, [1.0, 1.0]) == 2.0  # two cores of their own
    assert speedup(2, 1.0, [2.0, 1.9]) == 1.0  # one core shared
    assert speedup(2, 3.0, [4.5, 4.8]) == 1.25
