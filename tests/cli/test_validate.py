"""`eckg validate`: batches in CSV, JSON Lines and Turtle; summary, report, decisions; bad input rejected whole."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import rdflib
from typer.testing import CliRunner

from graph.audit import AuditLog
from graph.batches import rows_at_most
from graph.kg import KnowledgeGraph

CSV = """item,destination,end_user,end_use,date,origin,exporter_country
1C902.b,JP,Japan Maritime Self-Defense Force,,2026-03-01,CN,CN
samarium oxide,JP,SUBARU Corporation,automotive,2026-03-01,CN,CN
1C909.b,JP,Acme Widgets,electronics,2026-03-01,CN,CN
"""


def test_csv_batch_summary_report_and_decisions(run_cli, tmp_path: Path) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(CSV)
    report, decisions = tmp_path / "report.ttl", tmp_path / "decisions.jsonl"
    done = run_cli(
        "validate", str(batch), "--report", str(report), "--decisions", str(decisions), "--format", "json"
    )
    assert done.returncode == 1, done.stderr  # one prohibited
    summary = json.loads(done.stdout)
    assert summary["decisions"] == {
        "prohibited": 1,
        "undetermined": 0,
        "enhanced_review": 1,
        "license_required": 0,
        "clear": 1,
    }
    assert summary["measures"]["MOFCOM Announcement 2026 No. 1"] == 1
    lines = [json.loads(line) for line in decisions.read_text().splitlines()]
    assert [(d["row"], d["decision"]) for d in lines] == [
        ("line 2", "prohibited"),
        ("line 3", "enhanced_review"),
        ("line 4", "clear"),
    ]
    graph = rdflib.Graph().parse(report)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, rdflib.Literal(False)) in graph
    assert len(set(graph.objects(None, sh.result))) >= 3


def test_a_conforming_batch_exits_0(run_cli, tmp_path: Path) -> None:
    batch = tmp_path / "ok.jsonl"
    batch.write_text(
        json.dumps(
            {
                "item": "1C902.b",
                "destination": "DE",
                "end_user": "Acme GmbH",
                "end_use": "electronics",
                "date": "2026-03-01",
            }
        )
        + "\n"
    )
    done = run_cli("validate", str(batch))
    assert done.returncode == 0, done.stderr
    assert "conforms: True" in done.stdout


def test_turtle_batch(run_cli, tmp_path: Path) -> None:
    batch = tmp_path / "batch.ttl"
    batch.write_text("""@prefix eckg: <https://w3id.org/eckg/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:tx:1> a eckg:ExportTransaction ; eckg:itemText "1C902.b" ; eckg:destinationCountry <https://w3id.org/eckg/id/country/JP> ;
  eckg:endUserName "JGSDF" ; eckg:transactionDate "2026-03-01"^^xsd:date .
