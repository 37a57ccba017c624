"""Screening behaviour beyond single rules: possible matches, caveats, notes, the decision schema."""

from __future__ import annotations

import pytest

from graph.kg import KnowledgeGraph
from graph.screening import Screener, ScreeningRequest
from graph.screening.decision import OUTCOMES


@pytest.fixture(scope="module")
def screener(kg: KnowledgeGraph) -> Screener:
    return Screener(kg)


def screen(screener: Screener, **fields: str):  # type: ignore[no-untyped-def]
    return screener.screen(
        ScreeningRequest.parse({"item": "1C902.b", "destination": "JP", "date": "2026-03-01", **fields})
    )


def test_a_possible_match_with_a_listed_party_is_undetermined(screener: Screener) -> None:
    decision = screen(screener, end_user="Mitsubishi Heavy Industries Aero")
    assert decision.decision == "undetermined"
    possible = [
        r["possible_match"]["iri"].rsplit("/", 1)[1] for r in decision.reasons if "possible_match" in r
    ]
    assert possible[0] == "mhi-aero-engines"
    assert all("Confirm or rule out" in r["message"] for r in decision.reasons if "possible_match" in r)
    conditional = [r for r in decision.reasons if "conditional_on" in r]
    assert conditional and conditional[0]["outcome"] == "prohibited"
    assert not decision.may_ship


def test_a_strong_match_with_an_unlisted_party_is_taken(screener: Screener) -> None:
    decision = screen(screener, end_user="Kawasaki Heavy Industrie", end_use="civilian")
    assert decision.resolved["end_user"]["iri"].endswith("kawasaki-heavy-industries")
    assert decision.decision == "license_required"


def test_a_group_name_that_a_listed_unit_contains_is_a_possible_match(screener: Screener) -> None:
    decision = screen(screener, end_user="Kawasaki Heavy Industries Group", end_use="civilian")
    assert decision.decision == "undetermined"
    assert decision.reasons[0]["possible_match"]["iri"].endswith("khi-aerospace-systems")


def test_an_unmatched_end_user_is_a_caveat_not_a_guess(screener: Screener) -> None:
    decision = screen(screener, end_user="Acme Widgets", end_use="electronics")
    assert decision.decision == "license_required"
    assert any("matches no party" in c for c in decision.caveats)
    assert (  # and says what was looked for
        "The end user 'Acme Widgets' matches no party in the graph (no name scores 75 or more, contains the "
        "input or is contained in it): no list or military end-user check found it; check the name."
    ) in decision.caveats


def test_an_item_name_matching_no_entry_says_so_of_the_item(screener: Screener) -> None:
    decision = screen(screener, item="ceramic tiles", end_user="JMSDF")
    assert decision.decision == "undetermined"
    assert decision.caveats == [
        "The item 'ceramic tiles' matches no entry in the graph (no name scores 75 or more, contains the input "
        "or is contained in it)."
    ]


def test_an_item_name_matching_entries_weakly_names_them_and_is_not_called_missing(
    screener: Screener,
) -> None:
    """A weak match is no match (the decision is undetermined), but the item may be in the graph: the reason
    does not say it is not, and a caveat names the entries it may be."""
    decision = screen(screener, item="samarium", end_user="JMSDF")
    assert decision.decision == "undetermined"
    assert "was not identified as an entry of the knowledge graph" in decision.reasons[0]["message"]
    assert "not in the knowledge graph" not in decision.reasons[0]["message"]
    [caveat] = decision.caveats
    assert caveat.startswith(
        "The item 'samarium' matches no entry for certain; it may be: 1C902.a samarium metal, "
        "samarium-containing alloys and related products (72.7); 1C902.b samarium oxide"
    )


def test_missing_end_use_is_a_caveat(screener: Screener) -> None:
    assert any("No end use given" in c for c in screen(screener, end_user="Acme Widgets").caveats)


def test_dates_after_the_facts_review_are_flagged(screener: Screener) -> None:
    decision = screen(screener, end_user="Acme Widgets", end_use="electronics", date="2027-06-01")
    assert any("last reviewed on 2026-11-23" in c for c in decision.caveats)


def test_a_clear_decision_notes_the_measure_that_is_not_in_force(screener: Screener) -> None:
    decision = screen(screener, item="1C909.b", end_user="Acme Widgets", end_use="electronics")
    assert decision.decision == "clear"
    assert [n["identifier"] for n in decision.notes] == ["MOFCOM/GAC Announcement 2025 No. 57"]


def test_reason_traces_measure_articles_period_and_sources(screener: Screener) -> None:
    decision = screen(screener, end_user="JMSDF")
    reason = next(r for r in decision.reasons if r["outcome"] == "prohibited")
    assert reason["measure"]["identifier"] == "MOFCOM Announcement 2026 No. 1"
    assert reason["measure"]["in_force_period"] == {"start": "2026-01-06", "end": None, "status": "confirmed"}
    assert reason["articles"][0]["basis"] == "stated in the text"
    assert {a["status"] for a in reason["articles"] if a["basis"] == "analyst's mapping"} == {"unverified"}
    assert reason["sources"] and all(s["url"].startswith("http") and s["status"] for s in reason["sources"])
    assert reason["classification"]["via_part_of"] == "Ministry of Defense"
    assert reason["item_control"]["identifier"] == "MOFCOM/GAC Announcement 2025 No. 18"


def test_decision_schema(screener: Screener) -> None:
    data = screen(screener, end_user="JMSDF").as_dict()
    assert set(data) >= {
        "id",
        "decision",
        "certainty",
        "as_of",
        "reasons",
        "resolved",
        "caveats",
        "input",
        "graph_hash",
        "engine",
        "transaction",
        "decided_at",
    }
    assert data["decision"] in OUTCOMES
    assert (
        data["resolved"]["end_user"]["iri"].endswith("jmsdf") and data["resolved"]["end_user"]["score"] == 100
    )
