"""`AuditLog.select` (eckg audit --since --decision): --since is a day or a time of the calendar, compared as
a moment (offsets honoured), never as text; an impossible one is an input error, not an empty answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.audit import AuditLog
from graph.errors import FieldError

RECORDS = [
    {"id": "a", "decision": "prohibited", "decided_at": "2026-02-28T23:30:00.000+00:00"},
    {"id": "b", "decision": "clear", "decided_at": "2026-03-01T08:00:00.000+00:00"},
    {"id": "c", "decision": "prohibited", "decided_at": "2026-03-02T00:00:00.000+00:00"},
]


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    path = tmp_path / "audit.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return AuditLog(path)


@pytest.mark.parametrize(
    ("since", "ids"),
    [
        ("2026-03-01", ["b", "c"]),  # a day: from its first moment, UTC
        ("2026-03-01T08:00:00Z", ["b", "c"]),  # at or after
        ("2026-03-01T08:00:00.001+00:00", ["c"]),
        ("2026-03-01T09:00:00+09:00", ["b", "c"]),  # 00:00 UTC: an offset is a moment, not text
        ("2026-03-01T08:30", ["c"]),  # no offset: UTC
    ],
)
def test_since_is_a_moment(log: AuditLog, since: str, ids: list[str]) -> None:
    assert [r["id"] for r in log.select(since=since)] == ids


def test_since_and_decision_together_newest_last(log: AuditLog) -> None:
    assert [r["id"] for r in log.select(since="2026-02-01", decision="prohibited")] == ["a", "c"]
    assert [r["id"] for r in log.select(decision="prohibited", limit=1)] == ["c"]


@pytest.mark.parametrize("since", ["2026-13-01", "2026-02-30", "yesterday", "", "2026-03-01T25:00"])
def test_an_impossible_since_is_an_input_error_naming_the_field(log: AuditLog, since: str) -> None:
    with pytest.raises(FieldError) as raised:
        log.select(since=since)
    assert raised.value.errors[0]["field"] == "since" and repr(since) in str(raised.value)
