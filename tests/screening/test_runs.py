"""Runs from a batch to files (graph.runs): in this process and in worker processes, the same decisions,
tally and report; the report is the one pySHACL writes; a bad row rejects the batch before anything."""

from __future__ import annotations

import csv
import gc
import io
import json
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from graph.audit import AuditLog
from graph.batches import Row, _csv_records, parse_batch
from graph.errors import FieldError, ParseError
from graph.kg import KnowledgeGraph
from graph.runs import spans, validate_to_files
from graph.screening import Screener
from graph.screening.engines import ReferenceEngine

from .test_engines import generated_requests

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rows(kg: KnowledgeGraph) -> list[Row]:
    records = [r.model_dump(mode="json", exclude_none=True) for r in generated_requests(kg, 120, seed=11)]
    return parse_batch("\n".join(json.dumps(r) for r in records).encode(), "jsonl", "generated")


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _decided(path: Path) -> list[tuple[str, str, str]]:
    return [(r["row"], r["decision"], r["measures"]) for r in _csv(path)]


@pytest.mark.parametrize(
    ("total", "chunk", "workers"), [(100_000, 5000, 2), (12_345, 500, 3), (7, 3, 2), (1, 5, 2)]
)
def test_chunks_for_workers_cover_every_row_once_and_shrink_at_the_end(
    total: int, chunk: int, workers: int
) -> None:
    parts = list(spans(total, chunk, workers))
    starts, ends = [start for start, _ in parts], [end for _, end in parts]
    assert starts == [0, *ends[:-1]] and ends[-1] == total, "every row, in order, once"
    sizes = [end - start for start, end in parts]
    assert max(sizes) <= chunk and min(sizes) >= 1
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True), "never larger than the one before (but the rest)"
    if total >= 4 * workers * chunk:
        assert sizes[0] == chunk and sizes[-2] <= chunk // 5, "full chunks first, small ones last"
    assert list(spans(0, chunk, workers)) == []


def test_workers_decide_as_this_process_does(kg: KnowledgeGraph, rows: list[Row], tmp_path: Path) -> None:
    screener = Screener(kg)
    runs = {}
    for workers in (1, 2):
        out = tmp_path / str(workers)
        out.mkdir()
        audit = AuditLog(out / "audit.jsonl")
        tally = validate_to_files(
            screener,
            rows,
            decisions=out / "d.csv",
            report=out / "r.ttl",
            workers=workers,
            audit=audit,
            chunk=25,
        )
        runs[workers] = (tally.as_dict(), _decided(out / "d.csv"), out / "r.ttl")
        assert len(list(audit.records())) == len(rows), "every decision is in the audit log"
        assert [r[0] for r in runs[workers][1]] == [r.where for r in rows], "rows keep their order"
    assert runs[1][:2] == runs[2][:2]
    one, two = (rdflib.Graph().parse(runs[w][2], format="turtle") for w in (1, 2))
    assert len(one) == len(two) and len(one) > 100


def test_the_report_is_the_reference_engines(kg: KnowledgeGraph, rows: list[Row], tmp_path: Path) -> None:
    screener = Screener(kg)
    validate_to_files(screener, rows, report=tmp_path / "fast.ttl", chunk=40)
    resolved = [screener.resolve(r.request) for r in rows]
    _, reference = ReferenceEngine(kg).report(resolved)
    written = rdflib.Graph().parse(tmp_path / "fast.ttl", format="turtle")
    # the run made its own transaction IRIs: results are compared without their focus node
    assert _results(written) == _results(reference.graph())
    assert set(written.objects(None, SH.conforms)) == set(reference.graph().objects(None, SH.conforms))


def _results(graph: rdflib.Graph) -> list[tuple[str, ...]]:
    props = (SH.sourceConstraint, SH.resultPath, SH.value, SH.resultMessage, SH.resultSeverity)
    return sorted(tuple(str(graph.value(r, p)) for p in props) for r in graph.objects(None, SH.result))


