"""Which variables of a WHERE group a value bound for the whole group may be written for
(graph.screening.scopes). test_inline.py checks the rewritten queries' solutions against the originals."""

from __future__ import annotations

import pytest

from graph.screening.scopes import Scopes, scopes
from graph.sparql_text import where_body_start


def _scopes(where: str, head: str = "$this", tail: str = "") -> Scopes:
    query = f"SELECT {head} WHERE {{ {where} }}{tail}"
    return scopes(query, where_body_start(query))


@pytest.mark.parametrize(
    "where",
    [
        "?v <urn:p> ?o .",
        "?s <urn:p> ?v .",
        "?s <urn:p>* ?v .",
        "?s <urn:p> ?o FILTER(?o < ?v)",
        "FILTER(?o < ?v) ?s <urn:p> ?o .",
        "FILTER NOT EXISTS { ?v <urn:p> ?o }",
        "FILTER(?x || EXISTS { ?v <urn:p> ?o })",
        "FILTER NOT EXISTS { ?s <urn:p> ?o FILTER NOT EXISTS { ?o <urn:q> ?v } }",
    ],
)
def test_read_as_the_group_value(where: str) -> None:
    assert "v" in _scopes(where).writable


@pytest.mark.parametrize(
    "where",
    [
        "OPTIONAL { ?v <urn:p> ?o }",
        "{ ?v <urn:p> ?o } UNION { ?s <urn:p> ?o }",
        "{ ?v <urn:p> ?o }",
        "MINUS { ?v <urn:p> ?o }",
        "GRAPH ?g { ?v <urn:p> ?o }",
        "OPTIONAL { FILTER NOT EXISTS { ?v <urn:p> ?o } }",
        "BIND(?v AS ?w)",
        "BIND(EXISTS { ?v <urn:p> ?o } AS ?w)",
        "?s <urn:p> ?o . BIND(?o AS ?v)",
        "FILTER(BOUND(?v))",
        "FILTER(bound ( ?v ))",
        "VALUES ?v { 1 }",
        "VALUES (?w ?v) { (1 2) }",
        "{ SELECT ?v WHERE { ?v <urn:p> ?o } }",
    ],
)
def test_read_elsewhere(where: str) -> None:
    assert "v" not in _scopes(f"?s <urn:q> ?v . {where}").writable


def test_variables_read_outside_the_group() -> None:
    assert _scopes("?s <urn:p> ?o", head="?s (COUNT(?o) AS ?n)", tail=" GROUP BY ?s ORDER BY ?x").outside == {
        "s",
        "o",
        "n",
        "x",
    }
    assert _scopes("?s <urn:p> ?o", head="*").outside is None


def test_the_group_itself() -> None:
    query = "SELECT * WHERE { ?a <urn:p> ?b . { ?c <urn:p> ?d } ?e <urn:p> ?f FILTER NOT EXISTS { ?g <urn:p> ?h } }"
    scope = scopes(query, where_body_start(query))
    top = {query[s : s + 2] for s in scope.top if query[s] == "?"}
    assert top == {"?a", "?b", "?e", "?f"}
    assert scope.spans["b"] == ((query.index("?b"), query.index("?b") + 2),)
