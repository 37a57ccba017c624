"""Re-deriving a recorded decision: screen its input again, on the graph version it recorded, with the
same engine, and compare. Past graph versions are kept addressable by content hash: in the build cache,
or rebuilt from the snapshot of their inputs that every build leaves beside it."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import build as builder
from graph.errors import NotFound
from graph.kg import KnowledgeGraph, open_build
from graph.screening import Screener, ScreeningRequest
from graph.screening.decision import Decision
from graph.settings import Settings


@dataclass
class Verification:
    decision_id: str
    graph_hash: str
    graph_source: str  # "cache" or "snapshot"
    same: bool
    recorded: dict[str, Any]
    now: dict[str, Any]
    differences: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision_id,
            "graph_hash": self.graph_hash,
            "graph_source": self.graph_source,
            "verified": self.same,
            "recorded": self.recorded,
            "re_derived": self.now,
            "differences": self.differences,
        }


def graph_version(settings: Settings, content_hash: str) -> tuple[KnowledgeGraph, str]:
    """The graph of a past version: from the cache, or rebuilt from its snapshot; NotFound when gone."""
    if builder.is_built(settings.cache_dir, content_hash):
        return open_build(settings, builder.graph_dir(settings.cache_dir, content_hash)), "cache"
    snapshot = builder.snapshot_path(settings.cache_dir, content_hash)
    if not snapshot.is_file():
        raise NotFound(
            f"graph version {content_hash[:16]} is no longer in the cache and no snapshot of it is kept "
            f"under {settings.cache_dir}; the decision cannot be re-derived. (Was extra --data loaded? "
            "Then the version includes that data and is not kept.)"
        )
    with tempfile.TemporaryDirectory() as scratch:
        inputs = builder.inputs_from_snapshot(snapshot, Path(scratch))
        if inputs.content_hash != content_hash:
            raise NotFound(
                f"the snapshot of {content_hash[:16]} was made by another build format; rebuild it with that eckg version"
            )
        directory = builder.build(inputs, settings.cache_dir)
    return open_build(settings, directory), "snapshot"


def _summary(decision: Decision) -> dict[str, Any]:
    return {
        "decision": decision.decision,
        "certainty": decision.certainty,
        "reasons": sorted(
            f"{r['outcome']}: {(r.get('measure') or {}).get('identifier', '-')} [{(r.get('rule') or {}).get('constraint')}]"
            for r in decision.reasons
        ),
    }


def verify(settings: Settings, record: dict[str, Any]) -> Verification:
    recorded = Decision.from_dict(record)
    kg, source = graph_version(settings, recorded.graph_hash)
    request = ScreeningRequest.parse({**recorded.input, "date": recorded.as_of.isoformat()})
    engine = recorded.engine if recorded.engine in ("fast", "reference") else None
    again = Screener(kg, engine).screen(request)
    before, after = _summary(recorded), _summary(again)
    differences = [
        f"{key}: recorded {before[key]!r}, now {after[key]!r}" for key in before if before[key] != after[key]
    ]
    return Verification(recorded.id, recorded.graph_hash, source, not differences, before, after, differences)
