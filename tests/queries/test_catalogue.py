"""The query catalogue: headers that match the queries, and golden results for every query."""

from __future__ import annotations

import re

import pytest

from graph.catalogue import catalogue
from graph.kg import KnowledgeGraph
from graph.sparql_text import tokens

from .goldens import CASES, check_golden, golden_graph

QUERIES = sorted(catalogue().values(), key=lambda q: q.name)
VERBS = ("count", "explain", "find", "get", "list")


def projection(text: str) -> list[str]:
    """Variables a SELECT projects: bare ones, and the targets of (expression AS ?v)."""
    out, started, after_as = [], False, False
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for t in tokens(body):
        if t.keyword == "SELECT":
            started = True
            continue
        if not started:
            continue
        if (t.keyword == "WHERE" and t.depth == 0) or (t.kind == "open" and t.text == "{" and t.depth == 0):
            break
        if t.keyword == "AS":
            after_as = True
        elif t.kind == "var" and (t.depth == 0 or after_as):
            out.append(t.text[1:])
            after_as = False
    return out


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_header_matches_the_query(query) -> None:  # type: ignore[no-untyped-def]
    assert re.fullmatch(rf"({'|'.join(VERBS)})_[a-z_]+", query.name), "names are verb_noun"
    assert query.summary and len(query.summary) > 20
    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
    used = {m.group(1) for m in re.finditer(r"[?$]([A-Za-z_]\w*)", body)}
    projected = projection(query.text)
    for param in query.params:
        assert param.name in used, f"parameter {param.name} is not used"
        assert param.name in projected, f"parameter {param.name} must be projected (Oxigraph substitutions)"
        assert f"BOUND(?{param.name})" not in body, (
            f'use COALESCE(STR(?{param.name}), "") = "" to test {param.name}'
        )
    assert list(query.returns) == projected, "# returns: must list the projected variables in order"


def test_projection_reader() -> None:
    assert projection("SELECT ?a (COUNT(?x) AS ?n) ?b WHERE { ?a ?b ?x }") == ["a", "n", "b"]


def test_every_query_has_a_golden_case() -> None:
    assert {q.name for q in QUERIES} <= {c["query"] for c in CASES}


@pytest.fixture(scope="module")
def golden_kg() -> KnowledgeGraph:
    return golden_graph()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_golden(case: dict, golden_kg: KnowledgeGraph) -> None:  # type: ignore[type-arg]
    check_golden(golden_kg, case)
