"""Binding values in query text: VALUES goes first inside the WHERE group, and only there."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.errors import InputError
from graph.sparql_text import where_body_start, with_values

A, B = str(ox.NamedNode("urn:ex:a")), str(ox.NamedNode("urn:ex:b"))


def _store() -> ox.Store:
    store = ox.Store()
    for s in ("a", "b", "c"):
        store.add(ox.Quad(ox.NamedNode(f"urn:ex:{s}"), ox.NamedNode("urn:ex:p"), ox.Literal("{ WHERE }")))
    return store


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s <urn:ex:p> ?o }",
        "SELECT ?s { ?s <urn:ex:p> ?o }",
        "PREFIX ex: <urn:ex:> # WHERE { in a comment\nSELECT ?s WHERE { ?s ex:p ?o FILTER(?o != 'WHERE {') }",
        "SELECT ?s WHERE { ?s <urn:ex:p> ?o { SELECT ?o WHERE { ?x <urn:ex:p> ?o } } }",
    ],
)
def test_values_restrict_a_select_to_the_bound_terms(query: str) -> None:
    bound = with_values(query, "s", [A, B])
    found = {row["s"].value for row in _store().query(bound)}  # type: ignore[union-attr]
    assert found == {"urn:ex:a", "urn:ex:b"}


def test_a_construct_template_is_not_the_where_group() -> None:
    query = "CONSTRUCT { ?s <urn:ex:q> ?o } WHERE { ?s <urn:ex:p> ?o }"
    bound = with_values(query, "s", [A])
    assert bound.index("VALUES") > bound.index("WHERE")
    assert len(list(_store().query(bound))) == 1  # type: ignore[arg-type]


def test_an_ask_without_where_keyword() -> None:
    assert where_body_start("ASK { ?s ?p ?o }") == len("ASK {")


@pytest.mark.parametrize("query", ["CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE <urn:ex:a>"])
def test_queries_without_a_separate_where_group_are_refused(query: str) -> None:
    with pytest.raises(InputError):
        with_values(query, "s", [A])
