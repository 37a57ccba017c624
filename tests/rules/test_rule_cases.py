"""Every rule case in cases/*.test.ttl, run through both engines.

A case file is self-describing Turtle: the transaction (t:item, t:destination, t:endUser, t:date, ...),
the rule under test (t:rule), any extra data the case needs (t:extraData), and what must come out
(t:expectDecision, t:expectCertainty, t:expectReason [constraint, measure], t:expectNoReasonFrom).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib

from graph.kg import KnowledgeGraph
from graph.screening import Screener, ScreeningRequest
from graph.screening.shapes import load_constraints

T = rdflib.Namespace("https://w3id.org/eckg/tests#")
CASES = sorted((Path(__file__).parent / "cases").glob("*.test.ttl"))
INPUT = {
    "item": T.item,
    "destination": T.destination,
    "end_user": T.endUser,
    "end_use": T.endUse,
    "date": T.date,
    "origin": T.origin,
    "exporter_country": T.exporterCountry,
    "consignee": T.consignee,
}


@dataclass
class Case:
    label: str
    rule: str
    input: dict[str, str]
    decision: str
    certainty: str | None
    reasons: list[tuple[str, str | None]] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    extra: str | None = None


def load_case(path: Path) -> Case:
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    node = rdflib.URIRef(path.as_uri())
    value = lambda p: None if graph.value(node, p) is None else str(graph.value(node, p))  # noqa: E731
    return Case(
        label=str(graph.value(node, rdflib.RDFS.label)),
        rule=str(graph.value(node, T.rule)),
        input={k: str(v) for k, p in INPUT.items() if (v := graph.value(node, p)) is not None},
        decision=str(graph.value(node, T.expectDecision)),
        certainty=value(T.expectCertainty),
        reasons=[
            (
                str(graph.value(r, T.constraint)),
                None if graph.value(r, T.measure) is None else str(graph.value(r, T.measure)),
            )
            for r in graph.objects(node, T.expectReason)
        ],
        absent=[str(c) for c in graph.objects(node, T.expectNoReasonFrom)],
        extra=value(T.extraData),
    )


def _graph_for(case: Case, kg: KnowledgeGraph, fresh: KnowledgeGraph, tmp_path: Path) -> KnowledgeGraph:
    if case.extra is None:
        return kg
    extra = tmp_path / "extra.ttl"
    extra.write_text(case.extra, encoding="utf-8")
    fresh.add_data(extra)
    return fresh


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name.removesuffix(".test.ttl"))
@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_rule_case(
    path: Path, engine: str, kg: KnowledgeGraph, fresh_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    case = load_case(path)
    graph = _graph_for(case, kg, fresh_kg, tmp_path)
    decision = Screener(graph, engine).screen(ScreeningRequest.parse(case.input))
    fired = {
        (r["rule"]["constraint"], r["measure"]["iri"] if r["measure"] else None) for r in decision.reasons
    }
    constraints = {c for c, _ in fired}
    assert decision.decision == case.decision, f"{case.label}: {[r['message'] for r in decision.reasons]}"
    if case.certainty:
        assert decision.certainty == case.certainty, case.label
    for constraint, measure in case.reasons:
        if measure is None:
            assert constraint in constraints, f"{case.label}: {constraint} did not fire"
        else:
            assert (constraint, measure) in fired, (
                f"{case.label}: expected {constraint} on {measure}, got {fired}"
            )
    for constraint in case.absent:
        assert constraint not in constraints, f"{case.label}: {constraint} fired"


def test_every_constraint_has_a_case_where_it_fires_and_one_where_it_does_not(kg: KnowledgeGraph) -> None:
    cases = [load_case(p) for p in CASES]
    fires = {c for case in cases for c, _ in case.reasons}
    silent = {c for case in cases for c in case.absent} | {
        case.rule for case in cases if case.decision == "clear"
    }
    for constraint in load_constraints(kg):
        assert constraint.constraint in fires, f"no case where {constraint.constraint} fires"
    prohibitions = {
        c.constraint
        for c in load_constraints(kg)
        if c.notation in ("prohibited", "enhanced_review", "license_required")
    }
    assert prohibitions <= silent, f"no case where these stay silent: {prohibitions - silent}"
