"""Reading a long audit log (`eckg audit`, lookups by id): lines as `append` writes them are indexed and
passed over without being parsed, and `--limit` reads the log from its end. The answers are those of
parsing every line; lines written otherwise, or torn, are still read right."""

from __future__ import annotations

import io
import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from graph import audit
from graph.audit import AuditLog, _lines_backwards
from graph.errors import NotFound
from graph.kg import KnowledgeGraph
from graph.screening import Screener, ScreeningRequest
from graph.screening.decision import Decision

START = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def decisions(kg: KnowledgeGraph) -> list[Decision]:
    """Twelve decisions an hour apart, prohibited and undetermined (an unknown item) in turn; one item
    text holds what a decided_at key looks like, quoted as JSON quotes it."""
    screener = Screener(kg)
    made = []
    for hour in range(12):
        request = ScreeningRequest(
            item="1C902.b" if hour % 2 == 0 else 'a "decided_at":"2030-01-01" lookalike',
            destination="JP",
            end_user="Japan Maritime Self-Defense Force" if hour % 2 == 0 else "Nobody Ltd",
            date="2026-03-01",
        )
        decided_at = (START + timedelta(hours=hour)).isoformat(timespec="milliseconds")
        made.append(replace(screener.screen(request), decided_at=decided_at))
    return made


def _reference(log: AuditLog, since: datetime | None, decision: str | None) -> list[str]:
    """What select answers, by parsing every line."""
    records = [json.loads(line) for line in log.path.read_bytes().splitlines()]
    return [
        r["id"]
        for r in records
        if (since is None or audit.moment(r["decided_at"]) >= since) and decision in (None, r["decision"])
    ]


@pytest.mark.parametrize("hours", [None, 0, 5, 6, 11, 12])
@pytest.mark.parametrize("outcome", [None, "prohibited", "undetermined", "clear"])
@pytest.mark.parametrize("limit", [None, 1, 3, 100])
def test_select_answers_as_parsing_every_line(
    log: AuditLog, hours: int | None, outcome: str | None, limit: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "_BLOCK", 700)  # lines are longer: read backwards, they span blocks
    since = None if hours is None else START + timedelta(hours=hours)
    expected = _reference(log, since, outcome)
    got = [r["id"] for r in log.select(since=since and since.isoformat(), decision=outcome, limit=limit)]
    assert got == (expected[-limit:] if limit else expected)


def test_the_lookalike_item_text_is_no_decided_at(log: AuditLog, decisions: list[Decision]) -> None:
    """The item text holds `"decided_at":"2030-01-01"`: JSON escapes its quotes, so it is not read as the
    decision's time."""
    latest = [r["id"] for r in log.select(since="2029-01-01")]
    assert latest == []
    assert [r["id"] for r in log.select(since="2026-03-01T11:00Z")] == [decisions[11].id]


def test_limit_parses_only_the_lines_it_needs(log: AuditLog, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[bytes] = []
    real = audit._parse
    monkeypatch.setattr(audit, "_parse", lambda line: parsed.append(line) or real(line))
    assert len(list(log.select(limit=2))) == 2
    assert len(parsed) == 2  # the last two lines, not the twelve
    parsed.clear()
    assert len(list(log.select(decision="prohibited", limit=1))) == 1
    assert len(parsed) == 1  # the last line is undetermined: passed over by its outcome, unparsed


def test_a_torn_last_line_is_not_read(log: AuditLog, decisions: list[Decision]) -> None:
    with log.path.open("ab") as f:
        f.write(b'{"id":"torn-0000","decision":"prohibited","decided_at":"2026-03-02T00:00:00.000+00:00"')
    assert [r["id"] for r in log.select(limit=1)] == [decisions[-1].id]
    assert [r["id"] for r in log.select(since="2026-03-02")] == []
    with pytest.raises(NotFound):
        log.get("torn-0000")


def test_ids_are_indexed_from_the_line_start_and_found(log: AuditLog, decisions: list[Decision]) -> None:
    for d in decisions:
        assert log.get(d.id)["id"] == d.id
        assert log.find(d.id[:8])["id"] == d.id
    assert log.path.read_bytes().startswith(audit._ID_START)  # the fast path was the one taken


def test_a_line_torn_by_a_crash_then_ended_by_the_next_writer_is_not_a_decision(
    log: AuditLog, decisions: list[Decision]
) -> None:
    """A writer that finds a torn last line ends it with a newline before its own lines: the torn line
    starts as a decision does, but is none, and its id is not found."""
    with log.path.open("ab") as f:
        f.write(b'{"id":"torn-1111","decision":"prohibited","reas')
    log.append(decisions[:1], source="cli")
    with pytest.raises(NotFound):
        log.get("torn-1111")
    assert [r["id"] for r in log.select(limit=2)] == [decisions[-1].id, decisions[0].id]


def test_lines_backwards_are_the_lines_reversed_at_any_block_size(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    for _ in range(2000):
        lines = [
            bytes(rng.choice(b'ab{}"') for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(0, 8))
        ]
        torn = bytes(rng.choice(b"xy") for _ in range(rng.randint(0, 5)))  # after the last newline
        monkeypatch.setattr(audit, "_BLOCK", rng.randint(1, 10))
        data = b"".join(line + b"\n" for line in lines) + torn
        assert list(_lines_backwards(io.BytesIO(data))) == lines[::-1]
