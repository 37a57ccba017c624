"""Which transaction predicates a constraint reads: the key under which the fast engine reuses results."""

from __future__ import annotations

import pytest

from graph.screening.reads import cached_reads, reads

P = {"ex": "http://example.org/"}


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ("SELECT $this WHERE { $this ex:a ?x . ?x ex:b ?y }", ("http://example.org/a",)),
        (
            "SELECT $this WHERE { $this ex:a ?x FILTER EXISTS { $this ex:c ?z } }",
            ("http://example.org/a", "http://example.org/c"),
        ),
        (
            "SELECT $this WHERE { $this ?p ?x FILTER(?p IN (ex:a, ex:b)) }",
            ("http://example.org/a", "http://example.org/b"),
        ),
        (
            "SELECT $this WHERE { VALUES ?p { ex:a ex:b } $this ?p ?x }",
            ("http://example.org/a", "http://example.org/b"),
        ),
        ("SELECT $this WHERE { $this ex:a|ex:b ?x }", ("http://example.org/a", "http://example.org/b")),
        ("SELECT $this WHERE { $this ex:a ?x . ?x ex:b* ?y }", ("http://example.org/a",)),
    ],
)
def test_reads_names_the_predicates_on_this(select: str, expected: tuple[str, ...]) -> None:
    assert reads(select, P) == expected


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this WHERE { ?x ex:a $this }",  # $this as an object
        "SELECT $this WHERE { $this ?p ?x }",  # any predicate of the transaction
        "SELECT $this WHERE { $this ex:a/ex:b ?x }",  # a path leaving $this
        "SELECT $this WHERE { $this ex:a ?x . ?other ex:a ?x }",  # another transaction's value
        "SELECT $this WHERE { $this ex:a ?x FILTER NOT EXISTS { ?other ex:a ?x } }",
        "SELECT $this WHERE { $this ex:a ?x . ?x ?p ?y }",  # a variable predicate elsewhere may meet a transaction
        "SELECT $this WHERE { $this ex:a ?x . ?y ex:c/ex:a ?x }",
    ],
)
def test_reads_refuses_what_it_cannot_prove(select: str) -> None:
    assert reads(select, P) is None


def test_shipped_constraints_are_all_reusable(kg) -> None:  # type: ignore[no-untyped-def]
    from graph.screening.engines import FastEngine

    found = FastEngine(kg).reads
    assert found and all(v is not None for v in found.values())


def test_answers_are_kept_by_query_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    class C:
        constraint, select, prefixes = "urn:c", "SELECT $this WHERE { $this ex:a ?x }", tuple(P.items())

    assert cached_reads([C], tmp_path) == {"urn:c": ("http://example.org/a",)}
    assert (tmp_path / "constraint-reads.json").exists()
    C.select = "SELECT $this WHERE { ?x ex:a $this }"
    assert cached_reads([C], tmp_path) == {"urn:c": None}
