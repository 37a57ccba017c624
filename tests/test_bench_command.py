"""The benchmark's batch figure times `eckg validate` as users run it (bench.run._validate_command): its own
process, and every decision recorded in an audit log. Its warm start is `eckg screen` the same way
(bench.run._screen_command)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.run import _screen_command, _validate_command
from graph.kg import KnowledgeGraph
from graph.settings import Settings

BATCH = Path(__file__).parent.parent / "examples" / "batch.csv"


@pytest.fixture(autouse=True)
def built_graph(kg: KnowledgeGraph, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # the command finds the graph this run built, as a user's command finds their cache
    monkeypatch.setenv("ECKG_CACHE_DIR", str(settings.cache_dir))


def test_the_command_writes_its_outputs_and_records_every_decision(tmp_path: Path) -> None:
    seconds = _validate_command(BATCH, tmp_path, 4)
    assert seconds > 0
    assert len((tmp_path / "validate-data" / "audit.jsonl").read_text().splitlines()) == 4
    assert len((tmp_path / "decisions-command.csv").read_text().splitlines()) == 1 + 4
    assert "ValidationReport" in (tmp_path / "report-command.nt").read_text()


def test_each_run_records_into_an_audit_log_of_its_own(tmp_path: Path) -> None:
    # the figure is the median of several runs: each must do the same work, not append to a growing log
    for _ in range(2):
        _validate_command(BATCH, tmp_path, 4)
        assert len((tmp_path / "validate-data" / "audit.jsonl").read_text().splitlines()) == 4


def test_a_command_that_screened_another_number_of_rows_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="not 5 transactions"):
        _validate_command(BATCH, tmp_path, 5)


def test_a_command_that_fails_is_an_error_with_its_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("item,destination,end_user,date\n1C902.b,ZZ,Example Motor Works,2026-03-01\n")
    with pytest.raises(RuntimeError, match=r"(?s)failed \(2\).*'ZZ' is not an ISO 3166-1"):
        _validate_command(bad, tmp_path, 1)
    assert not (tmp_path / "decisions-command.csv").exists()


def test_the_warm_start_is_a_new_process_screening_and_recording(tmp_path: Path) -> None:
    assert _screen_command(tmp_path) > 0
    [record] = (tmp_path / "screen-data" / "audit.jsonl").read_text().splitlines()
    assert '"decision":"prohibited"' in record and '"source":"cli"' in record
