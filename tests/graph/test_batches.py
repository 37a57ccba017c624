"""Reading batches (graph.batches). CSV as spreadsheets save it: cells separated by commas, or by
semicolons or tabs (some locales), told apart by the header, which must name only fields; header names in
any case, with spaces or hyphens ('End user' is end_user); a column given twice is an error, not the last
one silently winning. Turtle: an eckg: property no transaction has is named, not read as a field left out."""

from __future__ import annotations

import pytest

from graph.batches import parse_batch
from graph.errors import FieldError


def _fields(data: str) -> list[dict[str, str]]:
    return [
        row.request.model_dump(mode="json", exclude_none=True)
        for row in parse_batch(data.encode(), "csv", "b.csv")
    ]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_the_separator_is_read_from_the_header(sep: str) -> None:
    data = sep.join(["item", "destination", "end_user", "date"]) + "\n"
    data += sep.join(["1C902.b", "JP", "Acme", "2026-03-01"]) + "\n"
    [row] = _fields(data)
    assert (row["item"], row["destination"], row["end_user"]) == ("1C902.b", "JP", "Acme")


def test_a_comma_file_may_hold_semicolons_in_its_cells() -> None:
    [row] = _fields('item,destination,end_user\n1C902.b,JP,"Acme; Widgets"\n')
    assert row["end_user"] == "Acme; Widgets"


def test_header_names_in_any_case_with_spaces_or_hyphens() -> None:
    [row] = _fields(" Item ,DESTINATION,End user,exporter-country\n1C902.b,JP,Acme,KR\n")
    assert (row["end_user"], row["exporter_country"]) == ("Acme", "KR")


def test_a_column_given_twice_is_refused() -> None:
    with pytest.raises(FieldError, match="column\\(s\\) 'item' given twice"):
        _fields("item,Item,destination,end_user\n1C902.b,x,JP,Acme\n")


def test_a_header_naming_something_else_is_named_as_given() -> None:
    with pytest.raises(FieldError, match="unknown column\\(s\\) 'item;destination;buyer'"):
        _fields("item;destination;buyer\n1C902.b;JP;Acme\n")


def test_a_turtle_transaction_with_an_unknown_eckg_property_is_named() -> None:
    data = b"""@prefix eckg: <https://w3id.org/eckg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:tx:1> a eckg:ExportTransaction ; eckg:itemText "1C902.b" ; eckg:destinationcountry "JP" ;
    eckg:endUserName "Acme" ; rdfs:comment "other vocabularies are left alone" .
"""
    with pytest.raises(FieldError) as caught:
        parse_batch(data, "turtle", "b.ttl")
    assert caught.value.errors == [
        {"row": "urn:tx:1", "field": "eckg:destinationcountry", "message": "not a property of a transaction"}
    ]
    assert "eckg:destinationCountry" in str(caught.value)
