"""A decision: the outcome of screening one transaction, with its reasons — the JSON schema shared by the
CLI and the API.

Outcomes, most severe first: prohibited, undetermined, enhanced_review, license_required, clear.
(undetermined ranks above the outcomes it could hide: a shipment the graph cannot decide may not go as is.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from graph.ids import new_uuid

OUTCOMES = ("prohibited", "undetermined", "enhanced_review", "license_required", "clear")
RANK = {name: index for index, name in enumerate(OUTCOMES, start=1)}
BLOCKING = frozenset({"prohibited", "undetermined"})

_now: tuple[int, str] = (-1, "")


def utc_now() -> str:
    """The time now in UTC, to the millisecond, as ISO 8601 text (as datetime.now(UTC).isoformat(timespec=
    "milliseconds") writes it), made once per millisecond, in which a batch decides several transactions
    (0.2 us a call, against 2.8 us for making it each time)."""
    global _now
    ms = time.time_ns() // 1_000_000
    last = _now
    if last[0] != ms:
        seconds, part = divmod(ms, 1000)
        moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=part * 1000)
        last = _now = (ms, moment.isoformat(timespec="milliseconds"))
    return last[1]


@dataclass
class Decision:
    decision: str
    certainty: str
    as_of: date
    graph_hash: str
    engine: str
    reasons: list[dict[str, Any]]
    resolved: dict[str, Any]
    input: dict[str, Any]
    transaction: str
    caveats: list[str] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    id: str = field(default_factory=new_uuid)
    decided_at: str = field(default_factory=utc_now)
    eckg_version: str = ""

    @property
    def may_ship(self) -> bool:
        """False when the shipment may not go as is (prohibited, or the graph cannot decide)."""
        return self.decision not in BLOCKING

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "decision": self.decision,
            "certainty": self.certainty,
            "as_of": self.as_of.isoformat(),
            "reasons": self.reasons,
            "resolved": self.resolved,
            "caveats": self.caveats,
            "notes": self.notes,
            "input": self.input,
            "graph_hash": self.graph_hash,
            "engine": self.engine,
            "eckg_version": self.eckg_version,
            "transaction": self.transaction,
            "decided_at": self.decided_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        values = {
            k: data[k]
            for k in (
                "decision",
                "certainty",
                "graph_hash",
                "engine",
                "reasons",
                "resolved",
                "input",
                "transaction",
                "caveats",
                "notes",
                "id",
                "decided_at",
                "eckg_version",
            )
        }
        return cls(as_of=date.fromisoformat(data["as_of"]), **values)


def outcome_of(reasons: list[dict[str, Any]]) -> str:
    """The most severe outcome among the reasons, or clear when there are none."""
    return min((r["outcome"] for r in reasons), key=RANK.__getitem__, default="clear")
