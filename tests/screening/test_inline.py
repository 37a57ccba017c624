"""Writing transactions' values into a rule's query (graph.screening.inline): which statements are
rewritten, which are left alone, and that a rewritten query has the same solutions as the original over
the transactions' triples. The differential tests (test_engines.py) check the shipped rules against pySHACL
with it in use."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.kg import KnowledgeGraph
from graph.screening import Screener, ScreeningRequest
from graph.screening.engines import FastEngine
from graph.screening.inline import Objects, Template, focus_statements
from graph.sparql_text import where_body_start, with_values

E = "urn:e:"
PREFIXES = {"e": E}
ITEM, USER, DATE, NOTE = (E + p for p in ("item", "user", "date", "note"))
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
T1 = "<urn:t:1>"


def _bound(query: str, objects: Objects, prefixes: dict[str, str] = PREFIXES) -> str:
    return Template.of(query, prefixes, where_body_start(query)).bound(T1, objects)


def _unbound(query: str) -> str:
    """The query for one transaction, as it is written when its WHERE group does not read `$this`."""
    where = where_body_start(query)
    return f"{query[:where]}\n{query[where:]}"


def _patterns(query: str) -> list[tuple[str, str]]:
    return [p for s in focus_statements(query, PREFIXES) for p in s.patterns]


@pytest.mark.parametrize(
    ("where", "patterns"),
    [
        ("$this e:item ?i .", [(ITEM, "i")]),
        ("$this e:item ?i ; e:user ?u .", [(ITEM, "i"), (USER, "u")]),
        ("$this e:item ?i ; ; e:user ?u ; .", [(ITEM, "i"), (USER, "u")]),
        ("?this <urn:e:item> ?i }", [(ITEM, "i")]),
        ("FILTER NOT EXISTS { $this e:item ?i }", [(ITEM, "i")]),
        ("{ $this e:user ?u . BIND(1 AS ?b) } UNION { $this e:item ?u }", [(USER, "u"), (ITEM, "u")]),
        ("?x e:p ?y . $this e:item ?i .", [(ITEM, "i")]),
        ("FILTER(?x > 1) $this e:item ?i .", [(ITEM, "i")]),
    ],
)
def test_simple_statements_on_this_are_found(where: str, patterns: list[tuple[str, str]]) -> None:
    assert _patterns(f"SELECT $this WHERE {{ {where} }}") == patterns


@pytest.mark.parametrize(
    "where",
    [
        "$this e:item/e:broader* ?i .",  # a path
        "$this ^e:item ?i .",
        "$this a e:Transaction .",  # `a`, and a constant object
        "$this e:item e:thing .",
        "$this e:item ?i, ?j .",  # an object list
        "$this e:item ?i ; e:user e:someone .",  # one part not simple: the whole statement is left
        "$this x:item ?i .",  # a prefix not declared
        "$this <item> ?i .",  # a relative IRI
        "$this e:item $this .",
        "?x e:item $this .",  # $this as object
        '?x e:note "$this e:item ?i ." .',  # in a string
        "# $this e:item ?i .\n ?x e:p ?y .",  # in a comment
        "BIND($this AS ?x)",
        "$this e:item ?i FILTER(?i != e:x)",  # ends without `.`: left (valid, but not recognised)
        # where a pattern means more than its matches, no statement of the query is rewritten
        "$this e:user ?u . GRAPH ?g { $this e:item ?i }",
        "$this e:user ?u . MINUS { $this e:item ?i }",
        "$this e:user ?u . { SELECT ?i WHERE { $this e:item ?i } }",
        "$this e:user ?u . SERVICE <http://example.org/sparql> { ?u e:p ?q }",
    ],
)
def test_other_forms_are_left_alone(where: str) -> None:
    query = f"SELECT $this WHERE {{ {where} }}"
    assert focus_statements(query, PREFIXES) == ()
    reads = Template.of(query, PREFIXES, where_body_start(query)).reads_this
    assert _bound(query, {}) == (with_values(query, "this", [T1]) if reads else _unbound(query))  # as it was


@pytest.mark.parametrize(
    ("where", "reads"),
    [
        ("$this e:item ?i .", False),
        ('?x e:note "$this" . # $this\n', False),
        ("$this e:item $this .", True),
        ("$this e:item ?i . FILTER(?i != $this)", True),
        ("$this e:item ?i . BIND($this AS ?x)", True),
    ],
)
def test_this_is_bound_where_the_group_still_reads_it(where: str, reads: bool) -> None:
    query = f"SELECT $this WHERE {{ {where} }}"
    assert Template.of(query, PREFIXES, where_body_start(query)).reads_this is reads
    assert ("VALUES ?this { <urn:t:1> }" in _bound(query, {ITEM: ["<urn:a>"]})) is reads
    assert Template.of(query + " ORDER BY $this", PREFIXES, where_body_start(query)).reads_this


def test_a_query_with_a_dataset_of_its_own_is_left_alone() -> None:
    query = "SELECT $this FROM <urn:g> WHERE { $this e:item ?i }"
    assert focus_statements(query, PREFIXES) == ()


def test_prefixes_declared_in_the_query_are_read() -> None:
    query = "PREFIX f: <urn:f:> SELECT $this WHERE { $this f:item ?i }"
    assert [p for s in focus_statements(query, {}) for p in s.patterns] == [("urn:f:item", "i")]


def test_a_statement_becomes_one_block_of_its_matches() -> None:
    query = "SELECT $this ?i ?u WHERE { $this e:item ?i ; e:user ?u . }"  # ?i ?u projected: kept in the block

    def written(block: str) -> str:
        return _unbound(f"SELECT $this ?i ?u WHERE {{ {block} }}")

    assert _bound(query, {ITEM: ["<urn:x>"], USER: ['"a"']}) == written('VALUES (?i ?u) { (<urn:x> "a") }')
    assert _bound(query, {ITEM: ["<urn:x>", "<urn:y>"], USER: ['"a"']}) == written(
        'VALUES (?i ?u) { (<urn:x> "a") (<urn:y> "a") }'
    )
    assert _bound(query, {ITEM: ["<urn:x>"]}) == written("VALUES (?i ?u) {  }")  # no user: no match


def test_a_variable_in_two_patterns_takes_one_term() -> None:
    query = "SELECT $this WHERE { $this e:item ?x ; e:user ?x . }"
    objects: Objects = {ITEM: ["<urn:a>", "<urn:b>"], USER: ["<urn:b>", "<urn:c>"]}
    assert _bound(query, objects) == _unbound("SELECT $this WHERE { VALUES (?x) { (<urn:b>) } }")


def test_a_value_is_written_where_the_group_reads_its_variable() -> None:
    query = (
        "SELECT $this WHERE { $this e:item ?i ; e:date ?d . ?i e:group ?g FILTER(?g != ?i) "
        "FILTER NOT EXISTS { ?g e:start ?s FILTER(?s > ?d) } }"
    )
    assert _bound(query, {ITEM: ["<urn:a>"], DATE: ['"1"']}) == _unbound(
        "SELECT $this WHERE {   <urn:a>  e:group ?g FILTER(?g !=  <urn:a> ) "
        'FILTER NOT EXISTS { ?g e:start ?s FILTER(?s >  "1" ) } }'
    )
    # two values (or none): a block, and the variable read from it
    assert _bound(query, {ITEM: ["<urn:a>", "<urn:b>"], DATE: ['"1"']}).count("?i") == 3


@pytest.mark.parametrize(
    "where",
    [
        "$this e:item ?i . OPTIONAL { ?i e:group ?g }",
        "$this e:item ?i . { ?i e:group ?g } UNION { ?g e:group ?i }",
        "$this e:item ?i . { ?i e:group ?g }",
        "$this e:item ?i . BIND(STR(?i) AS ?s)",
        "$this e:item ?i . FILTER(BOUND(?i))",
        "$this e:item ?i . VALUES ?i { <urn:a> }",
        "$this e:item ?i . OPTIONAL { FILTER NOT EXISTS { ?i e:group ?g } }",
        "$this e:item ?i . ?x ?i ?y",  # a predicate: a literal value would not parse
        "{ $this e:item ?i . ?i e:group ?g }",  # the statement in a group within the WHERE group
        "$this e:item ?i . $this e:user ?i",  # bound by two statements
    ],
)
def test_a_variable_read_elsewhere_is_left(where: str) -> None:
    query = f"SELECT $this WHERE {{ {where} }}"
    bound = _bound(query, {ITEM: ["<urn:v>"], USER: ["<urn:v>"]})
    assert "<urn:v>" not in bound.replace("(<urn:v>)", ""), "the value only in a block"


def test_a_variable_read_outside_the_group_stays_in_its_block() -> None:
    for head in ("$this ?i", "*", "$this (COUNT(?i) AS ?n)"):
        query = f"SELECT {head} WHERE {{ $this e:item ?i . ?i e:group ?g }}" + (
            " GROUP BY $this" if "COUNT" in head else ""
        )
        bound = _bound(query, {ITEM: ["<urn:a>"]})
        assert "VALUES (?i) { (<urn:a>) }" in bound and " <urn:a>  e:group" in bound, head


def test_several_statements_and_the_text_between_them_are_kept_in_order() -> None:
    query = (
        "SELECT $this ?i ?u WHERE { $this e:item ?i . ?i e:group ?g . { $this e:user ?u } FILTER(?g != ?u) }"
    )
    assert _bound(query, {ITEM: ["<urn:a>"], USER: ["<urn:b>"]}) == _unbound(
        "SELECT $this ?i ?u WHERE { VALUES (?i) { (<urn:a>) }  <urn:a>  e:group ?g . { VALUES (?u) { (<urn:b>) } } "
        "FILTER(?g != ?u) }"
    )


# Queries of the forms the rules use; each is run over the transactions' triples and with their values
# written in, and must give the same solutions.
QUERIES = [
    "SELECT $this ?i ?g WHERE { $this e:item ?i . ?i e:group ?g }",
    "SELECT $this ?u ?i WHERE { $this e:item ?i ; e:user ?u . }",
    "SELECT $this ?p ?x WHERE { { $this e:item ?x . BIND(e:item AS ?p) } UNION { $this e:user ?x . BIND(e:user AS ?p) } }",
    "SELECT $this ?i WHERE { $this e:item ?i FILTER NOT EXISTS { $this e:user ?u } }",
    "SELECT $this ?i ?u WHERE { $this e:item ?i OPTIONAL { $this e:user ?u } }",
    "SELECT $this ?d WHERE { $this e:date ?d . ?m e:start ?s FILTER(?s <= ?d) }",
    "SELECT $this WHERE { $this e:item ?x ; e:user ?x . }",
    "SELECT $this ?n WHERE { $this e:note ?n }",
    # values written where the group reads them, and left where it does not (graph.screening.scopes)
    "SELECT $this ?g WHERE { $this e:item ?i . ?i e:group ?g FILTER(?g != e:g2) }",
    "SELECT $this ?g WHERE { $this e:item ?i . OPTIONAL { ?i e:group ?g } }",
    "SELECT $this ?g WHERE { OPTIONAL { ?i e:group ?g } $this e:item ?i . }",  # e:c has no group
    "SELECT $this ?g WHERE { $this e:user ?u . OPTIONAL { e:b e:group ?g FILTER(?u = e:a) } }",
    "SELECT $this ?g WHERE { $this e:item ?i . { ?i e:group ?g } UNION { ?g e:group ?i } }",
    "SELECT $this ?s WHERE { $this e:item ?i . BIND(STR(?i) AS ?s) }",
    "SELECT $this ?s WHERE { BIND(STR(?i) AS ?s) $this e:item ?i . }",
    "SELECT $this WHERE { $this e:date ?d . FILTER NOT EXISTS { ?m e:start ?s FILTER NOT EXISTS { ?m e:start ?d } } }",
    "SELECT $this ?m WHERE { $this e:date ?d . ?m e:start ?s FILTER(?s > ?d && BOUND(?d)) }",
    "SELECT * WHERE { $this e:item ?i . ?i e:group ?g }",
    "SELECT $this (COUNT(?g) AS ?n) WHERE { $this e:item ?i . ?i e:group ?g } GROUP BY $this",
]

GRAPH = [
    (E + "a", E + "group", E + "g1"),
    (E + "b", E + "group", E + "g2"),
    (E + "b", E + "group", E + "g3"),
    (E + "m", E + "start", ox.Literal("2026-01-05", datatype=XSD_DATE)),
]

DATE_1 = ox.Literal("2026-01-01", datatype=XSD_DATE)
DATE_2 = ox.Literal("2026-02-01", datatype=XSD_DATE)
TRANSACTIONS: dict[str, list[tuple[str, ox.NamedNode | ox.Literal]]] = {
    "urn:t:1": [(ITEM, ox.NamedNode(E + "a")), (USER, ox.NamedNode(E + "a")), (DATE, DATE_1)],
    "urn:t:2": [(ITEM, ox.NamedNode(E + "a")), (ITEM, ox.NamedNode(E + "b")), (DATE, DATE_2)],
    "urn:t:3": [(USER, ox.NamedNode(E + "c")), (NOTE, ox.Literal('say "x"\\y\n', language="en"))],
    "urn:t:4": [],
    "urn:t:5": [(ITEM, ox.NamedNode(E + "c"))],
}


def _solutions(store: ox.Store, query: str, focus: str | None = None) -> list[str]:
    """The solutions, as sorted texts of (variable, term) pairs: a bag compared without order. `focus`: the
    transaction of a query that may leave `$this` unbound (every solution is its)."""
    result = store.query(query, prefixes=PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    out = []
    for s in result:
        terms = {v: str(s[v]) for v in names if s[v] is not None}
        if focus and "this" not in terms:
            terms["this"] = focus
        out.append(str(sorted(terms.items())))
    return sorted(out)


def _term(value: str | ox.Literal) -> ox.NamedNode | ox.Literal:
    return value if isinstance(value, ox.Literal) else ox.NamedNode(value)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("tx", sorted(TRANSACTIONS))
def test_a_rewritten_query_has_the_same_solutions(query: str, tx: str) -> None:
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), _term(o)) for s, p, o in GRAPH)
    store.extend(
        ox.Quad(ox.NamedNode(t), ox.NamedNode(p), o) for t, pairs in TRANSACTIONS.items() for p, o in pairs
    )
    objects: dict[str, list[str]] = {}
    for p, o in TRANSACTIONS[tx]:
        objects.setdefault(p, []).append(str(o))
    assert focus_statements(query, PREFIXES), "every query here has a statement to rewrite"
    this = str(ox.NamedNode(tx))
    rewritten = Template.of(query, PREFIXES, where_body_start(query)).bound(this, objects)
    assert _solutions(store, rewritten, focus=this) == _solutions(store, with_values(query, "this", [this]))


def test_every_statement_of_the_shipped_rules_on_this_is_rewritten(kg: KnowledgeGraph) -> None:
    """The shipped rules read transactions only in the simplest form: bound, none of them reads the
    scratch graph's triples of a transaction (their cost was in planning those joins)."""
    engine = FastEngine(kg)
    request = {"item": "1C902.b", "destination": "JP", "end_user": "Acme Widgets", "date": "2026-03-01"}
    tx = Screener(kg, "fast").resolve(ScreeningRequest.parse(request))
    for c in engine.constraints:
        query = engine.bound_query(c, [tx])
        assert query == _bound(c.select, tx.objects, dict(c.prefixes)).replace(T1, str(ox.NamedNode(tx.iri)))
        body = query[query.index("WHERE") :].replace(f"VALUES ?this {{ {ox.NamedNode(tx.iri)} }}", "")
        assert "$this" not in body and "?this" not in body, c.constraint
