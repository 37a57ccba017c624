"""What a constraint reads of its transaction: the key under which the fast engine reuses results."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pyoxigraph as ox
import pytest

from graph.screening.engines import FastEngine
from graph.screening.memo import DateClasses, ResultMemo, domain_values
from graph.screening.reads import reads
from graph.screening.reads_cache import Reads, cached_reads
from graph.store import EmbeddedStore

P = {"ex": "http://example.org/", "xsd": "http://www.w3.org/2001/XMLSchema#"}
A, B, C, D = (f"http://example.org/{x}" for x in "abcd")


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ("SELECT $this WHERE { $this ex:a ?x . ?x ex:b ?y }", (A,)),
        ("SELECT $this WHERE { $this ex:a ?x FILTER EXISTS { $this ex:c ?z } }", (A, C)),
        ("SELECT $this WHERE { $this ?p ?x FILTER(?p IN (ex:a, ex:b)) }", (A, B)),
        ("SELECT $this WHERE { VALUES ?p { ex:a ex:b } $this ?p ?x }", (A, B)),
        ("SELECT $this WHERE { $this ex:a|ex:b ?x }", (A, B)),
        ("SELECT $this WHERE { $this ex:a ?x . ?x ex:b* ?y }", (A,)),
    ],
)
def test_reads_names_the_predicates_on_this(select: str, expected: tuple[str, ...]) -> None:
    found = reads(select, P)
    assert found is not None and found.predicates == expected


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this WHERE { ?x ex:a $this }",  # $this as an object
        "SELECT $this WHERE { $this ?p ?x }",  # any predicate of the transaction
        "SELECT $this WHERE { $this ex:a/ex:b ?x }",  # a path leaving $this
        "SELECT $this WHERE { $this ex:a ?x . ?other ex:a ?x }",  # another transaction's value
        "SELECT $this WHERE { $this ex:a ?x FILTER NOT EXISTS { ?other ex:a ?x } }",
        "SELECT $this WHERE { $this ex:a ?x FILTER EXISTS { ?other ex:a ?y FILTER(?y < ?x) } }",
        "SELECT $this WHERE { $this ex:a ?x . ?x ?p ?y }",  # a variable predicate may meet a transaction
        "SELECT $this WHERE { $this ex:a ?x . ?y ex:c/ex:a ?x }",
    ],
)
def test_reads_refuses_what_it_cannot_prove(select: str) -> None:
    assert reads(select, P) is None


@pytest.mark.parametrize(
    ("select", "compared"),
    [
        ("SELECT $this WHERE { $this ex:d ?d . ?m ex:start ?s FILTER(?s <= ?d) }", (D,)),
        ("SELECT $this WHERE { $this ex:d ?d FILTER NOT EXISTS { ?m ex:end ?e FILTER(?e < ?d) } }", (D,)),
        ('SELECT $this WHERE { $this ex:d ?d FILTER(?d >= "2026-01-09"^^xsd:date) }', (D,)),
        ("SELECT $this WHERE { $this ex:d ?d . ?m ex:on ?d }", (D,)),  # a join is an equality
        ("SELECT $this ?d WHERE { $this ex:d ?d }", ()),  # projected
        ("SELECT $this WHERE { $this ex:d ?d FILTER(YEAR(?d) = 2026) }", ()),  # a function of the date
        ("SELECT $this WHERE { $this ex:d ?d BIND(?d AS ?e) ?m ex:on ?e }", ()),
        (
            "SELECT $this WHERE { $this ex:d ?d ; ex:a ?a FILTER(?d < ?a) }",
            (),
        ),  # two of the transaction's values
        ("SELECT $this WHERE { $this ex:d ?d FILTER(?d + 1 > 3) }", ()),
        ("SELECT $this WHERE { $this ex:d ?d } ORDER BY ?d", ()),
    ],
)
def test_reads_finds_values_that_are_only_compared(select: str, compared: tuple[str, ...]) -> None:
    found = reads(select, P)
    assert found is not None and found.compared == compared


@pytest.mark.parametrize(
    ("select", "required"),
    [
        ("SELECT $this WHERE { $this ex:a ?x ; ex:b ?y }", ((A,), (B,))),
        ("SELECT $this WHERE { $this ex:a ?x OPTIONAL { $this ex:b ?y } }", ((A,),)),
        ("SELECT $this WHERE { { $this ex:a ?x } UNION { $this ex:b ?x } }", ((A, B),)),
        ("SELECT $this WHERE { { $this ex:a ?x } UNION { ?x ex:b ?y } }", ()),
        ("SELECT $this WHERE { $this ?p ?x FILTER(?p IN (ex:a, ex:b)) }", ((A, B),)),
        ("SELECT $this WHERE { $this ex:a ?x FILTER EXISTS { $this ex:c ?y } }", ((A,),)),
        ("SELECT $this WHERE { $this ex:a ?x MINUS { $this ex:c ?y } }", ((A,),)),
    ],
)
def test_reads_finds_required_patterns(select: str, required: tuple[tuple[str, ...], ...]) -> None:
    found = reads(select, P)
    assert found is not None and found.required == required


@pytest.mark.parametrize(
    ("select", "excluded"),
    [
        ("SELECT $this WHERE { $this ex:a ?x FILTER NOT EXISTS { $this ex:b ?y } }", ((B,),)),
        ("SELECT $this WHERE { $this ex:a ?x FILTER NOT EXISTS { $this ex:b ?y ; ex:c ?z } }", ((B, C),)),
        (
            "SELECT $this WHERE { $this ex:a ?x FILTER(?x != 1 && NOT EXISTS { $this ex:b ?y }) }",
            ((B,),),
        ),
        # ?y is bound outside: only that value excludes
        ("SELECT $this WHERE { $this ex:a ?y FILTER NOT EXISTS { $this ex:b ?y } }", ()),
        # asks more than presence
        ("SELECT $this WHERE { $this ex:a ?x FILTER NOT EXISTS { $this ex:b ?y . ?y ex:c ?z } }", ()),
        ("SELECT $this WHERE { $this ex:a ?x FILTER NOT EXISTS { $this ex:b ex:d } }", ()),
        # not a filter every solution passes
        ("SELECT $this WHERE { $this ex:a ?x FILTER(?x = 1 || NOT EXISTS { $this ex:b ?y }) }", ()),
        (
            "SELECT $this WHERE { { $this ex:a ?x FILTER NOT EXISTS { $this ex:b ?y } } UNION { $this ex:c ?x } }",
            (),
        ),
        ("SELECT $this WHERE { $this ex:a ?x FILTER EXISTS { $this ex:b ?y } }", ()),
    ],
)
def test_reads_finds_predicates_whose_presence_excludes(
    select: str, excluded: tuple[tuple[str, ...], ...]
) -> None:
    found = reads(select, P)
    assert found is not None and found.excluded == excluded


@pytest.mark.parametrize(
    ("select", "domains"),
    [
        # the patterns joined to ?x, with $this left out
        ("SELECT $this WHERE { $this ex:a ?x . ?x ex:b ?y . ?y ex:c ex:d }", [((A,), (B, C))]),
        ("SELECT $this WHERE { $this ex:a ?x . ?x ex:b* ?y . ?z ex:c ?y }", [((A,), (B, C))]),
        # bound in both branches of a UNION: from either predicate
        ("SELECT $this WHERE { { $this ex:a ?x } UNION { $this ex:b ?x } ?x ex:c ?y }", [((A, B), (C,))]),
        # not joined: patterns of the other variable only
        (
            "SELECT $this WHERE { $this ex:a ?x ; ex:b ?w . ?w ex:c ?y . ?x ex:d ?v }",
            [((B,), (C,)), ((A,), (D,))],
        ),  # ?w, then ?x
        # a FILTER EXISTS every solution passes: every solution has a match of its patterns
        ("SELECT $this WHERE { $this ex:a ?x FILTER EXISTS { ?x ex:b ?y } }", [((A,), (B,))]),
        (
            "SELECT $this WHERE { $this ex:a ?x FILTER(?x != ex:d && EXISTS { ?x ex:b ?y . ?y ex:c ?z }) }",
            [((A,), (B, C))],
        ),
        # patterns not every solution matches are not among them
        ("SELECT $this WHERE { $this ex:a ?x OPTIONAL { ?x ex:b ?y } }", []),
        ("SELECT $this WHERE { $this ex:a ?x { ?x ex:b ?y } UNION { ?x ex:c ?y } }", []),
        ("SELECT $this WHERE { $this ex:a ?x FILTER(?x = ex:d || EXISTS { ?x ex:b ?y }) }", []),
        ("SELECT $this WHERE { $this ex:a ?x FILTER NOT EXISTS { ?x ex:b ?y } }", []),
        ("SELECT $this WHERE { $this ex:a ?x MINUS { ?x ex:b ?y } }", []),
        ("SELECT $this WHERE { { $this ex:a ?x } UNION { $this ex:b ?z } ?x ex:c ?y }", []),
    ],
)
def test_reads_finds_what_values_must_join(
    select: str, domains: list[tuple[tuple[str, ...], tuple[str, ...]]]
) -> None:
    found = reads(select, P)
    assert found is not None
    assert [(d.predicates, d.uses) for d in found.domains] == domains


def test_two_exists_do_not_share_their_own_variables() -> None:
    """?y of one EXISTS and ?y of another are two variables (each EXISTS finds its own match): joined as
    one, the domain would hold only values with one ?y for both, and a rule could be skipped wrongly."""
    found = reads(
        "SELECT $this WHERE { $this ex:a ?x FILTER EXISTS { ?x ex:b ?y } FILTER EXISTS { ?y ex:c ?x } }", P
    )
    assert found is not None
    [domain] = found.domains
    assert domain.uses == (B, C)
    names = set(re.findall(r"\?y\w*", domain.query))
    assert len(names) == 2, domain.query


def test_an_exists_within_an_exists_has_variables_of_its_own() -> None:
    found = reads(
        "SELECT $this WHERE { $this ex:a ?x FILTER EXISTS { ?x ex:b ?y FILTER EXISTS { ?x ex:c ?z } } "
        "FILTER EXISTS { ?x ex:d ?z } }",
        P,
    )
    assert found is not None
    [domain] = found.domains
    assert domain.uses == (B, C, D)
    assert len(set(re.findall(r"\?z\w*", domain.query))) == 2, domain.query


def test_domains_hold_the_values_that_join() -> None:
    """A domain's query answers the values the query's patterns admit, over the graph: here the parties
    that are, or are part of, a listed party."""
    store = EmbeddedStore()
    ex = "http://example.org/"
    store.add(
        ox.Quad(ox.NamedNode(ex + s), ox.NamedNode(ex + p), ox.NamedNode(ex + o), ox.NamedNode(ex + "g"))
        for s, p, o in [("l1", "listed", "x"), ("y", "partOf", "x"), ("z", "partOf", "w")]
    )
    select = "SELECT $this WHERE { $this ex:endUser ?party . ?party ex:partOf* ?to . ?l ex:listed ?to }"
    found = reads(select, P)
    assert found is not None
    assert domain_values(store, {"urn:c": found}) == {
        "urn:c": [((ex + "endUser",), frozenset({ex + "x", ex + "y"}))]
    }
    # a domain whose patterns match a predicate some constraint reads of a transaction is not used
    other = reads("SELECT $this WHERE { $this ex:partOf ?y }", P)
    assert domain_values(store, {"urn:c": found, "urn:d": other}) == {}


def test_keys_follow_what_every_match_needs_and_what_excludes_one() -> None:
    """A key is the constraint's "unmatched" key when a needed pattern finds nothing, when every predicate of
    an excluding group is present, or when no value can join the graph; else the values it reads."""
    select = "SELECT $this WHERE { $this ex:a ?x ; ex:d ?v FILTER NOT EXISTS { $this ex:b ?y ; ex:c ?z } }"
    found = reads(select, P)
    assert found is not None and found.required and found.excluded == ((B, C),)

    class Rule:
        constraint = "urn:c"

    memo = ResultMemo({"urn:c": found}, [], {"urn:c": [((D,), frozenset({"urn:ok"}))]})
    value = frozenset({("IRI", "urn:ok")})

    def values(given: dict[str, frozenset[tuple[str, str]]], predicates: list[str]) -> tuple[object, ...]:
        return tuple(given.get(p.rsplit("/", 1)[1], frozenset()) for p in predicates)

    def key(**given: frozenset[tuple[str, str]]) -> tuple[object, ...] | None:
        return memo.keys_of([Rule()], values(given, memo.predicates))[0]

    unmatched = ("urn:c", "unmatched")
    assert key(d=value) == unmatched  # ex:a, which every match needs, is missing
    assert key(a=value, b=value, c=value, d=value) == unmatched  # both excluding predicates are there
    assert key(a=value, d=frozenset({("IRI", "urn:other")})) == unmatched  # no value of ex:d joins
    one = {"a": value, "b": value, "d": value}  # one excluding predicate is not enough
    assert key(**one) == ("urn:c", *values(one, list(found.predicates)))
    assert key(a=value, d=value) == ("urn:c", *values({"a": value, "d": value}, list(found.predicates)))


@pytest.mark.parametrize(
    ("select", "others"),
    [
        ("SELECT $this WHERE { $this ex:a ?x . ?x ex:b ?y }", (B,)),
        ("SELECT $this WHERE { $this ex:a ?x . ?x ex:b/ex:c* ?y . ?y ^ex:d ?z }", (B, C, D)),
        ("SELECT $this WHERE { $this ex:a ?x FILTER NOT EXISTS { ?x ex:c ?z } }", (C,)),
        ("SELECT $this WHERE { $this ex:a ?x . [ ex:b ?x ] }", (B,)),
        ("SELECT $this WHERE { $this ex:a ?x . ?x !ex:b ?y }", ("*",)),
        ("SELECT $this WHERE { $this ex:a ?x }", ()),
    ],
)
def test_reads_names_what_other_patterns_can_match(select: str, others: tuple[str, ...]) -> None:
    """Patterns whose subject is not `$this` could match a transaction's own triples where they use its
    predicates: a transaction screened alone then keeps its scratch graph (graph.screening.engines)."""
    found = reads(select, P)
    assert found is not None and found.others == others


def test_reads_collects_date_constants() -> None:
    found = reads('SELECT $this WHERE { $this ex:d ?d FILTER(?d >= "2026-01-09"^^xsd:date) }', P)
    assert found is not None and found.constants == ("2026-01-09",)


def test_date_classes_keep_boundaries_apart() -> None:
    classes = DateClasses(["2026-01-09", "2026-03-01T10:00:00Z"])
    # between boundaries: one class; a boundary (and the days around it) each its own
    assert classes.of("2025-06-01") == classes.of("2025-12-31")
    assert (
        len({classes.of(d) for d in ("2026-01-07", "2026-01-08", "2026-01-09", "2026-01-10", "2026-01-11")})
        == 5
    )
    assert classes.of("2026-01-20") == classes.of("2026-02-27")
    assert classes.of("2026-02-27") != classes.of("2026-02-28")
    assert classes.of("2027-01-01") == classes.of("2030-01-01")


def test_shipped_constraints_are_all_reusable(kg) -> None:  # type: ignore[no-untyped-def]
    from graph.screening.engines import FastEngine

    found = FastEngine(kg).reads
    assert found and all(v is not None for v in found.values())
    date = "https://w3id.org/eckg/ontology#transactionDate"
    assert all(date in v.compared for v in found.values() if v is not None and date in v.predicates)


def test_answers_are_kept_by_query_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    class Q:
        constraint, select, prefixes = "urn:c", "SELECT $this WHERE { $this ex:a ?x }", tuple(P.items())

    assert cached_reads([Q], tmp_path) == {"urn:c": Reads((A,), (A,), (), (), ((A,),))}
    assert (tmp_path / "constraint-reads.json").exists()
    # read back from the file, and again: the answers kept are whole (reading them once left them emptied)
    Q.select = "SELECT $this WHERE { $this ex:a ?x . ?x ex:b ?y FILTER NOT EXISTS { $this ex:c ?z } }"
    first = cached_reads([Q], tmp_path)
    assert first["urn:c"] is not None and first["urn:c"].domains and first["urn:c"].excluded
    assert cached_reads([Q], tmp_path) == cached_reads([Q], tmp_path) == first
    Q.select = "SELECT $this WHERE { ?x ex:a $this }"
    assert cached_reads([Q], tmp_path) == {"urn:c": None}


def test_a_start_that_finds_every_answer_kept_writes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    class Q:
        constraint, select, prefixes = "urn:c", "SELECT $this WHERE { $this ex:a ?x }", tuple(P.items())

    kept = tmp_path / "constraint-reads.json"
    cached_reads([Q], tmp_path)
    before = kept.stat()
    cached_reads([Q], tmp_path)
    after = kept.stat()  # a file written again is a new file (written beside, then renamed over)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_warm_start_screens_without_loading_the_sparql_parser(kg, settings) -> None:  # type: ignore[no-untyped-def]
    # the answers are kept in the build directory, so a process that starts on a built graph never imports
    # rdflib's SPARQL parser (~0.2 s of every command's start)
    FastEngine(kg)  # the graph's first screener keeps them (this test may be the first to screen on it)
    program = (
        "import sys\n"
        "from graph.kg import load_graph\n"
        "from graph.screening import Screener, ScreeningRequest\n"
        "screener = Screener(load_graph())\n"
        "screener.screen(ScreeningRequest(item='1C902.b', destination='JP', end_user='SUBARU Corporation',"
        " date='2026-03-01'))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('rdflib.plugins.sparql', 'pyparsing'))))\n"
    )
    env = {**os.environ, "ECKG_CACHE_DIR": str(settings.cache_dir), "ECKG_DATA_DIR": str(settings.data_dir)}
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]"
