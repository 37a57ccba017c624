"""Requests screened together by the Coalescer (POST /screen's path) get the decisions they get alone; a
request's failure stays its own; a failed audit write fails its whole group; closing answers what was sent."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from graph.audit import AuditLog
from graph.errors import AuditUnavailable, FieldError, ShuttingDown
from graph.kg import KnowledgeGraph
from graph.screening import Screener
from graph.screening.coalesce import MAX_GROUP, Coalescer
from graph.screening.decision import Decision
from graph.screening.engines import FOCUS_LIMIT
from graph.screening.request import ScreeningRequest
from graph.screening.transaction import Resolved

from .test_engines import generated_requests


def _summary(decision: Decision) -> tuple[str, list[str]]:
    return decision.decision, [r["message"] for r in decision.reasons]


class HeldScreener(Screener):
    """The real screener, whose first decide() waits until the test lets it go, so that the requests sent
    meanwhile queue up; it records the size of every group it decides, and fails any group holding an
    item in `failing_items` (as a screening bug would)."""

    def __init__(self, kg: KnowledgeGraph, failing_items: Sequence[str] = ()) -> None:
        super().__init__(kg)
        self.release = threading.Event()
        self.started = threading.Event()
        self.groups: list[int] = []
        self.failing_items = set(failing_items)

    def decide(self, transactions: Sequence[Resolved], found: object = None) -> list[Decision]:
        self.groups.append(len(transactions))
        if len(self.groups) == 1:
            self.started.set()
            assert self.release.wait(30)
        if any(tx.request.item in self.failing_items for tx in transactions):
            raise RuntimeError("screening failed")
        return super().decide(transactions)


def _held(
    coalescer: Coalescer, screener: HeldScreener, first: ScreeningRequest, rest: list[ScreeningRequest]
) -> tuple[Callable[[], object], list]:  # type: ignore[type-arg]
    """Submit `first`, wait until it is being screened, submit `rest` (they queue), release."""
    head = coalescer.submit(first)
    assert screener.started.wait(30)
    futures = [coalescer.submit(r) for r in rest]
    screener.release.set()
    return head.result, futures


def test_waiting_requests_are_screened_as_one_group_and_recorded_with_one_write(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    requests = generated_requests(kg, 41, seed=11)
    reference = Screener(kg)
    alone = [_summary(reference.screen(r)) for r in requests]
    screener = HeldScreener(kg)
    audit = AuditLog(tmp_path / "audit.jsonl")
    coalescer = Coalescer(screener, audit)
    try:
        head, futures = _held(coalescer, screener, requests[0], requests[1:])
        together = [head(), *(f.result(30) for f in futures)]
    finally:
        coalescer.close()
    assert [_summary(d) for d in together] == alone
    assert screener.groups == [1, 40]
    lines = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == [d.id for d in together]
    assert {line["source"] for line in lines} == {"api"}
    assert len({line["recorded_at"] for line in lines[1:]}) == 1  # the group's one write


def test_a_group_is_at_most_max_group(kg: KnowledgeGraph) -> None:
    requests = generated_requests(kg, MAX_GROUP + 11, seed=12)
    screener = HeldScreener(kg)
    coalescer = Coalescer(screener, None)
    try:
        head, futures = _held(coalescer, screener, requests[0], requests[1:])
        head()
        assert all(f.result(30).decision for f in futures)
    finally:
        coalescer.close()
    assert screener.groups == [1, MAX_GROUP, 10]


def test_a_request_that_cannot_be_resolved_fails_alone(kg: KnowledgeGraph) -> None:
    good = generated_requests(kg, 3, seed=13)
    bad = good[0].model_copy(update={"end_use": "no-such-end-use"})
    screener = HeldScreener(kg)
    coalescer = Coalescer(screener, None)
    try:
        head, futures = _held(coalescer, screener, good[0], [good[1], bad, good[2]])
        head()
        assert futures[0].result(30).decision and futures[2].result(30).decision
        with pytest.raises(FieldError, match="no-such-end-use"):
            futures[1].result(30)
    finally:
        coalescer.close()


def test_a_failing_group_is_screened_again_one_by_one(kg: KnowledgeGraph) -> None:
    requests = generated_requests(kg, 6, seed=14)
    items = {r.item for r in requests}
    failing = next(r for r in requests[1:] if sum(x.item == r.item for x in requests) == 1)
    reference = Screener(kg)
    screener = HeldScreener(kg, failing_items=[failing.item])
    coalescer = Coalescer(screener, None)
    try:
        head, futures = _held(coalescer, screener, requests[0], requests[1:])
        head()
        for request, future in zip(requests[1:], futures, strict=True):
            if request is failing:
                with pytest.raises(RuntimeError, match="screening failed"):
                    future.result(30)
            else:
                assert _summary(future.result(30)) == _summary(reference.screen(request))
    finally:
        coalescer.close()
    assert len(items) > 1
    assert screener.groups == [1, 5, 1, 1, 1, 1, 1]


def test_no_decision_is_returned_when_the_group_cannot_be_recorded(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    requests = generated_requests(kg, 4, seed=15)
    (tmp_path / "audit.jsonl").mkdir()  # a directory where the log should be: every write fails
    screener = HeldScreener(kg)
    coalescer = Coalescer(screener, AuditLog(tmp_path / "audit.jsonl"))
    try:
        head, futures = _held(coalescer, screener, requests[0], requests[1:])
        with pytest.raises(AuditUnavailable):
            head()
        for future in futures:
            with pytest.raises(AuditUnavailable):
                future.result(30)
    finally:
        coalescer.close()


class HeldAudit(AuditLog):
    """The real audit log, whose first append waits until the test lets it go; it records the number of
    decisions of every write."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.release = threading.Event()
        self.started = threading.Event()
        self.writes: list[int] = []

    def append(self, decisions: Iterable[Decision], source: str) -> None:
        decisions = list(decisions)
        self.writes.append(len(decisions))
        if len(self.writes) == 1:
            self.started.set()
            assert self.release.wait(30)
        super().append(decisions, source)