def test_jsonl_decisions(kg: KnowledgeGraph, rows: list[Row], tmp_path: Path) -> None:
    validate_to_files(Screener(kg), rows[:10], decisions=tmp_path / "d.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert [d["row"] for d in lines] == [r.where for r in rows[:10]]
    assert all(d["reasons"] is not None and d["graph_hash"] == kg.content_hash for d in lines)


def test_an_unknown_end_use_rejects_the_batch_before_anything(kg: KnowledgeGraph, tmp_path: Path) -> None:
    data = b"item,destination,end_user,end_use\n1C902.b,JP,Acme,civilian\n1C902.b,JP,Acme,moon base\n"
    rows = parse_batch(data, "csv", "batch.csv")
    audit = AuditLog(tmp_path / "audit.jsonl")
    with pytest.raises(FieldError) as caught:
        validate_to_files(
            Screener(kg), rows, decisions=tmp_path / "d.csv", report=tmp_path / "r.ttl", audit=audit
        )
    assert [e["row"] for e in caught.value.errors] == ["line 3"]
    assert not (tmp_path / "d.csv").exists() and not (tmp_path / "r.ttl").exists()
    assert not list(audit.records())


def test_json_lines_split_on_newlines_only() -> None:
    # JSON allows U+2028, U+0085 and \x1c unescaped inside strings; str.splitlines() would cut there.
    records = [
        {"item": "1C902.b", "destination": "JP", "end_user": "A\u2028B\x85C\x1cD"},
        {"item": "1C902.b", "destination": "JP", "end_user": "E"},
    ]
    text = "\r\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    rows = parse_batch(text.encode(), "jsonl", "test")
    assert [(r.where, r.request.end_user) for r in rows] == [
        ("line 1", "A\u2028B\x85C\x1cD"),
        ("line 2", "E"),
    ]


def test_a_json_array_batch_names_bad_items() -> None:
    good = {"item": "1C902.b", "destination": "JP", "end_user": "E"}
    rows = parse_batch(json.dumps([good, good]).encode(), "json", "test")
    assert [r.where for r in rows] == ["item 1", "item 2"]
    with pytest.raises(FieldError) as caught:
        parse_batch(json.dumps([good, {**good, "destination": "XX"}]).encode(), "json", "test")
    assert [(e["row"], e["field"]) for e in caught.value.errors] == [("item 2", "destination")]


def test_parsing_a_batch_leaves_the_garbage_collector_as_it_found_it() -> None:
    good = {"item": "1C902.b", "destination": "JP", "end_user": "E", "date": "2026-03-01"}
    assert gc.isenabled()
    parse_batch(json.dumps([good]).encode(), "json", "test")
    assert gc.isenabled()
    with pytest.raises(FieldError):
        parse_batch(json.dumps([{**good, "date": "2026-02-30"}]).encode(), "json", "test")
    assert gc.isenabled(), "re-enabled when the batch is rejected too"
    with pytest.raises(ParseError):
        parse_batch(b"[1]", "json", "test")
    assert gc.isenabled(), "and when it cannot be parsed"


def test_csv_rows_read_as_dict_reader_reads_them() -> None:
    """Rows as csv.DictReader gives them (blank lines skipped, short rows, quoted line breaks, empty cells
    left out), each named by the line it ends on; a row with more cells than columns names its line."""
    text = (
        "item,destination,end_user,date\n"
        "1C902.b,JP,Acme,2026-03-01\n"
        "\n"
        '1C909.b,DE,"Two\nLines",\n'
        "1C912.b,KR\n"
        ",,,\n"
        "1C902.b,JP,,2026-04-01\r\n"
    )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    expected = [
        (f"line {reader.line_num}", {k: v for k, v in record.items() if v not in (None, "")})
        for record in reader
    ]
    assert list(_csv_records(text, "t.csv")) == expected
    assert [where for where, _ in expected] == ["line 2", "line 5", "line 6", "line 7", "line 8"]
    with pytest.raises(ParseError) as caught:
        list(_csv_records("item,destination,end_user\n1C902.b,JP,Acme\n1C902.b,JP,Acme,extra\n", "t.csv"))
    assert caught.value.line == 3
