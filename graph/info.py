"""What the graph holds: triple counts, resource counts and the content hash (`eckg info`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from graph.kg import KnowledgeGraph

KINDS = ("measures", "listings", "parties", "items", "countries", "sources", "instruments", "provisions")


@dataclass(frozen=True)
class GraphInfo:
    content_hash: str
    built_at: str
    reasoner: str
    eckg_version: str
    triples: dict[str, int]
    counts: dict[str, int]
    extra_data: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def graph_info(kg: KnowledgeGraph) -> GraphInfo:
    rows = kg.run("count_resources").records()
    found = {r["kind"]: int(r["count"]) for r in rows}
    triples = dict(kg.manifest.triples)
    if kg.extra:
        triples["extra"] = sum(e.triples for e in kg.extra)
    return GraphInfo(
        content_hash=kg.content_hash,
        built_at=kg.manifest.built_at,
        reasoner=kg.manifest.reasoner,
        eckg_version=kg.manifest.eckg_version,
        triples=triples,
        counts={kind: found.get(kind, 0) for kind in KINDS},
        extra_data=[asdict(e) for e in kg.extra],
    )
