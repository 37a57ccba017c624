"""Golden cases for the query catalogue: each runs one named query with fixed parameters on the built
graph (plus two fixed decisions) and compares the answer with an expected SPARQL JSON result file.

Regenerate after an intended change of facts or queries, then review the diff:

    .venv/bin/python tests/queries/goldens.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).parent / "golden"
DECISION_A = "00000000-0000-4000-8000-00000000000a"
DECISION_B = "00000000-0000-4000-8000-00000000000b"

CASES: list[dict[str, Any]] = [
    {"id": "count_resources", "query": "count_resources", "params": {}},
    {"id": "find_unsourced_facts", "query": "find_unsourced_facts", "params": {}},
    {"id": "get_measure-2026-1", "query": "get_measure", "params": {"measure": "msr:mofcom-2026-1"}},
    {"id": "get_measure-2025-57", "query": "get_measure", "params": {"measure": "msr:mofcom-2025-57"}},
    {
        "id": "list_legal_bases-2026-12",
        "query": "list_legal_bases",
        "params": {"measure": "msr:mofcom-2026-12"},
    },
    {
        "id": "list_sources-jaxa-listing",
        "query": "list_sources",
        "params": {"resource": "lsg:mofcom-2026-11-20"},
    },
    {
        "id": "list_measure_periods-2024-46-art-2",
        "query": "list_measure_periods",
        "params": {"measure": "msr:mofcom-2024-46-art-2-ban"},
    },
    {"id": "get_listing-nda", "query": "get_listing", "params": {"listing": "lsg:mofcom-2026-11-19"}},
    {
        "id": "list_classifications-jmsdf",
        "query": "list_classifications",
        "params": {"party": "pty:jmsdf", "class": "eckg:MilitaryEndUser"},
    },
    {"id": "list_claims-catalogue", "query": "list_claims", "params": {"subject": "ins:catalogue-2026"}},
    {
        "id": "list_item_measures-1C909.b",
        "query": "list_item_measures",
        "params": {"item": "itm:1C909.b", "date": "2026-11-23"},
    },
    {"id": "list_item_measures-all", "query": "list_item_measures", "params": {"date": "2025-10-15"}},
    {
        "id": "list_measures_in_force-JP",
        "query": "list_measures_in_force",
        "params": {"date": "2026-03-01", "destination": "JP"},
    },
    {
        "id": "list_measures_in_force-US-lists",
        "query": "list_measures_in_force",
        "params": {"date": "2025-06-01", "destination": "US", "kind": "eckg:ControlListDesignation"},
    },
    {
        "id": "list_listed_parties-watch",
        "query": "list_listed_parties",
        "params": {"list": "lst:watch-list", "date": "2026-03-01"},
    },
    {
        "id": "list_listed_parties-2026-11",
        "query": "list_listed_parties",
        "params": {"measure": "msr:mofcom-2026-11"},
    },
    {"id": "list_party_listings-nids", "query": "list_party_listings", "params": {"party": "pty:nids"}},
    {"id": "find_parties-mitsubishi-zh", "query": "find_parties", "params": {"name": "三菱重工"}},
    {"id": "find_parties-sdf-ja", "query": "find_parties", "params": {"name": "自衛隊"}},
    {"id": "find_items-samarium", "query": "find_items", "params": {"element": "Sm"}},
    {"id": "find_items-oxide-code", "query": "find_items", "params": {"code": "1C90", "name": "oxide"}},
    {"id": "find_items-zh-name", "query": "find_items", "params": {"name": "氧化铽"}},
    {
        "id": "list_timeline_events-US",
        "query": "list_timeline_events",
        "params": {"destination": "US", "from": "2025-11-01", "to": "2026-12-31"},
    },
    {
        "id": "list_party_names-subaru",
        "query": "list_party_names",
        "params": {},
        "filter": {"party": "https://w3id.org/eckg/id/party/subaru"},
    },
    {
        "id": "list_item_names-1C904",
        "query": "list_item_names",
        "params": {},
        "filter": {"item": "https://w3id.org/eckg/id/item/1C904.a.4"},
    },
    {"id": "list_end_uses", "query": "list_end_uses", "params": {}},
    {"id": "list_measures-watch", "query": "list_measures", "params": {"kind": "eckg:WatchListDesignation"}},
    {"id": "list_measures-US", "query": "list_measures", "params": {"destination": "US"}},
    {"id": "list_names-nda", "query": "list_names", "params": {"resource": "pty:nda"}},
    {"id": "get_party-jmsdf", "query": "get_party", "params": {"party": "pty:jmsdf"}},
    {"id": "list_party_relations-jsdf", "query": "list_party_relations", "params": {"party": "pty:jsdf"}},
    {
        "id": "list_related_listings-kawasaki",
        "query": "list_related_listings",
        "params": {"party": "pty:kawasaki-heavy-industries"},
    },
    {"id": "list_related_listings-all", "query": "list_related_listings", "params": {}},
    {"id": "get_item-1C904.a.4", "query": "get_item", "params": {"item": "itm:1C904.a.4"}},
    {"id": "list_item_relations-1C902", "query": "list_item_relations", "params": {"item": "itm:1C902"}},
    {"id": "get_source-udn", "query": "get_source", "params": {"source": "src:udn-2026-01-06"}},
    {
        "id": "list_facts_from_source-hk01-list",
        "query": "list_facts_from_source",
        "params": {"source": "src:hk01-2026-02-24-list"},
        "filter": {"kind": "listing"},
    },
    {
        "id": "explain_decision-a",
        "query": "explain_decision",
        "params": {"decision": f"https://w3id.org/eckg/id/decision/{DECISION_A}"},
        "concatenated": {"articles": " | ", "sources": " "},
    },
    {
        "id": "list_decisions_for_measure-2026-12",
        "query": "list_decisions_for_measure",
        "params": {"measure": "msr:mofcom-2026-12"},
    },
]


def golden_graph(kg=None):  # type: ignore[no-untyped-def]
    """The built graph (or `kg`) with two decisions of fixed id and time recorded."""
    from graph.kg import load_graph
    from graph.screening import Screener, ScreeningRequest
    from graph.screening.record import record

    kg = kg or load_graph()
    screener = Screener(kg)
    for decision_id, fields in (
        (DECISION_A, {"end_user": "JMSDF"}),
        (DECISION_B, {"end_user": "SUBARU Corporation", "end_use": "automotive"}),
    ):
        decision = screener.screen(
            ScreeningRequest.parse({"item": "1C902.b", "destination": "JP", "date": "2026-03-01", **fields})
        )
        decision.id, decision.decided_at = decision_id, "2026-11-23T00:00:00.000+00:00"
        record(kg, decision)
    return kg


def run_case(kg, case: dict[str, Any]):  # type: ignore[no-untyped-def]
    result = kg.run(case["query"], **case["params"])
    wanted = case.get("filter")
    if wanted:
        result.rows = [
            r for r in result.rows if all(r.get(k) is not None and r[k].value == v for k, v in wanted.items())
        ]
    return result


def _normalise(doc: dict, case: dict) -> list[tuple]:  # type: ignore[type-arg]
    rows, bnodes = [], {}  # blank node labels differ from build to build: number them as they appear
    for binding in doc["results"]["bindings"]:
        row = []
        for var in doc["head"]["vars"]:
            term = dict(binding.get(var, {}))
            if term.get("type") == "bnode":
                term["value"] = bnodes.setdefault(term["value"], f"b{len(bnodes)}")
            if var in case.get("concatenated", {}) and "value" in term:
                term["value"] = tuple(sorted(term["value"].split(case["concatenated"][var])))
            row.append(tuple(sorted(term.items())))
        rows.append(tuple(row))
    return rows


def check_golden(kg, case: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Assert that the case's query, run on kg, gives its golden result (order too, if it orders)."""
    from graph.catalogue import catalogue
    from graph.results import to_json

    expected = json.loads((GOLDEN / f"{case['id']}.srj").read_text(encoding="utf-8"))
    actual = json.loads(to_json(run_case(kg, case)))
    assert actual["head"] == expected["head"]
    ordered = " ORDER BY " in catalogue()[case["query"]].text.replace("\n", " ")
    got, want = _normalise(actual, case), _normalise(expected, case)
    assert got == want if ordered else sorted(got) == sorted(want), (
        f"{case['id']}: results differ from {case['id']}.srj; if the change is intended, regenerate with "
        "`.venv/bin/python tests/queries/goldens.py` and review the diff"
    )
    assert want or case["id"] == "find_unsourced_facts", "a golden case should return something"


def regenerate() -> None:
    from graph.results import to_json

    kg = golden_graph()
    for case in CASES:
        data = json.loads(to_json(run_case(kg, case)))
        (GOLDEN / f"{case['id']}.srj").write_text(
            json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    print(f"wrote {len(CASES)} golden results to {GOLDEN}", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    regenerate()
