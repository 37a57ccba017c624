"""`eckg audit --since`: a long log is read only from about where `since` falls, found from when lines were
recorded (they are in that order, give or take audit.ORDER_SLACK), not from its start; the answers are
those of parsing every line."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from graph import audit
from graph.audit import ORDER_SLACK, AuditLog

START = datetime(2026, 3, 1, tzinfo=UTC)
OUTCOMES = ("prohibited", "undetermined", "clear")


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds")


def _line(number: int, decided: datetime, recorded: datetime) -> bytes:
    """A record as `append` writes it (its keys in that order), made `decided` and recorded `recorded`."""
    return orjson.dumps(
        {
            "id": f"d{number:05d}",
            "decision": OUTCOMES[number % 3],
            "decided_at": _stamp(decided),
            "reasons": [],
            "recorded_at": _stamp(recorded),
            "source": "batch",
        },
        option=orjson.OPT_APPEND_NEWLINE,
    )


def _log(path: Path, count: int = 3_000) -> AuditLog:
    """A line a minute over two days, each recorded up to 20 minutes out of order (less than ORDER_SLACK)
    and decided up to half a minute before it was recorded."""
    rng = random.Random(7)
    lines = []
    for number in range(count):
        recorded = START + timedelta(minutes=number) + timedelta(seconds=rng.uniform(-1_200, 1_200))
        lines.append(_line(number, recorded - timedelta(seconds=rng.uniform(0, 30)), recorded))
    path.write_bytes(b"".join(lines))
    return AuditLog(path)


def _parsing_every_line(log: AuditLog, since: datetime, decision: str | None) -> list[str]:
    records = [json.loads(line) for line in log.path.read_bytes().splitlines()]
    return [
        r["id"]
        for r in records
        if audit.moment(r["decided_at"]) >= since and decision in (None, r["decision"])
    ]


@pytest.mark.parametrize("minutes", [-120, 0, 7, 600, 1_439, 2_950, 2_999, 3_100])
@pytest.mark.parametrize("decision", [None, "clear"])
@pytest.mark.parametrize("limit", [None, 1, 40, 100_000])
def test_since_answers_as_parsing_every_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, minutes: int, decision: str | None, limit: int | None
) -> None:
    monkeypatch.setattr(audit, "_BLOCK", 4_096)  # the log is 400 KB: bisected down to 4 KB
    log = _log(tmp_path / "audit.jsonl")
    since = START + timedelta(minutes=minutes)
    expected = _parsing_every_line(log, since, decision)
    got = [r["id"] for r in log.select(since=since.isoformat(), decision=decision, limit=limit)]
    assert got == (expected[-limit:] if limit else expected)


@pytest.mark.parametrize("limit", [None, 1_000_000])
def test_lines_recorded_long_before_since_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int | None
) -> None:
    """Lines no log can hold (recorded days before they were made) put where none is read: before a line
    recorded more than ORDER_SLACK before `since`. They are not found, so they were not read; a log read
    from its start would find them."""
    monkeypatch.setattr(audit, "_BLOCK", 4_096)
    path = tmp_path / "audit.jsonl"
    since = START + timedelta(minutes=2_000)
    impossible = b"".join(_line(90_000 + n, since + timedelta(hours=1), START) for n in range(50))
    path.write_bytes(impossible + _log(tmp_path / "rest.jsonl").path.read_bytes())
    log = AuditLog(path)
    got = [r["id"] for r in log.select(since=since.isoformat(), limit=limit)]
    assert got and not any(i.startswith("d9") for i in got)
    assert got == [i for i in _parsing_every_line(log, since, None) if not i.startswith("d9")]
    everything = [r["id"] for r in log.select(since=(START - ORDER_SLACK).isoformat(), limit=limit)]
    assert sum(i.startswith("d9") for i in everything) == 50


def test_lines_without_recorded_at_are_read_from_the_start(tmp_path: Path) -> None:
    """A line that does not say when it was recorded never ends the reading."""
    path = tmp_path / "audit.jsonl"
    records = [
        {"id": f"r{n}", "decision": "clear", "decided_at": _stamp(START + timedelta(days=n))}
        for n in range(3)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    log = AuditLog(path)
    assert [r["id"] for r in log.select(since="2026-03-02")] == ["r1", "r2"]
    assert [r["id"] for r in log.select(since="2026-03-02", limit=5)] == ["r1", "r2"]


@pytest.mark.parametrize("limit", [None, 10])
def test_a_since_at_the_start_of_the_calendar_reads_every_line(tmp_path: Path, limit: int | None) -> None:
    log = _log(tmp_path / "audit.jsonl", count=20)
    got = [r["id"] for r in log.select(since="0001-01-01", limit=limit)]
    assert got == [f"d{n:05d}" for n in range(20)][-(limit or 20) :]