class CountingScreener(Screener):
    """The real screener; `second` is set when it has decided a second group."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        super().__init__(kg)
        self.decided = 0
        self.second = threading.Event()

    def decide(self, transactions: Sequence[Resolved], found: object = None) -> list[Decision]:
        decisions = super().decide(transactions)
        self.decided += 1
        if self.decided == 2:
            self.second.set()
        return decisions


def test_the_next_groups_are_screened_while_one_is_recorded_and_none_answered_before_it_is(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    requests = generated_requests(kg, 9, seed=18)
    screener = CountingScreener(kg)
    audit = HeldAudit(tmp_path / "audit.jsonl")
    coalescer = Coalescer(screener, audit)
    try:
        first = coalescer.submit(requests[0])
        assert audit.started.wait(30)  # screened; its write is held
        rest = [coalescer.submit(r) for r in requests[1:]]
        assert screener.second.wait(30), "nothing was screened while a write was held"
        assert not first.done() and not any(f.done() for f in rest)
        audit.release.set()
        decided = [first.result(30), *(f.result(30) for f in rest)]
    finally:
        coalescer.close()
    lines = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == [d.id for d in decided]  # recorded in the order screened
    assert audit.writes[0] == 1 and sum(audit.writes) == len(requests)


def test_closing_answers_what_was_submitted_and_refuses_more(kg: KnowledgeGraph) -> None:
    requests = generated_requests(kg, 5, seed=16)
    coalescer = Coalescer(Screener(kg), None)
    futures = [coalescer.submit(r) for r in requests]
    coalescer.close()
    assert all(f.done() and f.result().decision for f in futures)
    with pytest.raises(ShuttingDown, match="shutting down"):
        coalescer.submit(requests[0])


def test_many_threads_at_once_get_their_own_decisions(kg: KnowledgeGraph) -> None:
    requests = generated_requests(kg, 80, seed=17)
    reference = Screener(kg)
    alone = [_summary(reference.screen(r)) for r in requests]
    coalescer = Coalescer(Screener(kg), None)
    results: list[tuple[str, list[str]] | None] = [None] * len(requests)

    def client(indexes: range) -> None:
        for i in indexes:
            results[i] = _summary(coalescer.screen(requests[i]))

    threads = [threading.Thread(target=client, args=(range(k, len(requests), 16),)) for k in range(16)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        coalescer.close()
    assert results == alone


def test_a_group_of_weak_matches_keeps_every_rule_query_bound(kg: KnowledgeGraph, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each weak match is screened again as each of its candidates (up to 3): a full group of weak matches
    comes to 200 transactions, which must still run bound by VALUES, at most FOCUS_LIMIT a query — unbound,
    a rule's cost is set by the graph's size (at 100,000 parties 122 ms, against 14 ms bound)."""
    requests = [
        ScreeningRequest(item="1C902.b", destination="JP", end_user=name, date=f"2026-03-{day:02d}")
        for day in range(1, 26)
        for name in ("Mitsubishi Heavy Industries Aero", "Japan Self Defense")
    ]
    assert len(requests) == MAX_GROUP
    screener = Screener(kg)
    screener.engine.reuse = False  # every rule runs over every transaction
    bound: list[int] = []
    query = kg.store.query

    def spied(sparql: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "$this" in sparql:  # a rule's query
            values = re.search(r"VALUES \?this \{([^}]*)\}", sparql)
            bound.append(len(values.group(1).split()) if values else 0)
        return query(sparql, *args, **kwargs)

    monkeypatch.setattr(kg.store, "query", spied)
    together = Coalescer(screener, None)
    try:
        decided = [f.result(60) for f in [together.submit(r) for r in requests]]
    finally:
        together.close()
    rules = len(screener.engine.constraints)
    assert bound and min(bound) >= 1 and max(bound) <= FOCUS_LIMIT, bound
    assert sum(bound) == rules * MAX_GROUP * 4, "the group and 3 alternatives each, every rule bound"
    reference = Screener(kg)
    assert [_summary(d) for d in decided] == [_summary(reference.screen(r)) for r in requests]
