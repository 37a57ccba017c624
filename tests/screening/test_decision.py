"""A decision's time: made once per millisecond, the text datetime writes for that moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph.screening import decision
from graph.screening.decision import utc_now


@pytest.mark.parametrize(
    "ns", [0, 1_764_551_360_999_999_999, 1_764_551_361_000_000_000, 1_764_551_361_123_456_789]
)
def test_utc_now_is_datetimes_text_to_the_millisecond(ns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decision.time, "time_ns", lambda: ns)
    moment = datetime.fromtimestamp(ns // 1000 / 1_000_000, UTC)
    assert utc_now() == moment.isoformat(timespec="milliseconds")


def test_utc_now_follows_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1_764_551_360_000_400_000]
    monkeypatch.setattr(decision.time, "time_ns", lambda: clock[0])
    first = utc_now()
    clock[0] += 500_000  # the same millisecond: the same text
    assert utc_now() == first
    clock[0] += 600_000  # the next one
    assert utc_now() == "2025-12-01T01:09:20.001+00:00" != first
