"""Differential test: the fast engine and pySHACL agree, finding for finding and decision for decision,
and write isomorphic validation reports, on generated transactions around every boundary date."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from rdflib.compare import isomorphic

from graph.kg import KnowledgeGraph
from graph.screening import Screener, ScreeningRequest
from graph.screening.engines import FastEngine, ReferenceEngine, fill_message

pytestmark = pytest.mark.slow


def _boundary_dates(kg: KnowledgeGraph) -> list[str]:
    days: set[date] = set()
    for row in kg.query(
        "SELECT ?s ?e WHERE { ?p a eckg:InForcePeriod ; eckg:periodStart ?s OPTIONAL { ?p eckg:periodEnd ?e } }"
    ).rows:
        for key in ("s", "e"):
            if key in row:
                d = date.fromisoformat(row[key].value)
                days |= {d - timedelta(days=1), d, d + timedelta(days=1)}
    return sorted(d.isoformat() for d in days)


def generated_requests(kg: KnowledgeGraph, count: int, seed: int) -> list[ScreeningRequest]:
    rng = random.Random(seed)
    items = [*(r["item"].value for r in kg.run("list_item_names").rows), "copper wire", "3A001"]
    parties = [
        *sorted({r["party"].value for r in kg.run("list_party_names").rows}),
        "Example Trading",
        "Example Motor Works",
    ]
    uses = [None, "civilian", "automotive", "military", "military-capability-enhancement", "wmd"]
    days = _boundary_dates(kg)
    requests = []
    for _ in range(count):
        origin, exporter = rng.choice([("CN", "CN"), ("CN", "CN"), ("CN", "SG"), ("US", "SG"), ("DE", "CN")])
        requests.append(
            ScreeningRequest.parse(
                {
                    "item": rng.choice(items),
                    "destination": rng.choice(["JP", "JP", "US", "DE"]),
                    "end_user": rng.choice(parties),
                    "end_use": rng.choice(uses),
                    "date": rng.choice(days),
                    "origin": origin,
                    "exporter_country": exporter,
                    "consignee": rng.choice([None, None, None, rng.choice(parties)]),
                }
            )
        )
    return requests


@pytest.fixture(scope="module")
def batch(kg: KnowledgeGraph):  # type: ignore[no-untyped-def]
    fast = Screener(kg, "fast")
    return [fast.resolve(r) for r in generated_requests(kg, 80, seed=20260106)]


def test_findings_agree(kg: KnowledgeGraph, batch) -> None:  # type: ignore[no-untyped-def]
    fast = {f.key() for f in FastEngine(kg).findings(batch)}
    reference = {f.key() for f in ReferenceEngine(kg).findings(batch)}
    assert fast == reference
    assert len(fast) > 40, "the generated batch should exercise the rules"


def test_reports_are_isomorphic(kg: KnowledgeGraph, batch) -> None:  # type: ignore[no-untyped-def]
    _, fast = FastEngine(kg).report(batch)
    _, reference = ReferenceEngine(kg).report(batch)
    assert isomorphic(fast, reference)


def test_decisions_agree_one_by_one(kg: KnowledgeGraph) -> None:
    requests = generated_requests(kg, 25, seed=7)
    fast, reference = Screener(kg, "fast"), Screener(kg, "reference")
    for request in requests:
        a, b = fast.screen(request), reference.screen(request)
        assert (a.decision, a.certainty, [r["message"] for r in a.reasons]) == (
            b.decision,
            b.certainty,
            [r["message"] for r in b.reasons],
        ), request


def test_single_and_batch_runs_agree(kg: KnowledgeGraph, batch) -> None:  # type: ignore[no-untyped-def]
    engine = FastEngine(kg)
    one_by_one = {f.key() for tx in batch for f in engine.findings([tx])}
    assert one_by_one == {f.key() for f in engine.findings(batch)}


def test_remembered_results_equal_fresh_runs(kg: KnowledgeGraph, batch) -> None:  # type: ignore[no-untyped-def]
    engine = FastEngine(kg)
    first = [{f.key() for f in engine.findings([tx])} for tx in batch]
    assert engine._memo, "one-by-one screening should remember results"
    again = [{f.key() for f in engine.findings([tx])} for tx in batch]
    fresh = [
        {
            f.key()
            for f in FastEngine(kg).findings([tx, replace(tx, iri=tx.iri + "-twin")])
            if f.focus == tx.iri
        }
        for tx in batch[:10]
    ]
    assert first == again
    assert fresh == first[:10]


def test_scratch_graphs_are_removed(kg: KnowledgeGraph, batch) -> None:  # type: ignore[no-untyped-def]
    FastEngine(kg).findings(batch)
    assert not [g for g in kg.store.graph_names() if "/graph/scratch/" in g]


def test_message_templates_fill_like_pyshacl() -> None:
    assert (
        fill_message("Under {?measureId} for {$this}.", {"measureId": "X No. 1", "this": "urn:t"})
        == "Under X No. 1 for urn:t."
    )
