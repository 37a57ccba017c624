"""What of a rule's query the engine does itself for one transaction (graph.screening.trim): DISTINCT and a
constant BIND at the end of the WHERE group go only where the findings cannot change, and the rows with
the constants added are the original query's rows."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.screening.trim import trimmed
from graph.sparql_text import where_body_start

PREFIXES = {"e": "urn:e:"}


def _trim(query: str) -> tuple[str, dict[str, str]]:
    trim = trimmed(query, where_body_start(query), PREFIXES)
    return trim.query, {k: v.value for k, v in trim.constants.items()}


def test_distinct_and_a_constant_bind_go() -> None:
    query = "SELECT DISTINCT $this ?path WHERE { $this e:p ?o . BIND(e:p AS ?path) }"
    assert _trim(query) == ("SELECT  $this ?path WHERE { $this e:p ?o .  }", {"path": "urn:e:p"})
    assert _trim("SELECT REDUCED ?s WHERE { ?s e:p ?o BIND(<urn:x> AS ?p) }")[1] == {}  # ?p not projected
    assert _trim("SELECT ?s ?p WHERE { ?s e:p ?o BIND(<urn:x> AS ?p) }") == (
        "SELECT ?s ?p WHERE { ?s e:p ?o  }",
        {"p": "urn:x"},
    )


@pytest.mark.parametrize(
    "query",
    [
        "SELECT DISTINCT ?s WHERE { ?s e:p ?o } ORDER BY ?s",
        "SELECT DISTINCT ?s WHERE { ?s e:p ?o } LIMIT 1",
        "SELECT DISTINCT ?s WHERE { ?s e:p ?o } GROUP BY ?s",
        "SELECT DISTINCT (STR(?s) AS ?t) WHERE { ?s e:p ?o }",
        "SELECT DISTINCT * WHERE { ?s e:p ?o }",
        "SELECT DISTINCT ?s FROM <urn:g> WHERE { ?s e:p ?o }",
    ],
)
def test_distinct_stays_where_the_solutions_are_read_after_it(query: str) -> None:
    assert "DISTINCT" in _trim(query)[0]


@pytest.mark.parametrize(
    "where",
    [
        "BIND(e:x AS ?p) ?s e:q ?o",  # not last
        "?s e:q ?p BIND(e:x AS ?p)",  # ?p read elsewhere (a syntax error, but not ours to make valid)
        "?s e:q ?o BIND(STR(e:x) AS ?p)",  # not a constant
        '?s e:q ?o BIND("x" AS ?p)',  # a literal
        "?s e:q ?o BIND(f:x AS ?p)",  # a prefix not declared
        "?s e:q ?o { BIND(e:x AS ?p) }",  # in a group within the WHERE group
        "?s e:q ?o OPTIONAL { ?o e:r ?p } BIND(e:x AS ?q) FILTER(?q = ?p)",
    ],
)
def test_a_bind_stays_unless_its_value_is_every_rows(where: str) -> None:
    query = f"SELECT ?s ?p ?q WHERE {{ {where} }}"
    assert _trim(query) == (query, {})


def test_a_bind_read_after_the_group_stays() -> None:
    query = "SELECT ?s ?p WHERE { ?s e:q ?o BIND(e:x AS ?p) } ORDER BY ?p"
    assert _trim(query) == (query, {})


@pytest.mark.parametrize(
    "query",
    [
        "SELECT DISTINCT ?s ?path WHERE { ?s e:p ?o . ?o e:q ?r . BIND(e:p AS ?path) }",
        "SELECT DISTINCT ?s ?path WHERE { ?s e:p ?o . FILTER NOT EXISTS { ?o e:q e:z } BIND(<urn:e:p> AS ?path) }",
    ],
)
def test_the_rows_with_the_constants_are_the_original_rows(query: str) -> None:
    store = ox.Store()
    e = [ox.NamedNode(f"urn:e:{n}") for n in ("a", "b", "c", "p", "q", "z")]
    a, b, c, p, q, z = e
    store.extend(ox.Quad(*t) for t in [(a, p, a), (a, p, b), (a, p, c), (b, q, c), (b, q, z), (c, q, a)])

    def rows(text: str, constants: dict[str, str]) -> set[tuple[tuple[str, str], ...]]:
        result = store.query(text, prefixes=PREFIXES)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return {
            tuple(sorted({**constants, **{n: s[n].value for n in names if s[n] is not None}}.items()))
            for s in result
        }

    trimmed_query, constants = _trim(query)
    assert constants and "DISTINCT" not in trimmed_query
    assert rows(trimmed_query, constants) == rows(query, {})
    assert len(list(store.query(trimmed_query, prefixes=PREFIXES))) > len(rows(query, {}))  # repeated rows
