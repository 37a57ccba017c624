"""An audit log replaced under a running process (rotated: renamed away and started anew, or cut short):
decisions are looked up in the file now at the log's path, never by offsets into the one it replaced —
a decision that moved away is not found, rather than another decision read in its place."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from graph.audit import AuditLog
from graph.errors import NotFound


def _write(path: Path, ids: list[str], mode: str = "a") -> None:
    with path.open(mode, encoding="utf-8") as f:
        f.writelines(json.dumps({"id": i, "decision": "clear", "note": "x" * 40}) + "\n" for i in ids)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "audit.jsonl"
    _write(path, [f"old-{n}" for n in range(5)])
    return path


def test_a_rotated_log_is_indexed_anew(path: Path) -> None:
    log = AuditLog(path)
    assert log.get("old-3")["id"] == "old-3"
    os.rename(path, path.with_suffix(".jsonl.1"))
    _write(path, ["new-0", "new-1"])  # shorter than the old file
    assert log.get("new-1")["id"] == "new-1"
    with pytest.raises(NotFound):
        log.get("old-3")


def test_a_rotated_log_grown_past_the_old_one_is_indexed_anew(path: Path) -> None:
    """The new file is as long as the old one by the time it is read: only its identity tells."""
    log = AuditLog(path)
    assert log.get("old-4")["id"] == "old-4"
    os.rename(path, path.with_suffix(".jsonl.1"))
    _write(path, [f"new-{n}" for n in range(10)])
    assert log.get("new-0")["id"] == "new-0"
    with pytest.raises(NotFound):
        log.get("old-4")
    assert log.get("new-9")["id"] == "new-9"


def test_a_log_cut_short_in_place_is_indexed_anew(path: Path) -> None:
    log = AuditLog(path)
    assert log.get("old-2")["id"] == "old-2"
    _write(path, ["new-0"], mode="w")  # the same file, truncated and written again
    assert log.get("new-0")["id"] == "new-0"
    with pytest.raises(NotFound):
        log.get("old-2")


def test_a_log_removed_finds_nothing(path: Path) -> None:
    log = AuditLog(path)
    assert log.get("old-0")["id"] == "old-0"
    path.unlink()
    with pytest.raises(NotFound):
        log.get("old-0")


def test_a_log_rotated_away_as_it_is_opened_reads_as_empty(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renamed away after a reader saw it there and before it opened it: no log, not an OSError."""
    log = AuditLog(path)
    os.rename(path, path.with_suffix(".jsonl.1"))
    monkeypatch.setattr(Path, "exists", lambda self: True)  # as a check made a moment before would say
    assert list(log.records()) == []
    assert list(log.select()) == [] and list(log.select(limit=2)) == []
    with pytest.raises(NotFound):
        log.get("old-3")
