"""The decisions graph of a store on disk: the RDF view of the audit log (the log is the record), brought
up to date with it by offset. The SPARQL endpoint's stores (graph.endpoint) and the store of `eckg query`
(graph.query_store) each hold one.

How far into which log file the view has been brought is kept in the store's meta graph: a log replaced
since (rotated: another file at the path) or cut short is viewed anew from its start.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.audit import AuditLog, decision_quad_batches
from graph.namespaces import GRAPH_DECISIONS, ID
from graph.store import EmbeddedStore
from graph.terms import value_of

META_GRAPH = ID + "graph/endpoint-meta"
META = ox.NamedNode(ID + "endpoint")
_AUDIT_OFFSET = ox.NamedNode(ID + "endpoint#auditOffset")
# which file the offset is into: a rotated log is another
_AUDIT_FILE = ox.NamedNode(ID + "endpoint#auditFile")


def audit_mark(store: EmbeddedStore) -> tuple[int, str | None]:
    """How far into which audit log file the decisions graph has been brought."""
    meta = ox.NamedNode(META_GRAPH)
    offset = list(store.oxigraph.quads_for_pattern(META, _AUDIT_OFFSET, None, meta))
    file = list(store.oxigraph.quads_for_pattern(META, _AUDIT_FILE, None, meta))
    return (
        int(value_of(offset[0].object)) if offset else 0,
        value_of(file[0].object) if file else None,
    )


def audit_mark_quads(offset: int, file: str | None) -> list[ox.Quad]:
    meta = ox.NamedNode(META_GRAPH)
    return [
        ox.Quad(META, _AUDIT_OFFSET, ox.Literal(str(offset)), meta),
        *([ox.Quad(META, _AUDIT_FILE, ox.Literal(file), meta)] if file else []),
    ]


def sync_decisions(store: EmbeddedStore, audit_path: str | None) -> None:
    """Bring the decisions graph up to the audit log (the log is the record; this is its RDF view), a
    batch of decisions at a time, each followed by the offset it reaches: memory holds a batch, and a run
    stopped half-way (the endpoint kills its worker at the catch-up's limit) keeps what it wrote and goes
    on from there. Batches go in by Oxigraph's bulk loader, not in a transaction (7.8 against 26.6 us a
    quad here; the first view of a log of 500,000 decisions is 15 million quads): a batch cut short is
    written again whole by the next run, which changes nothing already in the graph, as a graph is a set."""
    if not audit_path:
        return
    log = AuditLog(Path(audit_path))
    start, known = audit_mark(store)
    file, end = log.mark()
    if file == known and end == start:
        return
    if file != known or end < start:  # the log was rotated or cut short: rebuild the view from its start
        store.drop_graph(GRAPH_DECISIONS)
        start = 0
    meta = ox.NamedNode(META_GRAPH)
    for quads, reached in decision_quad_batches(log, GRAPH_DECISIONS, start, end):
        store.bulk_add(quads)
        store.remove(store.oxigraph.quads_for_pattern(META, _AUDIT_OFFSET, None, meta))
        store.remove(store.oxigraph.quads_for_pattern(META, _AUDIT_FILE, None, meta))
        store.add(audit_mark_quads(reached, file))
