"""The store `eckg query` and `eckg sparql` run over: the built graph, the extra data given and every
decision in the audit log, as the SPARQL endpoint's worker has it (graph.endpoint), in this process.
With the graph in a remote store, the queries run there, and the decisions recorded here since the last
run are sent to it first (`push_decisions`).

It is kept on disk between runs (<data_dir>/query/store), so that a run adds only the decisions recorded
since the last one: turning the whole log into RDF in memory for every query does not do once it holds
millions (500,000 decisions are 15 million triples). It is a store of its own, not the endpoint's: SPARQL
Update at the endpoint does not reach it. A run waits for another one using it to end (queries are short;
a second copy would be made, and brought up to the whole log, from nothing).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from graph.audit import AuditLog, decision_quad_batches
from graph.decisions_view import sync_decisions
from graph.endpoint import QueryService, open_store
from graph.errors import StoreUnavailable
from graph.kg import KnowledgeGraph
from graph.namespaces import GRAPH_DECISIONS
from graph.store import EmbeddedStore


@contextlib.contextmanager
def query_store(kg: KnowledgeGraph) -> Iterator[EmbeddedStore]:
    """The kept store, opened and brought up to date with the audit log; closed and let go after."""
    path = kg.settings.data_dir / "query" / "store"
    with _held(path):
        config = replace(QueryService.for_graph(kg).config, store_path=str(path))
        try:
            store = open_store(config)
        except OSError as e:
            raise StoreUnavailable(f"the query store {path} could not be opened: {e}") from None
        try:
            sync_decisions(store, config.audit_path)
            yield store
        finally:
            store.close()


@contextlib.contextmanager
def _held(path: Path) -> Iterator[None]:
    """Hold the store at `path` for this run (an flock on a file beside it), waiting for a run holding it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o640)
    except OSError as e:
        raise StoreUnavailable(f"the query store {path} cannot be used: {e.strerror or e}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def push_decisions(kg: KnowledgeGraph) -> None:
    """Send the remote store of `kg` the decisions this data directory's audit log recorded since the last
    push to it, a batch at a time, each followed by the offset it reached (kept per store URL in
    <data_dir>/query/pushed.json). The whole log is sent again when it was rotated, or when the remote's
    decisions graph is empty (dropped since); a batch sent twice changes nothing there. Before, the whole
    log went with every query."""
    assert kg.settings.store_url
    marks_path = kg.settings.data_dir / "query" / "pushed.json"
    marks = _read_marks(marks_path)
    log = AuditLog(kg.settings.audit_log)
    file, end = log.mark()
    mark = marks.get(kg.settings.store_url, {})
    start = int(mark.get("offset", 0)) if mark.get("file") == file else 0
    if start > end or (start and not kg.query(_ANY_DECISION).boolean):
        start = 0
    if start == end:
        return
    for quads, reached in decision_quad_batches(log, GRAPH_DECISIONS, start, end):
        if quads:
            kg.store.add(quads)
        marks[kg.settings.store_url] = {"file": file, "offset": reached}
        _write_marks(marks_path, marks)


_ANY_DECISION = f"ASK {{ GRAPH <{GRAPH_DECISIONS}> {{ ?decision a eckg:Decision }} }}"


def _read_marks(path: Path) -> dict[str, dict[str, Any]]:
    try:
        marks = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):  # none yet, or unreadable: the log is sent whole again
        return {}
    return marks if isinstance(marks, dict) else {}


def _write_marks(path: Path, marks: dict[str, dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(marks), encoding="utf-8")
    temporary.replace(path)
