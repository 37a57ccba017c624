"""Rule validation runs: a batch of transactions (CSV, JSON Lines or Turtle) in; decisions, a summary and a
standard sh:ValidationReport out.

The rule for bad input: the whole batch is rejected, naming every bad line (or transaction), and nothing
is written. Outputs are written to a temporary file and renamed into place, so they are never half-written.
CSV outputs escape cells that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from pydantic import ValidationError

from graph.audit import AuditLog
from graph.errors import FieldError, InputError, ParseError
from graph.namespaces import ECKG, bind_prefixes
from graph.parsing import parse_bytes
from graph.screening.decision import BLOCKING, Decision
from graph.screening.request import FIELDS, ScreeningRequest, field_error
from graph.screening.screen import Screener
from graph.screening.transaction import Resolved
from graph.terms import triples_to_rdflib

CHUNK = 5000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Row:
    where: str  # "line 3" or the transaction IRI
    request: ScreeningRequest


@dataclass
class RunResult:
    decisions: list[Decision]
    report: rdflib.Graph | None = None
    rows: list[Row] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(d.decision in BLOCKING for d in self.decisions)

    def summary(self) -> dict[str, Any]:
        by_decision = Counter(d.decision for d in self.decisions)
        by_measure: Counter[str] = Counter()
        for d in self.decisions:
            by_measure.update(
                {
                    r["measure"]["identifier"]
                    for r in d.reasons
                    if r.get("measure") and "conditional_on" not in r
                }
            )
        return {
            "transactions": len(self.decisions),
            "conforms": self.conforms,
            "decisions": {
                k: by_decision.get(k, 0)
                for k in ("prohibited", "undetermined", "enhanced_review", "license_required", "clear")
            },
            "measures": dict(sorted(by_measure.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


# ---------------------------------------------------------------- reading


def read_batch(path: Path, fmt: str | None = None) -> list[Row]:
    """Every transaction of a batch file; InputError lists every bad line and nothing is screened."""
    fmt = fmt or {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".ttl": "turtle"}.get(
        path.suffix.lower()
    )
    if fmt not in ("csv", "jsonl", "turtle"):
        raise InputError(
            f"{path}: give --input-format csv, jsonl or turtle (cannot tell from {path.suffix!r})"
        )
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: {e.strerror or e}") from None
    return parse_batch(data, fmt, str(path))


def parse_batch(data: bytes, fmt: str, source: str) -> list[Row]:
    if not data.strip():
        raise InputError(f"{source}: the batch is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ParseError(f"not valid UTF-8 (byte {e.start})", source=source) from None
    reader = {"csv": _csv_records, "jsonl": _jsonl_records, "turtle": _turtle_records}[fmt]
    rows, problems = [], []
    for where, record in reader(text, source):
        try:
            rows.append(Row(where, ScreeningRequest.model_validate(record)))
        except ValidationError as e:
            problems += [{**p, "line": where} for p in field_error(e).errors]
    if problems:
        raise FieldError(
            f"{source}: {len({p['line'] for p in problems})} transaction(s) are invalid; nothing was screened",
            errors=problems,
        )
    if not rows:
        raise InputError(f"{source}: the batch holds no transactions")
    return rows


def _csv_records(text: str, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    unknown = [c for c in reader.fieldnames or [] if c not in FIELDS]
    if not reader.fieldnames or unknown:
        raise FieldError(
            f"{source}: line 1: unknown column(s) {', '.join(map(repr, unknown)) or '(none)'}; "
            f"the columns are {', '.join(FIELDS)}",
            errors=[{"line": "line 1", "message": "bad header"}],
        )
    for record in reader:
        if None in record:
            raise ParseError("more cells than columns", source=source, line=reader.line_num)
        yield f"line {reader.line_num}", {k: v for k, v in record.items() if v not in (None, "")}


def _jsonl_records(text: str, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise ParseError(e.msg, source=source, line=number, column=e.colno) from None
        if not isinstance(record, dict):
            raise ParseError("each line must be a JSON object", source=source, line=number)
        yield f"line {number}", record


_TURTLE_FIELDS = {
    "itemText": "item",
    "item": "item",
    "destinationCountry": "destination",
    "endUserName": "end_user",
    "endUser": "end_user",
    "endUse": "end_use",
    "transactionDate": "date",
    "originCountry": "origin",
    "exporterCountry": "exporter_country",
    "consignee": "consignee",
    "exporter": "exporter",
    "quantity": "quantity",
    "value": "value",
}


def _turtle_records(text: str, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    graph = rdflib.Graph()
    for triple in triples_to_rdflib(parse_bytes(text.encode(), ox.RdfFormat.TURTLE, source)):
        graph.add(triple)
    for tx in sorted(graph.subjects(rdflib.RDF.type, ECKG.ExportTransaction), key=str):
        record: dict[str, Any] = {}
        for prop, name in _TURTLE_FIELDS.items():
            value = graph.value(tx, ECKG[prop])
            if value is not None and (name not in record or prop in ("item", "endUser")):
                record[name] = _turtle_value(name, value)
        yield str(tx), record


def _turtle_value(name: str, value: rdflib.term.Node) -> str:
    """Country IRIs become their code; other terms their IRI or lexical form."""
    text = str(value)
    if name in ("destination", "origin", "exporter_country") and isinstance(value, rdflib.URIRef):
        return text.rsplit("/", 1)[-1]
    return text


# ---------------------------------------------------------------- running


def run_batch(
    screener: Screener,
    rows: Sequence[Row],
    progress: Callable[[int], None] | None = None,
    audit: AuditLog | None = None,
) -> RunResult:
    """Decisions and the validation report for every row, screened set-at-a-time in chunks; each chunk's
    decisions are in the audit log (fsync'd) before the next chunk starts."""
    decisions: list[Decision] = []
    findings_graph = rdflib.Graph()
    for chunk_decisions, report in screen_chunks(screener, rows, audit):
        findings_graph += report
        decisions += chunk_decisions
        if progress:
            progress(len(chunk_decisions))
    return RunResult(decisions, _merge_reports(findings_graph), list(rows))


def screen_chunks(
    screener: Screener, rows: Sequence[Row], audit: AuditLog | None = None, chunk: int = CHUNK
) -> Iterator[tuple[list[Decision], rdflib.Graph]]:
    """Decisions and validation report chunk by chunk; recorded in the audit log before they are yielded."""
    for start in range(0, len(rows), chunk):
        resolved: list[Resolved] = [screener.resolve(r.request) for r in rows[start : start + chunk]]
        findings, report = screener.engine.report(resolved)
        decided = screener.decide(resolved, findings)
        if audit is not None:
            audit.append(decided, source="batch")
        yield decided, report


def _merge_reports(graph: rdflib.Graph) -> rdflib.Graph:
    """One sh:ValidationReport from the per-chunk reports."""
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    merged = bind_prefixes(rdflib.Graph())
    report = rdflib.BNode()
    merged.add((report, rdflib.RDF.type, sh.ValidationReport))
    conforms = all(bool(c) for c in graph.objects(None, sh.conforms))
    merged.add((report, sh.conforms, rdflib.Literal(conforms)))
    for result in graph.objects(None, sh.result):
        merged.add((report, sh.result, result))
        for p, o in graph.predicate_objects(result):
            merged.add((result, p, o))
    return merged


# ---------------------------------------------------------------- writing


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path` and rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def safe_cell(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula (OWASP: prefix with a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def decisions_jsonl(decisions: Sequence[Decision], rows: Sequence[Row]) -> bytes:
    return b"".join(
        (json.dumps({"row": row.where, **d.as_dict()}, ensure_ascii=False) + "\n").encode()
        for d, row in zip(decisions, rows, strict=True)
    )


CSV_COLUMNS = (
    "row",
    "id",
    "decision",
    "certainty",
    "as_of",
    "item",
    "item_resolved",
    "end_user",
    "end_user_resolved",
    "end_user_match",
    "destination",
    "measures",
    "messages",
)


def decisions_csv(decisions: Sequence[Decision], rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for d, row in zip(decisions, rows, strict=True):
        item, user = d.resolved["item"], d.resolved["end_user"]
        measures = sorted({r["measure"]["identifier"] for r in d.reasons if r.get("measure")})
        values = (
            row.where,
            d.id,
            d.decision,
            d.certainty,
            d.as_of.isoformat(),
            item["input"],
            item["label"] or "",
            user["input"],
            user["label"] or "",
            f"{user['strength']} {user['score']}",
            d.resolved["destination"],
            "; ".join(measures),
            " | ".join(r["message"] for r in d.reasons),
        )
        writer.writerow([safe_cell(v) for v in values])
    return buffer.getvalue().encode()
