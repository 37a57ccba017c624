"""One benchmark figure per row: our value, the baseline's, the limit's, the target, and whether it is met;
printed as one table and written as JSON and Markdown."""

from __future__ import annotations

import json
import math
import os
import platform
import re
import statistics
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path


@dataclass
class Figure:
    name: str
    unit: str
    ours: float
    target: str  # e.g. "<= 2 ms"
    met: bool
    baseline: float | None = None  # pySHACL / rdflib, same work, same run
    limit: float | None = None  # the raw Oxigraph queries for the same work
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times faster than the baseline (times are smaller-is-better)."""
        if self.baseline is None or not self.ours:
            return None
        return self.baseline / self.ours


def machine() -> dict[str, object]:
    cpu, memory = "unknown", 0.0
    with suppress(OSError):
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            cpu,
        )
    with suppress(OSError, ValueError, IndexError):
        memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "pyoxigraph": version("pyoxigraph"),
        "pyshacl": version("pyshacl"),
        "rdflib": version("rdflib"),
        "eckg": version("eckg"),
    }


def _num(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"
    return f"{text} {unit}".strip()


def rows(figures: list[Figure]) -> list[list[str]]:
    return [
        [
            f.name,
            _num(f.ours, f.unit),
            _num(f.baseline, f.unit),
            "—" if f.ratio is None else f"{f.ratio:,.0f}×" if f.ratio >= 10 else f"{f.ratio:.1f}×",
            _num(f.limit, f.unit),
            f.target,
            "yes" if f.met else "**no**",
        ]
        for f in figures
    ]


HEADER = ["figure", "ours", "pySHACL/rdflib", "ratio", "limit (raw Oxigraph)", "target", "met"]


def markdown(figures: list[Figure], about: dict[str, object]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "| " + " | ".join("---" for _ in HEADER) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows(figures)]
    notes = [f"- {f.name}: {f.note}" for f in figures if f.note]
    cores = f"{about['cores']} cores"
    tries = about.get("parallel")  # bench.parallel.speedups
    if isinstance(tries, list) and tries:
        cores += (
            f" (side by side {statistics.median(tries):.1f}× the work of one, "
            f"{min(tries):.1f}–{max(tries):.1f} over {len(tries)} tries)"
        )
    where = f"{about['cpu']}, {cores}, {about['memory_gib']} GiB, Python {about['python']}"
    return "\n".join([*lines, "", f"Machine: {where}; run {about['when']}.", "", *notes]) + "\n"


def write(figures: list[Figure], directory: Path, about: dict[str, object], keep: bool = False) -> None:
    """latest.json and latest.md in `directory`; with `keep`, a copy in its history/ named by the day, the
    time and the machine (figures depend on the machine, and here on the hour: every run is kept)."""
    data = {"machine": about, "figures": [{**asdict(f), "ratio": f.ratio} for f in figures]}
    texts = {".json": json.dumps(data, indent=2, ensure_ascii=False) + "\n", ".md": markdown(figures, about)}
    names = [directory / "latest"]
    if keep:
        names.append(directory / "history" / history_name(about))
    for name in names:
        name.parent.mkdir(parents=True, exist_ok=True)
        for suffix, text in texts.items():
            name.with_suffix(suffix).write_text(text)


def history_name(about: dict[str, object]) -> str:
    """e.g. 2026-11-30-0454-amd-epyc for a run at 04:54 UTC on 2026-11-30 on an "AMD EPYC" machine."""
    cpu = re.sub(r"\((?:r|tm)\)|\bprocessor\b|\bcpu\b", " ", str(about["cpu"]).lower())
    when = str(about["when"])  # as now() writes it: 2026-11-30 04:54 UTC
    return f"{when[:10]}-{when[11:13]}{when[14:16]}-" + "-".join(re.findall(r"[a-z0-9]+", cpu))


def print_table(figures: list[Figure]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*HEADER, title="eckg benchmark")
    for f, r in zip(figures, rows(figures), strict=True):
        table.add_row(*r[:-1], "[green]yes[/]" if f.met else "[red]no[/]")
    Console().print(table)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
