"""The RDF view of the audit log (the decisions graph of the SPARQL endpoint and of `eckg query`) is
brought up to date a batch of decisions at a time, each written with the offset it reaches: memory holds
one batch, not the log, and a run stopped half-way keeps what it wrote and goes on from there."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import audit
from graph.audit import AuditLog, decision_quad_batches
from graph.decisions_view import audit_mark, sync_decisions
from graph.endpoint import QueryService
from graph.kg import KnowledgeGraph
from graph.namespaces import DECISION, ECKG, GRAPH_DECISIONS
from graph.screening import Screener, ScreeningRequest
from graph.screening.decision import Decision
from graph.screening.record import decision_quads
from graph.store import EmbeddedStore


@pytest.fixture(scope="module")
def decisions(kg: KnowledgeGraph) -> list[Decision]:
    request = ScreeningRequest(
        item="1C902.b", destination="JP", end_user="Japan Maritime Self-Defense Force", date="2026-03-01"
    )
    made = Screener(kg).screen(request)
    return [replace(made, id=str(uuid.uuid4()), transaction=f"{made.transaction}-{n}") for n in range(7)]


def _view(store: EmbeddedStore) -> set[ox.Quad]:
    return set(store.quads(GRAPH_DECISIONS))


def test_batches_hold_at_most_size_decisions_and_reach_the_end(
    log: AuditLog, decisions: list[Decision]
) -> None:
    batches = list(decision_quad_batches(log, GRAPH_DECISIONS, size=3))
    per_decision = len(decision_quads(decisions[0], GRAPH_DECISIONS))
    assert [len(quads) // per_decision for quads, _ in batches] == [3, 3, 1]
    offsets = [reached for _, reached in batches]
    assert offsets == sorted(offsets) and offsets[-1] == log.end()
    everything = {q for d in decisions for q in decision_quads(d, GRAPH_DECISIONS)}
    assert {q for quads, _ in batches for q in quads} == everything


def test_a_sync_stopped_half_way_keeps_its_batches_and_goes_on(
    log: AuditLog, decisions: list[Decision], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "VIEW_BATCH", 2)
    whole = EmbeddedStore(tmp_path / "whole")
    sync_decisions(whole, str(log.path))
    assert audit_mark(whole)[0] == log.end()

    store = EmbeddedStore(tmp_path / "stopped")
    real, made = audit.decision_quads, []

    def stop_at_the_fifth(decision: Decision, graph: ox.NamedNode) -> list[ox.Quad]:
        if len(made) == 4:
            raise KeyboardInterrupt  # as a worker killed at its query's time limit
        made.append(decision.id)
        return real(decision, graph)

    monkeypatch.setattr(audit, "decision_quads", stop_at_the_fifth)
    with pytest.raises(KeyboardInterrupt):
        sync_decisions(store, str(log.path))
    subjects = {q.subject for q in _view(store)}
    kept = [d.id for d in decisions if ox.NamedNode(f"{DECISION}{d.id}") in subjects]
    assert kept == [d.id for d in decisions[:4]]  # two batches written, the third not begun
    assert 0 < audit_mark(store)[0] < log.end()

    monkeypatch.setattr(audit, "decision_quads", real)
    sync_decisions(store, str(log.path))
    assert _view(store) == _view(whole) and audit_mark(store) == audit_mark(whole)


def test_a_long_catch_up_is_apart_from_the_querys_time_limit(
    kg: KnowledgeGraph, log: AuditLog, tmp_path: Path
) -> None:
    """After a large batch, bringing the endpoint's decisions graph up to the log takes longer than a query
    may run: it runs before the query and apart from its limit, so the query answers. Within the query's
    limit, the query was a 503 and the catch-up was cut short at each try."""
    line = log.path.read_bytes().splitlines(keepends=True)[0]
    backlog = tmp_path / "backlog.jsonl"
    backlog.write_bytes(
        line * 8000
    )  # one decision, 8,000 times: seconds of catch-up, one decision in the view
    base = QueryService.for_graph(kg).config
    config = replace(base, store_path=str(tmp_path / "endpoint" / "store"), audit_path=str(backlog))
    service = QueryService(config, timeout=1.0)
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_DECISIONS}> {{ ?d a <{ECKG}Decision> }} }}"
    try:
        answer = service.query(count, solution_format="csv")
    finally:
        service.close()
    assert answer.body.split() == [b"n", b"1"]
