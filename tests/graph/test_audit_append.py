"""`AuditLog.append`: whole lines, durable before it returns; writers wait for each other's write, not for
each other's fsync (two server workers share one log)."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from graph import audit
from graph.audit import AuditLog
from graph.errors import AuditUnavailable
from graph.kg import KnowledgeGraph
from graph.screening import Screener, ScreeningRequest
from graph.screening.decision import Decision


@pytest.fixture(scope="module")
def decision(kg: KnowledgeGraph) -> Decision:
    request = ScreeningRequest(
        item="1C902.b", destination="JP", end_user="Japan Maritime Self-Defense Force", date="2026-03-01"
    )
    return Screener(kg).screen(request)


def test_the_lines_are_flushed_before_append_returns_and_the_lock_is_free_meanwhile(
    decision: Decision, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    seen: list[tuple[int, bool]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        written = log.path.read_bytes().count(b"\n")  # our lines are in the file already
        other = os.open(log.path, os.O_RDONLY)
        try:  # another writer could take the lock now: it does not wait for this flush
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            free = True
        except BlockingIOError:
            free = False
        finally:
            os.close(other)
        seen.append((written, free))
        real_fsync(fd)

    monkeypatch.setattr(audit.os, "fsync", fsync)
    log.append([decision, replace(decision, id="second")], source="test")
    assert seen == [(2, True)]


def test_a_slow_flush_is_logged(
    decision: Decision, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The disk's slow flushes are the service's slow answers: each is named in the log, and only those."""
    log = AuditLog(tmp_path / "audit.jsonl")
    delays = iter([0.0, audit.SLOW_FSYNC * 1.5])
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        time.sleep(next(delays))

    monkeypatch.setattr(audit.os, "fsync", fsync)
    with caplog.at_level(logging.WARNING, logger="eckg.audit"):
        log.append([decision], source="test")
        assert caplog.records == []
        log.append([decision], source="test")
    (record,) = caplog.records
    assert record.getMessage().startswith("slow audit fsync: 1")
    assert f"for {len(log.path.read_bytes()) // 2} bytes" in record.getMessage()


def test_a_torn_last_line_is_ended_and_ours_kept_whole(decision: Decision, tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b'{"id": "torn by a cra')
    log = AuditLog(path)
    log.append([decision], source="test")
    lines = path.read_bytes().split(b"\n")
    assert lines[0] == b'{"id": "torn by a cra' and json.loads(lines[1])["id"] == decision.id
    assert [record["id"] for _, record in log.records()] == [decision.id]


def test_writers_side_by_side_leave_every_line_whole(decision: Decision, tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"

    def write(n: int) -> None:
        log = AuditLog(path)  # each its own descriptor, as each server worker has
        for i in range(20):
            log.append([replace(decision, id=f"{n}-{i}-{j}") for j in range(5)], source="test")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [json.loads(line)["id"] for line in path.read_bytes().splitlines()]
    assert sorted(ids) == sorted(f"{n}-{i}-{j}" for n in range(4) for i in range(20) for j in range(5))


def test_a_log_that_cannot_be_written_is_an_error_naming_it(decision: Decision, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    log = AuditLog(tmp_path / "a-file" / "data" / "audit.jsonl")
    with pytest.raises(AuditUnavailable, match=r"cannot record in the audit log .*a-file/data/audit\.jsonl"):
        log.append([decision], source="cli")
    assert AuditUnavailable.exit_code == 3 and AuditUnavailable.status == 503


def test_a_screening_that_cannot_be_recorded_gives_no_decision(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a-file").write_text("not a directory")
    done = run_cli(
        "screen",
        "--item",
        "1C902.b",
        "--destination",
        "JP",
        "--end-user",
        "JMSDF",
        "--date",
        "2026-03-01",
        env={"ECKG_DATA_DIR": str(tmp_path / "a-file" / "data")},
    )
    assert done.returncode == 3 and done.stdout == ""
    assert "cannot record in the audit log" in done.stderr and "Traceback" not in done.stderr
