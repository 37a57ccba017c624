"""SPARQL syntax errors say what is wrong where: a prefix used and not declared is named (Oxigraph's own
message lists the characters a name may hold), and what the parser expected is given without the
character classes of its grammar."""

from __future__ import annotations

import pytest

from graph.errors import QuerySyntaxError
from graph.sparql_text import undeclared_prefix, without_position
from graph.store import EmbeddedStore


def _error(query: str, prefixes: dict[str, str] | None = None) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as raised:
        EmbeddedStore().query(query, prefixes=prefixes)
    return raised.value


def test_an_undeclared_prefix_is_named_where_it_is_used() -> None:
    error = _error("SELECT * WHERE {\n  ?s a <urn:x> .\n  FILTER(nope:f(?s)) }", prefixes={})
    assert error.errors == [
        {"line": 3, "column": 10, "message": "the prefix 'nope:' is not declared (PREFIX nope: <...>)"}
    ]
    assert "line 3, column 10" in str(error)


def test_a_prefix_eckg_knows_is_offered_where_the_query_does_not_declare_it() -> None:
    error = _error("SELECT * WHERE { ?s a eckg:Measure }", prefixes={})  # as the endpoint: none given
    assert "(PREFIX eckg: <https://w3id.org/eckg/ontology#>)" in error.errors[0]["message"]


def test_what_the_parser_expected_leaves_out_character_classes() -> None:
    message = _error("SELECT * WHERE { ?s ?p ?o").errors[0]["message"]
    assert message == 'expected one of ",", ".", ";", "{", "{|", "}", "~"'
    assert "error at" not in message


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("PREFIX ex: <urn:ex:>\nSELECT * WHERE { ?s ex:p ?o }", None),
        ("prefix ex: <urn:ex:> SELECT * WHERE { ?s ex:p 'nope:x' . ?s <urn:nope:y> _:b }", None),
        ("PREFIX ex: <urn:ex:> SELECT * WHERE { ?s ex:p ?o ; ey:q 1 }", ("ey", 1, 52)),
        ("SELECT * WHERE { ?s :p ?o }", ("", 1, 21)),
        ("SELECT * WHERE { ?s <urn:p> 'x'^^xsd:date }", None),  # xsd is given
    ],
)
def test_undeclared_prefix(query: str, found: tuple[str, int, int] | None) -> None:
    assert undeclared_prefix(query, {"xsd"}) == found


@pytest.mark.parametrize(
    ("message", "readable"),
    [
        ("error at 1:6: expected [_]", "unexpected text"),
        ("error at 3:10: expected OPTIONAL", "expected OPTIONAL"),
        (
            "error at 1:9: expected one of ABS, ['0' ..= '9' | '\\u{00B7}'], [_], NOT",
            "expected one of ABS, NOT",
        ),
        ('error at 1:2: expected one of ",", "]", [_]', 'expected one of ",", "]"'),
        ("the file is not valid", "the file is not valid"),
    ],
)
def test_without_position(message: str, readable: str) -> None:
    assert without_position(message) == readable
