"""Response models of the JSON API (they document the OpenAPI spec; tests check that the library's
decisions validate against them, so the two stay in step)."""

from __future__ import annotations

import builtins
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["prohibited", "undetermined", "enhanced_review", "license_required", "clear"]
Status = Literal["confirmed", "reported", "unverified", "conflicting"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Source(Model):
    iri: str
    url: str
    publisher: str | None
    date: str | None
    kind: str
    status: Status | None


class Article(Model):
    iri: str
    label: str | None
    basis: str = Field(description="stated in the text, stated by the spokesperson, or analyst's mapping")
    status: Status | None


class Period(Model):
    start: str
    end: str | None
    status: Status | None


class Instrument(Model):
    iri: str | None
    label: str | None
    number: str | None


class Measure(Model):
    iri: str
    identifier: str = Field(examples=["MOFCOM Announcement 2026 No. 1"])
    label: str | None
    kind: str | None
    status: Status | None
    issued: str | None
    effective_from: str | None
    effective_until: str | None
    instrument: Instrument | None
    note: str | None
    in_force_period: Period | None
    periods: list[Period]


class Listing(Model):
    iri: str
    party: str | None
    party_label: str | None
    list: str
    measure: str
    identifier: str
    position: int | None
    status: Status | None
    note: str | None
    sources: builtins.list[Source]


class Classification(Model):
    iri: str
    class_: str | None = Field(alias="class")
    party: str
    via_part_of: str | None
    status: Status | None
    sources: builtins.list[Source]


class ItemControl(Model):
    iri: str
    identifier: str
    in_force: bool
    period_status: Status | None
    designation_status: Status | None


class Rule(Model):
    shape: str | None
    constraint: str | None
    severity: str | None
    field: str | None


class Uncertain(Model):
    fact: str
    status: Status


class PossibleMatch(Model):
    iri: str
    label: str
    score: float


class Reason(Model):
    outcome: Outcome
    message: str
    status: Status
    uncertain: list[Uncertain]
    rule: Rule
    measure: Measure | None
    articles: list[Article]
    sources: builtins.list[Source]
    listing: Listing | None
    classification: Classification | None
    item_control: ItemControl | None
    possible_match: PossibleMatch | None = None
    conditional_on: dict[str, str] | None = None


class Candidate(Model):
    iri: str
    label: str
    score: float


class Resolution(Model):
    input: str
    iri: str | None
    label: str | None
    match: str
    score: float
    strength: Literal["exact", "strong", "weak", "none"]
    candidates: list[Candidate]
    note: str | None = None


class Resolved(Model):
    item: Resolution
    end_user: Resolution
    end_use: str | None
    consignee: Resolution | None
    exporter: Resolution | None
    destination: str
    origin: str
    exporter_country: str


class Note(Model):
    measure: str
    identifier: str
    periods: list[Period]


class Decision(Model):
    """A screening decision: the outcome, the reasons with their measures, articles and sources, what the
    input resolved to, and the graph version it was made on."""

    id: str
    decision: Outcome
    certainty: Status
    as_of: str
    reasons: list[Reason]
    resolved: Resolved
    caveats: list[str]
    notes: list[Note]
    input: dict[str, Any]
    graph_hash: str
    engine: str
    eckg_version: str
    transaction: str
    decided_at: str
    recorded_at: str | None = None
    source: str | None = None


class BatchSummary(Model):
    transactions: int
    conforms: bool
    decisions: dict[str, int]
    measures: dict[str, int]


class BatchResult(Model):
    summary: BatchSummary
    decisions: list[Decision]
