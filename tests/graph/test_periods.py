"""In-force periods derived from effective dates and suspensions."""

from __future__ import annotations

from datetime import date

import pytest

from graph.kg import KnowledgeGraph
from graph.periods import Period

D = date.fromisoformat


def test_a_suspension_inside_a_period_splits_it() -> None:
    pieces = Period(D("2024-12-03"), None).minus(
        D("2025-11-09"), D("2026-11-27"), suspension=None, uncertain=False
    )  # type: ignore[arg-type]
    assert pieces == [Period(D("2024-12-03"), D("2025-11-08")), Period(D("2026-11-28"), None)]


def test_a_suspension_before_the_effective_date_delays_it() -> None:
    pieces = Period(D("2025-11-08"), None).minus(
        D("2025-11-07"), D("2026-11-10"), suspension=None, uncertain=False
    )  # type: ignore[arg-type]
    assert pieces == [Period(D("2026-11-11"), None)]


def test_an_open_ended_suspension_ends_the_period() -> None:
    assert Period(D("2025-01-01"), None).minus(D("2025-06-01"), None, None, False) == [
        Period(D("2025-01-01"), D("2025-05-31"))
    ]  # type: ignore[arg-type]


def test_a_suspension_outside_the_period_changes_nothing() -> None:
    period = Period(D("2025-01-01"), D("2025-03-01"))
    assert period.minus(D("2025-04-01"), D("2025-05-01"), None, False) == [period]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("mofcom-2026-1", [("2026-01-06", None, "confirmed")]),
        (
            "mofcom-2024-46-art-2-ban",
            [("2024-12-03", "2025-11-08", "confirmed"), ("2026-11-28", None, "unverified")],
        ),
        ("mofcom-2025-57", [("2026-11-11", None, "unverified")]),
        ("mofcom-2025-18", [("2025-04-04", None, "confirmed")]),
        ("mofcom-2025-70", [("2025-11-07", "2026-11-10", "confirmed")]),
    ],
)
def test_periods_in_the_graph(
    kg: KnowledgeGraph, measure: str, expected: list[tuple[str, str | None, str]]
) -> None:
    rows = kg.query(f"""SELECT ?start ?end ?status WHERE {{
        msr:{measure} eckg:inForcePeriod ?p . ?p eckg:periodStart ?start ; eckg:status ?status .
        OPTIONAL {{ ?p eckg:periodEnd ?end }} }} ORDER BY ?start""").rows
    got = [
        (r["start"].value, r["end"].value if "end" in r else None, r["status"].value.rsplit("#", 1)[1])
        for r in rows
    ]
    assert got == expected