""")
    done = run_cli("validate", str(batch), "--format", "json")
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["decisions"]["prohibited"] == 1


@pytest.mark.parametrize("workers", ["1", "2"])  # 2: screened in worker processes, which record it
def test_a_bad_row_rejects_the_batch_and_writes_nothing(run_cli, tmp_path: Path, workers: str) -> None:
    batch = tmp_path / "bad.csv"
    batch.write_text(CSV + "1C902.b,JAPAN,Acme,,2026-02-30,CN,CN\n")
    out, data = tmp_path / "decisions.csv", tmp_path / "data"
    done = run_cli(
        "validate",
        str(batch),
        "--decisions",
        str(out),
        "--report",
        str(tmp_path / "r.ttl"),
        "--workers",
        workers,
        env={"ECKG_DATA_DIR": str(data)},
    )
    assert done.returncode == 2
    assert "line 5" in done.stderr and "destination" in done.stderr and "date" in done.stderr
    assert not out.exists() and not (tmp_path / "r.ttl").exists()
    assert not list(tmp_path.glob(".*tmp*"))
    assert not list(AuditLog(data / "audit.jsonl").records()), "nothing screened, nothing recorded"


def test_malformed_files_name_the_line(run_cli, tmp_path: Path) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text('{"item": "1C902.b", "destination": "JP", "end_user": "x"}\n{"item": \n')
    done = run_cli("validate", str(batch))
    assert done.returncode == 2 and f"{batch}:2:" in done.stderr
    header = tmp_path / "header.csv"
    header.write_text("item,destination,enduser\n1C902,JP,x\n")
    done = run_cli("validate", str(header))
    assert done.returncode == 2 and "'enduser'" in done.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert run_cli("validate", str(empty)).returncode == 2
    binary = tmp_path / "latin1.csv"
    binary.write_bytes("item,destination,end_user\n1C902,JP,Caf\xe9\n".encode("latin-1"))
    done = run_cli("validate", str(binary))
    assert done.returncode == 2 and "UTF-8" in done.stderr


def test_csv_output_escapes_formula_cells(run_cli, tmp_path: Path) -> None:
    batch = tmp_path / "inject.csv"
    batch.write_text('item,destination,end_user,date\n1C902.b,DE,"=HYPERLINK(""http://evil"")",2026-03-01\n')
    out = tmp_path / "decisions.csv"
    done = run_cli("validate", str(batch), "--decisions", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["end_user"].startswith("'=")


def test_workers_give_the_same_decisions(run_cli, tmp_path: Path) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(CSV)
    outputs = {}
    for workers in ("1", "2"):
        decisions = tmp_path / f"decisions-{workers}.csv"
        done = run_cli("validate", str(batch), "--decisions", str(decisions), "--workers", workers)
        assert done.returncode == 1, done.stderr
        outputs[workers] = [(r["row"], r["decision"]) for r in csv.DictReader(decisions.open())]
    assert (
        outputs["1"]
        == outputs["2"]
        == [("line 2", "prohibited"), ("line 3", "enhanced_review"), ("line 4", "clear")]
    )


def test_outputs_that_cannot_be_written_are_refused_before_anything(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each named, exit 2, nothing screened or recorded: a report in no directory gave a traceback (after
    the batch was read and the graph opened), an output naming the batch replaced it with decisions, two
    outputs naming one file wrote both to it, and --format yaml was taken as text."""
    batch = tmp_path / "orders.csv"
    batch.write_text("item,destination,end_user\n1C902.b,JP,Acme\n")
    data = tmp_path / "data"
    cases = [
        (["--report", str(tmp_path / "none" / "r.ttl")], "--report", "which is not a directory"),
        (["--report", str(tmp_path)], "--report", "is a directory"),
        (["--decisions", str(batch)], "--decisions", "is the batch too"),
        (["--report", str(tmp_path / "x.csv"), "--decisions", str(tmp_path / "x.csv")], "--decisions", "too"),
        (["--format", "yaml"], "--format", "use text or json"),
    ]
    for args, option, message in cases:
        done = run_cli("validate", str(batch), *args, env={"ECKG_DATA_DIR": str(data)})
        assert done.returncode == 2, (args, done.stderr)
        assert option in done.stderr and message in done.stderr, done.stderr
    assert batch.read_text().startswith("item,destination") and not (data / "audit.jsonl").exists()


def test_an_output_that_cannot_be_opened_is_an_input_error(tmp_path: Path) -> None:
    from graph.errors import InputError
    from graph.validation import atomic_file

    (tmp_path / "file").write_text("")
    target = tmp_path / "file" / "out.csv"
    with pytest.raises(InputError, match=f"cannot write {re.escape(str(target))}: Not a directory"):
        atomic_file(target).__enter__()


def test_workers_start_before_the_batch_is_parsed(
    fresh_kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They load the graph while this process parses the rows (graph.workers.started_workers), and screen."""
    from graph.cli import app, screen_cmds

    calls: list[tuple[str, Any]] = []
    real_started, real_parse = screen_cmds.started_workers, screen_cmds.parse_batch

    @contextmanager
    def started(*args: Any) -> Iterator[Executor | None]:
        calls.append(("workers started", args[-1]))
        with real_started(*args) as pool:
            yield pool

    def parse(*args: Any) -> Any:
        calls.append(("rows parsed", None))
        return real_parse(*args)

    monkeypatch.setattr(screen_cmds, "started_workers", started)
    monkeypatch.setattr(screen_cmds, "parse_batch", parse)
    monkeypatch.setattr(screen_cmds, "load_graph", lambda data=(): fresh_kg)
    batch, decisions = tmp_path / "batch.csv", tmp_path / "decisions.csv"
    batch.write_text(CSV)
    done = CliRunner().invoke(app, ["validate", str(batch), "--workers", "2", "--decisions", str(decisions)])
    assert done.exit_code == 1, done.output
    assert calls == [("workers started", 2), ("rows parsed", None)]
    assert [r["decision"] for r in csv.DictReader(decisions.open())] == [
        "prohibited",
        "enhanced_review",
        "clear",
    ]
    assert len(list(AuditLog(fresh_kg.settings.audit_log).records())) == 3


def test_the_rows_a_batch_may_hold_are_known_before_it_is_parsed() -> None:
    assert rows_at_most(CSV.encode(), "csv") == 5  # a header, three rows, a last empty line: at most 5
    assert rows_at_most(b'{"a": 1}\n{"a": 2}', "jsonl") == 2
    assert rows_at_most(b"[]", "json") is None and rows_at_most(b"", "turtle") is None
