"""`AuditLog.find` (eckg audit verify ID): a whole id, or a unique start of one of at least SHORT_ID
characters, as `eckg audit` shows it; a start that fits several ids, or too short a start, is an input
error naming the problem; an id the log does not hold is not found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.audit import SHORT_ID, AuditLog
from graph.errors import FieldError, NotFound

IDS = [
    "7a5fe45b-56f3-49b7-91dc-7c6aa0394f04",
    "7a5fe45b-0000-4000-8000-000000000001",  # the same first 8 characters
    "aa6f82b0-1d2c-4b5e-8f00-5e5e5e5e5e5e",
]


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    path = tmp_path / "audit.jsonl"
    path.write_text("".join(json.dumps({"id": i, "decision": "clear"}) + "\n" for i in IDS), encoding="utf-8")
    return AuditLog(path)


@pytest.mark.parametrize(
    ("given", "found"),
    [
        (IDS[0], IDS[0]),  # whole, though it starts another one's id too
        ("aa6f82b0", IDS[2]),
        ("AA6F82B0-1d", IDS[2]),  # case does not matter, nor how much more is given
        ("7a5fe45b-56", IDS[0]),
    ],
)
def test_a_whole_id_or_a_unique_start_finds_the_decision(log: AuditLog, given: str, found: str) -> None:
    assert log.find(given)["id"] == found


def test_a_start_of_several_ids_asks_for_more(log: AuditLog) -> None:
    with pytest.raises(FieldError, match="start of 2 ids") as raised:
        log.find("7a5fe45b")
    assert IDS[0] in str(raised.value) and IDS[1] in str(raised.value)


def test_a_start_shorter_than_short_id_is_refused(log: AuditLog) -> None:
    with pytest.raises(FieldError, match=f"at least its first {SHORT_ID} characters"):
        log.find("aa6f82b")


def test_an_id_not_in_the_log_is_not_found(log: AuditLog) -> None:
    with pytest.raises(NotFound, match="00000000"):
        log.find("00000000")
