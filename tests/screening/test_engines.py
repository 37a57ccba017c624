"""Differential test: the fast engine and pySHACL agree, finding for finding and decision for decision,
and write isomorphic validation reports, on generated transactions around every boundary date."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date, timedelta

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from graph.kg import KnowledgeGraph
from graph.screening import Screener, ScreeningRequest, engines
from graph.screening.engines import FastEngine, ReferenceEngine, fill_message
from graph.screening.memo import ResultMemo

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


@pytest.fixture(scope="module")
def reference_findings(kg: KnowledgeGraph, batch) -> set:  # type: ignore[no-untyped-def,type-arg]
    return {f.key() for f in ReferenceEngine(kg).findings(batch)}


@pytest.mark.parametrize("reuse", [True, False], ids=["reusing", "set-at-a-time"])
@pytest.mark.parametrize("focus_limit", [engines.FOCUS_LIMIT, 0, 10_000], ids=["focus", "unbound", "values"])
def test_findings_agree(
    kg: KnowledgeGraph,
    batch,  # type: ignore[no-untyped-def]
    reference_findings: set,  # type: ignore[type-arg]
    reuse: bool,
    focus_limit: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engines, "FOCUS_LIMIT", focus_limit)
    fast = {f.key() for f in FastEngine(kg, reuse=reuse).findings(batch)}
    assert fast == reference_findings
    assert len(fast) > 40, "the generated batch should exercise the rules"


def test_transactions_screened_one_at_a_time_agree(
    kg: KnowledgeGraph,
    batch,  # type: ignore[no-untyped-def]
    reference_findings: set,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Alone, a transaction's values are written into the rules' queries (graph.screening.inline), and
    since no shipped rule could then read its triples, they are not written to the store at all."""
    engine = FastEngine(kg, reuse=False)
    assert engine._alone_without_scratch

    def refused(quads: object) -> None:
        raise AssertionError("a scratch graph was written")

    monkeypatch.setattr(kg.store, "bulk_add", refused)
    assert {f.key() for tx in batch for f in engine.findings([tx])} == reference_findings


def test_a_rule_that_could_read_the_scratch_graph_keeps_it(kg: KnowledgeGraph) -> None:
    for changed in ({"others": ("*",)}, {"others": ("https://w3id.org/eckg/ontology#item",)}):
        engine = FastEngine(kg, reuse=False)
        first = engine.constraints[0].constraint
        read = engine.reads[first]
        assert read is not None
        engine.reads[first] = replace(read, **changed)
        assert not engine._alone_without_scratch, changed
    engine = FastEngine(kg, reuse=False)
    c = engine.constraints[0]
    path = replace(
        c, select=c.select.replace("$this eckg:endUser ?party .", "$this eckg:endUser/eckg:partOf ?party .")
    )
    assert path.select != c.select
    engine.constraints = [path, *engine.constraints[1:]]
    assert engine._templates[c.constraint].reads_this and not engine._alone_without_scratch


def test_reports_are_isomorphic(kg: KnowledgeGraph, batch) -> None:  # type: ignore[no-untyped-def]
    _, fast = FastEngine(kg).report(batch)
    _, reference = ReferenceEngine(kg).report(batch)
    assert isomorphic(fast.graph(), reference.graph())
    written = rdflib.Graph().parse(data=fast.serialize("turtle"), format="turtle")
    assert isomorphic(written, reference.graph()), "the Turtle the fast engine writes is the same report"
    node = ox.BlankNode("report")
    lines = ox.serialize(
        fast.head_triples(node, fast.conforms), format=ox.RdfFormat.N_TRIPLES
    ) + fast.result_ntriples(node)
    assert isomorphic(rdflib.Graph().parse(data=lines, format="nt"), reference.graph()), (
        "the N-Triples of a run too"
    )


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
    assert len(engine.memo), "one-by-one screening should remember results"
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


def test_domains_spare_runs(kg: KnowledgeGraph, batch) -> None:  # type: ignore[no-untyped-def]
    """The values a rule's patterns can join (memo domains) show many transactions of the generated batch
    to have no results without running the rule — the batch test_findings_agree checks against pySHACL."""
    engine = FastEngine(kg)

    def unmatched(memo: ResultMemo) -> int:
        return sum(
            1
            for tx in batch
            for key in memo.keys(engine.constraints, tx)
            if key is not None and key[1] == "unmatched"
        )

    without = ResultMemo(engine.reads, [])
    with_domains = ResultMemo(engine.reads, [], engine.memo.domains)
    assert unmatched(with_domains) > unmatched(without) + len(batch)


