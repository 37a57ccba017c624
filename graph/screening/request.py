"""The input of a screening: one proposed export, validated field by field."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from graph.countries import country_codes
from graph.errors import FieldError, validation_message
from graph.vocabulary import end_use_names

FIELDS = (
    "item",
    "destination",
    "end_user",
    "end_use",
    "date",
    "origin",
    "exporter_country",
    "consignee",
    "exporter",
    "quantity",
    "value",
)
# documented upper case; lower case accepted
_COUNTRY_ENUM: dict[str, Any] = {"enum": sorted(country_codes())}
# Leading and trailing white space is stripped; something must be left. White space is spelled out: `\S`
# means one thing in the OpenAPI document (ECMA-262: U+FEFF is a space, U+0085 is not) and another here
# (Unicode White_Space: the reverse), so a schema-valid "\u0085" was refused as blank.
_NOT_BLANK = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_AMOUNT_TEXT = r"^[0-9]+(\.[0-9]+)?$"
_AMOUNT = re.compile(_AMOUNT_TEXT)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _amount(value: Any) -> Any:
    if isinstance(value, str) and not _AMOUNT.fullmatch(value.strip()):
        raise ValueError(f"{value!r} is not a non-negative decimal number")
    return value


def _iso_day(value: Any) -> Any:
    """Days are written YYYY-MM-DD (not as numbers, which pydantic would read as Unix timestamps)."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")
    return _day(value)


@lru_cache(maxsize=4096)
def _day(text: str) -> dt.date:
    """The day a YYYY-MM-DD text names (a batch repeats its days: each is read once)."""
    if not _DAY.fullmatch(text.strip()):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the calendar") from None


@lru_cache(maxsize=1024)
def _country_code(code: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a text gives, in capitals; None if it gives none."""
    value = code.strip().upper()
    return value if value in country_codes() else None


Day = Annotated[dt.date, BeforeValidator(_iso_day)]
"""A calendar day given as YYYY-MM-DD; impossible days (2026-02-30) are refused."""

Amount = Annotated[
    Decimal,
    Field(ge=0, allow_inf_nan=False),
    BeforeValidator(_amount),
    WithJsonSchema(
        {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": _AMOUNT_TEXT}]}
    ),
]


class ScreeningRequest(BaseModel):
    """A proposed export. Same field names in the CLI (--end-user ...) and the API (end_user ...)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    item: str = Field(
        min_length=1,
        pattern=_NOT_BLANK,
        max_length=500,
        description="Control-list code (1C902, 1C902.b), item IRI, or name in en/ja/zh.",
        examples=["1C902.b"],
    )
    destination: str = Field(
        min_length=2,
        max_length=2,
        description="Destination country, ISO 3166-1 alpha-2.",
        examples=["JP"],
        json_schema_extra=_COUNTRY_ENUM,
    )
    end_user: str = Field(
        min_length=1,
        pattern=_NOT_BLANK,
        max_length=500,
        description="End user: party IRI or name in any script.",
        examples=["Japan Maritime Self-Defense Force"],
    )
    end_use: Annotated[str, WithJsonSchema({"type": "string", "enum": list(end_use_names())})] | None = Field(
        default=None,
        max_length=100,
        description="End-use id or name in en/ja/zh (see GET /end-uses; matched ignoring case and spacing).",
        examples=["civilian"],
    )
    date: Day | None = Field(
        default=None, description="Day to judge on (default: today).", examples=["2026-03-01"]
    )
    origin: str = Field(
        default="CN",
        min_length=2,
        max_length=2,
        description="Country of origin of the item.",
        json_schema_extra=_COUNTRY_ENUM,
    )
    exporter_country: str = Field(
        default="CN",
        min_length=2,
        max_length=2,
        description="Country the export leaves from.",
        json_schema_extra=_COUNTRY_ENUM,
    )
    consignee: str | None = Field(
        default=None, max_length=500, description="Importer or consignee (name or IRI)."
    )
    exporter: str | None = Field(
        default=None, max_length=500, description="Exporter (name or IRI); informational."
    )
    quantity: Amount | None = Field(default=None, description="Quantity; informational.")
    value: Amount | None = Field(default=None, description="Declared value; informational.")

    @field_validator("destination", "origin", "exporter_country")
    @classmethod
    def _country(cls, code: str) -> str:
        value = _country_code(code)
        if value is None:
            raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
        return value

    @field_validator("end_use", "consignee", "exporter", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def as_of(self) -> dt.date:
        return self.date or dt.date.today()

    @classmethod
    def parse(cls, data: dict[str, Any]) -> ScreeningRequest:
        """Validate a mapping of fields; FieldError names every field that is wrong."""
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            raise field_error(e) from None

    @classmethod
    def parse_json(cls, data: bytes | str) -> ScreeningRequest:
        """Validate a JSON object of fields; FieldError names every field that is wrong, or "(body)" when
        the text is not a JSON object. (Parsed and validated in one pass: half the time of json.loads and
        then validating the dict.)"""
        try:
            return cls.model_validate_json(data)
        except ValidationError as e:
            raise field_error(e) from None


def field_error(error: ValidationError, prefix: str = "") -> FieldError:
    problems = [
        {"field": prefix + ".".join(str(p) for p in item["loc"]) or "(body)", "message": _message(item)}
        for item in error.errors(include_url=False)
    ]
    summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return FieldError(f"invalid screening input: {summary}", errors=problems)


def _message(item: Any) -> str:
    if item["type"] == "extra_forbidden":
        return f"unknown field; the fields are {', '.join(FIELDS)}"
    if item["type"] == "missing":
        return "required field missing"
    blank = item["type"] == "string_pattern_mismatch" and item.get("ctx", {}).get("pattern") == _NOT_BLANK
    if blank or (item["type"] == "string_too_short" and item.get("ctx", {}).get("min_length") == 1):
        return "is empty or only white space"
    return validation_message(item)
