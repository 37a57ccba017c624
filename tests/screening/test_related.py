"""A party whose subsidiaries, parent companies or parts are on a list: the rules do not prohibit the export
for it (a listing names only the party listed), and the decision names the listed parties as a caveat."""

from __future__ import annotations

import pytest

from graph.kg import KnowledgeGraph
from graph.screening import Screener, ScreeningRequest
from graph.screening.decision import Decision
from graph.screening.related import RelatedListings

MHI_SUBSIDIARIES = (
    "Mitsubishi Heavy Industries Aero Engines, Ltd., Mitsubishi Heavy Industries Engine & Turbocharger, Ltd., "
    "Mitsubishi Heavy Industries Marine Machinery & Equipment Co., Ltd., Mitsubishi Heavy Industries "
    "Maritime Systems, Ltd. and Mitsubishi Heavy Industries Shipbuilding Co."
)


@pytest.fixture(scope="module")
def screener(kg: KnowledgeGraph) -> Screener:
    return Screener(kg)


def screen(screener: Screener, **fields: str) -> Decision:
    request = {"item": "1C902.b", "destination": "JP", "date": "2026-07-01", "end_use": "civilian", **fields}
    return screener.screen(ScreeningRequest.parse(request))


def _related(decision: Decision) -> list[str]:
    return [c for c in decision.caveats if c.startswith("Parties related to")]


def test_the_parent_of_listed_subsidiaries_is_not_prohibited_and_is_told_of_them(screener: Screener) -> None:
    decision = screen(screener, end_user="Mitsubishi Heavy Industries")
    assert decision.decision == "license_required"
    assert _related(decision) == [
        "Parties related to the end user Mitsubishi Heavy Industries are on a list on 2026-07-01: its "
        f"subsidiaries {MHI_SUBSIDIARIES} (export control list, MOFCOM Announcement 2026 No. 11). A listing "
        "names only the party listed: make sure the goods are not for them."
    ]


def test_before_the_listing_there_is_nothing_to_tell(screener: Screener) -> None:
    assert _related(screen(screener, end_user="Mitsubishi Heavy Industries", date="2026-02-23")) == []
    assert _related(screen(screener, end_user="Mitsubishi Heavy Industries", date="2026-02-24"))


def test_a_consignee_with_a_listed_subsidiary_and_a_listed_part(screener: Screener) -> None:
    decision = screen(screener, end_user="Acme Widgets", consignee="Kawasaki Heavy Industries")
    [caveat] = _related(decision)
    assert caveat.startswith("Parties related to the consignee Kawasaki Heavy Industries are on a list")
    assert (
        "its subsidiary KAWAJU Gifu Engineering Co., Ltd. (export control list, MOFCOM Announcement" in caveat
    )
    assert "its part Kawasaki Heavy Industries Aerospace Systems Company (export control list," in caveat


def test_a_prohibited_export_needs_no_such_caveat(screener: Screener) -> None:
    listed = screen(screener, end_user="Mitsubishi Heavy Industries Shipbuilding Co.")
    ministry = screen(screener, end_user="Japan Ministry of Defense")
    assert listed.decision == ministry.decision == "prohibited"
    assert _related(listed) == _related(ministry) == []


def test_a_listing_not_confirmed_says_so(kg: KnowledgeGraph) -> None:
    ministry = "https://w3id.org/eckg/id/party/jp-mod"
    listed = {r.label: r.designation for r in RelatedListings(kg).on(ministry, "2026-07-01")}
    assert listed["National Institute for Defense Studies"].endswith(", reported")
    assert (
        listed["National Defense Academy of Japan"] == "export control list, MOFCOM Announcement 2026 No. 11"
    )
    assert "National Institute for Defense Studies" not in {
        r.label for r in RelatedListings(kg).on(ministry, "2026-06-28")
    }
