"""Items by code, IRI or name; end uses by id or label; countries by ISO code."""

from __future__ import annotations

import pytest

from graph.errors import FieldError
from graph.kg import KnowledgeGraph
from graph.screening.request import ScreeningRequest
from graph.screening.resolve import Resolver

ITEM = "https://w3id.org/eckg/id/item/"


@pytest.fixture(scope="module")
def resolver(kg: KnowledgeGraph) -> Resolver:
    return Resolver.for_graph(kg)


@pytest.mark.parametrize(
    ("text", "item", "match"),
    [
        ("1C902", "1C902", "code"),
        ("1C902.b", "1C902.b", "code"),
        ("1c902.B", "1C902.b", "code"),
        (" 1C904.a.4 ", "1C904.a.4", "code"),
        ("1C902.z", "1C902", "parent-code"),
        ("itm:1C902.b", "1C902.b", "iri"),
        (f"{ITEM}1C903.c", "1C903.c", "iri"),
        ("samarium oxide", "1C902.b", "name"),
        ("氧化钐", "1C902.b", "name"),
        ("氧化钐及其混合物", "1C902.b", "name"),
        ("Samarium-cobalt permanent magnet materials", "1C902.a", "name"),
        ("dysprosium oxide", "dysprosium-related-items", "name"),
        ("gallium", "gallium-related-items", "name"),
    ],
)
def test_items_resolve(resolver: Resolver, text: str, item: str, match: str) -> None:
    result = resolver.item(text)
    assert (result.iri, result.match) == (ITEM + item, match)


def test_a_parent_code_match_says_so(resolver: Resolver) -> None:
    assert "1C902.z is not in the graph" in (resolver.item("1C902.z").note or "")


def test_an_unknown_code_is_unresolved_with_a_reason(resolver: Resolver) -> None:
    result = resolver.item("3A001")
    assert (
        result.iri is None
        and result.note == "no entry has this code: the graph holds only the entries its sources confirm"
    )


def test_an_unknown_iri_is_unresolved(resolver: Resolver) -> None:
    assert resolver.item("https://example.org/nothing").iri is None


@pytest.mark.parametrize(
    ("text", "use"),
    [
        ("civilian", "civilianUse"),
        ("Military", "militaryUse"),
        ("军事用途", "militaryUse"),
        ("自動車", "automotiveUse"),
        ("WMD", "wmdUse"),
    ],
)
def test_end_uses_resolve_by_id_or_label(resolver: Resolver, text: str, use: str) -> None:
    assert resolver.end_use(text) == f"https://w3id.org/eckg/ontology#{use}"


def test_an_unknown_end_use_lists_the_valid_ones(resolver: Resolver) -> None:
    with pytest.raises(FieldError) as caught:
        resolver.end_use("space tourism")
    message = caught.value.errors[0]["message"]
    assert caught.value.errors[0]["field"] == "end_use"
    assert "military-capability-enhancement" in message and "civilian" in message


@pytest.mark.parametrize("code", ["XX", "J", "JPN", "12", "", "ZZ"])
@pytest.mark.parametrize("field", ["destination", "origin", "exporter_country"])
def test_bad_country_codes_are_field_errors(code: str, field: str) -> None:
    with pytest.raises(FieldError) as caught:
        ScreeningRequest.parse({"item": "1C902", "destination": "JP", "end_user": "Acme", field: code})
    assert [e["field"] for e in caught.value.errors] == [field]


def test_country_codes_are_upper_cased() -> None:
    request = ScreeningRequest.parse(
        {"item": "1C902", "destination": " jp ", "end_user": "Acme", "origin": "cn"}
    )
    assert (request.destination, request.origin) == ("JP", "CN")
