"""Reading batches: a file or body of transactions (CSV, a JSON array, JSON Lines or Turtle) into rows, each
validated as a screening request.

The rule for bad input: the whole batch is rejected, naming every bad line (or transaction); nothing is
screened. CSV is read as spreadsheets save it (graph.batches._csv_records).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from pydantic import ValidationError

from graph.errors import FieldError, InputError, ParseError
from graph.namespaces import ECKG
from graph.parsing import parse_bytes
from graph.screening.request import FIELDS, ScreeningRequest, field_error
from graph.terms import triples_to_rdflib


@dataclass
class Row:
    where: str  # "line 3" or the transaction IRI
    request: ScreeningRequest


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch builds its decisions: the collector would scan the
    growing heap again and again (a third of the run time at 100,000 transactions) and find nothing, as
    decisions hold no cycles. Switched back on at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ---------------------------------------------------------------- reading


BATCH_FORMATS = ("csv", "json", "jsonl", "turtle")
_EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".ttl": "turtle"}


def read_batch(path: Path, fmt: str | None = None) -> list[Row]:
    """Every transaction of a batch file; InputError lists every bad line and nothing is screened."""
    data, fmt = batch_bytes(path, fmt)
    return parse_batch(data, fmt, str(path))


def batch_bytes(path: Path, fmt: str | None = None) -> tuple[bytes, str]:
    """A batch file's bytes and its format (given, or from its extension); InputError if neither tells it,
    or if the file cannot be read."""
    fmt = fmt or _EXTENSIONS.get(path.suffix.lower())
    if fmt not in BATCH_FORMATS:
        raise InputError(
            f"{path}: give --input-format {', '.join(BATCH_FORMATS)} (cannot tell from {path.suffix!r})"
        )
    try:
        return path.read_bytes(), fmt
    except OSError as e:
        raise InputError(f"{path}: {e.strerror or e}") from None


def rows_at_most(data: bytes, fmt: str) -> int | None:
    """At most how many transactions a batch holds, known before it is parsed: its lines, for CSV and JSON
    Lines (one per line, but for a CSV cell holding a line break); None for the other formats."""
    return data.count(b"\n") + 1 if fmt in ("csv", "jsonl") else None


def parse_batch(data: bytes, fmt: str, source: str) -> list[Row]:
    if not data.strip():
        raise InputError(f"{source}: the batch is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ParseError(f"not valid UTF-8 (byte {e.start})", source=source) from None
    readers = {"csv": _csv_records, "json": _json_records, "jsonl": _jsonl_records, "turtle": _turtle_records}
    reader = readers[fmt]
    rows, problems = [], []
    with gc_paused():  # 100,000 rows: 2.5 -> 2.0 s, as the collector no longer rescans the growing list
        for where, record in reader(text, source):
            try:
                rows.append(Row(where, ScreeningRequest.model_validate(record)))
            except ValidationError as e:
                problems += [{**p, "row": where} for p in field_error(e).errors]
    if problems:
        raise FieldError(
            f"{source}: {len({p['row'] for p in problems})} transaction(s) are invalid; nothing was screened",
            errors=problems,
        )
    if not rows:
        raise InputError(f"{source}: the batch holds no transactions")
    return rows


def _csv_records(text: str, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each row as its non-empty cells by column, as csv.DictReader reads them (a blank line is no row; a
    short row lacks its last cells), with the line it ends on; a row with more cells than columns is an
    error. csv.reader with the header zipped in costs half of what DictReader does (0.5 s a 100,000-row
    file, before any is screened)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    given = next(reader, [])
    header = [_column(c) for c in given]
    unknown = [g for g, c in zip(given, header, strict=True) if c not in FIELDS]
    if not header or unknown:
        raise FieldError(
            f"{source}: line 1: unknown column(s) {', '.join(map(repr, unknown)) or '(none)'}; "
            f"the columns are {', '.join(FIELDS)}",
            errors=[{"row": "line 1", "message": "bad header"}],
        )
    if twice := sorted({c for c in header if header.count(c) > 1}):
        raise FieldError(
            f"{source}: line 1: column(s) {', '.join(map(repr, twice))} given twice",
            errors=[{"row": "line 1", "message": "bad header"}],
        )
    width = len(header)
    for row in reader:
        if not row:
            continue
        if len(row) > width:
            raise ParseError("more cells than columns", source=source, line=reader.line_num)
        # a short row's last cells are empty: zip stops at its end
        yield f"line {reader.line_num}", {k: v for k, v in zip(header, row, strict=False) if v}


def _column(name: str) -> str:
    """A header cell as a field name: case, surrounding space, and spaces or hyphens for '_' do not matter
    (a spreadsheet's 'End user' is end_user)."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


_DELIMITERS = (",", ";", "\t")


def _delimiter(text: str) -> str:
    """The character that separates the cells: a comma, or a semicolon or tab (as spreadsheets save CSV in
    some locales) where the header line, split by it, names only fields."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    for delimiter in _DELIMITERS:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        if len(cells) > 1 and all(_column(c) in FIELDS for c in cells):
            return delimiter
    return ","


def _json_records(text: str, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(e.msg, source=source, line=e.lineno, column=e.colno) from None
    if not isinstance(items, list):
        raise ParseError("a JSON batch is an array of transactions", source=source)
    for number, record in enumerate(items, start=1):
        if not isinstance(record, dict):
            raise ParseError(f"item {number} of the array is not a JSON object", source=source)
        yield f"item {number}", record


def _jsonl_records(text: str, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    # JSON Lines ends lines with \n (or \r\n) only: str.splitlines() would also split inside strings
    # holding U+0085, U+2028, \x1c ... which JSON allows unescaped.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
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
    transactions = sorted(graph.subjects(rdflib.RDF.type, ECKG.ExportTransaction), key=str)
    _refuse_unknown_properties(graph, transactions, source)
    for tx in transactions:
        record: dict[str, Any] = {}
        for prop, name in _TURTLE_FIELDS.items():
            value = graph.value(tx, ECKG[prop])
            if value is not None and (name not in record or prop in ("item", "endUser")):
                record[name] = _turtle_value(name, value)
        yield str(tx), record


def _refuse_unknown_properties(graph: rdflib.Graph, transactions: list[Any], source: str) -> None:
    """FieldError naming every eckg: property a transaction gives that is none of a transaction's (a typo
    would otherwise be read as a field left out); properties of other vocabularies are left alone."""
    known = {str(ECKG[prop]) for prop in _TURTLE_FIELDS}
    problems = [
        {
            "row": str(tx),
            "field": f"eckg:{p.removeprefix(str(ECKG))}",
            "message": "not a property of a transaction",
        }
        for tx in transactions
        for p in sorted({str(p) for p in graph.predicates(tx, None)})
        if p.startswith(str(ECKG)) and p not in known
    ]
    if problems:
        properties = ", ".join(f"eckg:{prop}" for prop in _TURTLE_FIELDS)
        raise FieldError(
            f"{source}: {len(problems)} unknown propert{'y' if len(problems) == 1 else 'ies'} of a transaction; "
            f"nothing was screened (the properties are {properties})",
            errors=problems,
        )


def _turtle_value(name: str, value: rdflib.term.Node) -> str:
    """Country IRIs become their code; other terms their IRI or lexical form."""
    text = str(value)
    if name in ("destination", "origin", "exporter_country") and isinstance(value, rdflib.URIRef):
        return text.rsplit("/", 1)[-1]
    return text
