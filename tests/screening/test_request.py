"""Screening input: every wrong field is named, nothing is guessed."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import FieldError
from graph.screening import ScreeningRequest

GOOD = {"item": "1C902.b", "destination": "JP", "end_user": "Example", "date": "2026-03-01"}


def _fields(data: dict) -> set[str]:  # type: ignore[type-arg]
    with pytest.raises(FieldError) as caught:
        ScreeningRequest.parse(data)
    assert caught.value.status == 422 and caught.value.exit_code == 2
    return {e["field"] for e in caught.value.errors}


def test_defaults() -> None:
    request = ScreeningRequest.parse({"item": "1C902.b", "destination": "jp", "end_user": "x"})
    assert (request.origin, request.exporter_country, request.destination) == ("CN", "CN", "JP")
    assert request.as_of == date.today()


@pytest.mark.parametrize("missing", ["item", "destination", "end_user"])
def test_required_fields(missing: str) -> None:
    assert missing in _fields({k: v for k, v in GOOD.items() if k != missing})


def test_a_validators_message_is_given_as_it_is_written() -> None:
    """Without the "Value error, " pydantic puts before a validator's message."""
    with pytest.raises(FieldError) as caught:
        ScreeningRequest.parse({**GOOD, "destination": "XX", "date": "2026-02-30"})
    assert caught.value.errors == [
        {"field": "destination", "message": "'XX' is not an ISO 3166-1 alpha-2 country code"},
        {"field": "date", "message": "'2026-02-30' is not a day of the calendar"},
    ]
    assert str(caught.value) == (
        "invalid screening input: destination: 'XX' is not an ISO 3166-1 alpha-2 country code; "
        "date: '2026-02-30' is not a day of the calendar"
    )


def test_unknown_field_is_named() -> None:
    assert "colour" in _fields({**GOOD, "colour": "red"})


@pytest.mark.parametrize("bad", ["2026-02-30", "01/03/2026", "yesterday", "2026-13-01"])
def test_impossible_dates(bad: str) -> None:
    assert "date" in _fields({**GOOD, "date": bad})


@pytest.mark.parametrize("bad", [0, 86400, "86400", -7.7e-182, " ", "2026-3-1"])
def test_dates_are_written_as_days_never_as_timestamps(bad: object) -> None:
    assert "date" in _fields({**GOOD, "date": bad})


@pytest.mark.parametrize("bad", ["lifespan", "1e5", "NaN", float("inf"), "-1"])
def test_amounts_are_plain_non_negative_decimals(bad: object) -> None:
    assert "quantity" in _fields({**GOOD, "quantity": bad})


@pytest.mark.parametrize("blank", [" ", "\n\t", "\u3000"])
def test_blank_item_or_end_user_is_refused(blank: str) -> None:
    assert _fields({**GOOD, "item": blank, "end_user": blank}) == {"item", "end_user"}


def test_several_problems_are_all_reported() -> None:
    assert _fields({"item": "", "destination": "Japan", "end_user": "x", "quantity": "-3"}) == {
        "item",
        "destination",
        "quantity",
    }


def test_informational_numbers() -> None:
    request = ScreeningRequest.parse({**GOOD, "quantity": "12.5", "value": 1000})
    assert request.quantity == Decimal("12.5") and request.value == Decimal(1000)


def test_oversized_item_text() -> None:
    assert "item" in _fields({**GOOD, "item": "x" * 501})


@given(
    st.dictionaries(
        st.sampled_from(["item", "destination", "end_user", "date", "quantity", "nonsense"]),
        st.one_of(st.text(max_size=20), st.integers(), st.none()),
        max_size=6,
    )
)
def test_any_mapping_validates_or_names_a_field(data: dict) -> None:  # type: ignore[type-arg]
    try:
        ScreeningRequest.parse(data)
    except FieldError as error:
        assert error.errors and all(e["field"] and e["message"] for e in error.errors)


@pytest.mark.parametrize(
    "text", ["\u0085", "\ufeff", "\u3000", "\x1c", "\u200b", " \u00a0x\u2029", "\t", "a"], ids=ascii
)
def test_the_schema_and_the_validation_agree_on_what_is_blank(text: str) -> None:
    """The OpenAPI document's pattern (read as ECMA-262 regular expressions are) accepts a name exactly when
    validation does: "\\S" meant different spaces to each, and a schema-valid "\\u0085" was refused."""
    pattern = ScreeningRequest.model_json_schema()["properties"]["end_user"]["pattern"]
    assert "\\s" not in pattern.lower(), "spelled out, not a class whose meaning differs between engines"
    schema_valid = re.search(pattern, text) is not None
    try:
        ScreeningRequest.parse({"item": "1C902.b", "destination": "JP", "end_user": text})
        accepted = True
    except FieldError as e:
        assert e.errors == [{"field": "end_user", "message": "is empty or only white space"}]
        accepted = False
    assert accepted == schema_valid
