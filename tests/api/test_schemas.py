"""api.schemas.response_json writes a library dict as its response model would, without validating it."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from pydantic import BaseModel, TypeAdapter

from api.schemas import BatchSummary, Decision, response_json
from graph.kg import KnowledgeGraph
from graph.screening import Screener

from ..screening.test_engines import generated_requests


def _through_model(model: type[BaseModel], data: dict[str, Any]) -> Any:
    adapter = TypeAdapter(model)
    return orjson.loads(adapter.dump_json(adapter.validate_python(data), by_alias=True))


@pytest.fixture(scope="module")
def decisions(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    screener = Screener(kg)
    return [d.as_dict() for d in screener.screen_many(generated_requests(kg, 300, seed=11))]


def test_decisions_are_written_as_the_model_writes_them(decisions: list[dict[str, Any]]) -> None:
    kept = copy.deepcopy(decisions)
    lacking = 0
    for data in decisions:
        assert orjson.loads(response_json(Decision, data)) == _through_model(Decision, data)
        lacking += "recorded_at" not in data
    assert decisions == kept, "the library's dicts (shared reasons, audit records) are never changed"
    assert lacking == len(decisions)  # the case that matters: optional fields the library leaves out


def test_optional_fields_at_every_depth_are_written_as_null(decisions: list[dict[str, Any]]) -> None:
    data = next(d for d in decisions if d["reasons"] and "note" not in d["resolved"]["item"])
    written = orjson.loads(response_json(Decision, data))
    assert written["recorded_at"] is None and written["source"] is None
    assert written["resolved"]["item"]["note"] is None
    assert all("possible_match" in r and "conditional_on" in r for r in written["reasons"])


def test_a_model_without_optional_fields_is_written_as_it_is() -> None:
    data = {"transactions": 2, "conforms": False, "decisions": {"clear": 2}, "measures": {}}
    assert orjson.loads(response_json(BatchSummary, data)) == data == _through_model(BatchSummary, data)