def test_reuse_across_dates_is_exact(kg: KnowledgeGraph) -> None:
    """Results are reused between days of one date class: screening every boundary day and the days
    between them one by one, with reuse, finds what a run without reuse finds."""
    fast = Screener(kg, "fast")
    boundaries = sorted(_boundary_dates(kg))
    days = boundaries + [
        (date.fromisoformat(a) + (date.fromisoformat(b) - date.fromisoformat(a)) / 2).isoformat()
        for a, b in itertools.pairwise(boundaries)
    ]
    txs = [
        fast.resolve(
            ScreeningRequest.parse(
                {"item": item, "destination": "JP", "end_user": user, "date": day, "end_use": use}
            )
        )
        for day in days
        for item, user, use in (
            ("1C902.b", "JMSDF", None),
            ("1C909.b", "SUBARU", "civilian"),
            ("1C912.b", "Acme", "automotive"),
        )
    ]
    reusing = FastEngine(kg)
    one_by_one = {f.key() for tx in txs for f in reusing.findings([tx])}
    assert one_by_one == {f.key() for f in FastEngine(kg, reuse=False).findings(txs)}
    classes, start = reusing.memo.dates, date(2025, 1, 1)
    day = next(
        start + timedelta(days=n)
        for n in range(700)
        if classes.of((start + timedelta(days=n)).isoformat())
        == classes.of((start + timedelta(days=n + 1)).isoformat())
    )
    inside = [day.isoformat(), (day + timedelta(days=1)).isoformat()]
    request = {"item": "1C902.b", "destination": "JP", "end_user": "Acme"}
    reusing.findings([fast.resolve(ScreeningRequest.parse({**request, "date": inside[0]}))])
    before = len(reusing.memo)
    reusing.findings([fast.resolve(ScreeningRequest.parse({**request, "date": inside[1]}))])
    assert len(reusing.memo) == before, "two days between the same graph dates share their results"


def test_scratch_graphs_are_removed(kg: KnowledgeGraph, batch) -> None:  # type: ignore[no-untyped-def]
    FastEngine(kg).findings(batch)
    assert not [g for g in kg.store.graph_names() if "/graph/scratch/" in g]


def test_message_templates_fill_like_pyshacl() -> None:
    assert (
        fill_message("Under {?measureId} for {$this}.", {"measureId": "X No. 1", "this": "urn:t"})
        == "Under X No. 1 for urn:t."
    )
    assert fill_message("{?value} and {$value}", {"value": "\\1 \\s"}) == "\\1 \\s and \\1 \\s"


@pytest.mark.parametrize(
    "text",
    [
        "x\\sy",
        "a\\1b",
        "line\\nbreak",
        "back\\",
        # written into the rules' queries as a literal (graph.screening.inline): still one literal
        'say "x" } . ?s ?p ?o',
        "\\u0022 } UNION { \\u0022",
        "tab\there",
    ],
)
def test_a_backslash_in_a_transaction_is_taken_literally_by_both_engines(
    kg: KnowledgeGraph, text: str
) -> None:
    """pySHACL read a value as a replacement template: 'x\\sy' as an item failed the validation
    (re.error), and '\\n' became a line break (graph.screening.pyshacl_messages mends it). Quotes,
    braces and escapes stay the item's text too where the fast engine writes it into a query."""
    request = ScreeningRequest.parse(
        {"item": text, "destination": "JP", "end_user": "Acme Widgets", "date": "2026-03-01"}
    )
    fast, reference = Screener(kg, "fast").screen(request), Screener(kg, "reference").screen(request)
    assert fast.decision == reference.decision == "undetermined"
    assert [r["message"] for r in fast.reasons] == [r["message"] for r in reference.reasons]
    assert f"the item '{text}' was not identified" in fast.reasons[0]["message"]


def test_a_large_batch_runs_the_rules_once_per_key(
    kg: KnowledgeGraph,
    batch,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A batch of thousands (a chunk of a run) reuses results as one screening does: 25 copies of the
    generated batch, each transaction under IRIs of its own, run the rules over at most the batch once; the
    findings are those of every transaction run afresh."""
    copies = [replace(tx, iri=f"{tx.iri}-{n}") for n in range(25) for tx in batch]  # 2,000 transactions
    engine = FastEngine(kg)
    ran: list[int] = []
    run = engine._run
    monkeypatch.setattr(engine, "_run", lambda cs, txs: ran.append(len(txs)) or run(cs, txs))
    found = {f.key() for f in engine.findings(copies)}
    assert ran and ran[0] <= len(batch), "each key is run once, not once per transaction"
    assert found == {f.key() for f in FastEngine(kg, reuse=False).findings(copies)}
