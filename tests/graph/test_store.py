"""The embedded store on disk: a steady stream of small writes (decisions) reaches disk every FLUSH_AFTER
quads, instead of piling up in RocksDB's memtables (and the process's memory) until RocksDB's own limits.
In memory: scratch graphs added and dropped again and again (one per screening) get the store compacted,
keeping every live quad and nothing of the dropped ones."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.store import COMPACT_AFTER, FLUSH_AFTER, EmbeddedStore


def _quads(start: int, count: int) -> list[ox.Quad]:
    graph, p = ox.NamedNode("urn:eckg:test"), ox.NamedNode("urn:eckg:p")
    return [
        ox.Quad(ox.NamedNode(f"urn:eckg:s{i}"), p, ox.Literal(str(i)), graph)
        for i in range(start, start + count)
    ]


def _tables(path: Path) -> set[str]:
    return {p.name for p in path.iterdir() if p.suffix == ".sst"}


def test_small_writes_are_flushed_to_disk_every_flush_after_quads(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    before = _tables(tmp_path)
    written = 0
    while written + 100 < FLUSH_AFTER:  # below the threshold: still in the memtables
        store.add(_quads(written, 100))
        written += 100
    assert _tables(tmp_path) == before
    store.add(_quads(written, 100))
    assert _tables(tmp_path) > before, "crossing the threshold flushed the memtables to table files"
    store.remove(_quads(0, 10))
    assert store.count("urn:eckg:test") == written + 100 - 10


def _scratch(n: int, size: int) -> list[ox.Quad]:
    graph, p = ox.NamedNode(f"urn:eckg:scratch:{n}"), ox.NamedNode("urn:eckg:p")
    return [ox.Quad(ox.NamedNode(f"urn:eckg:tx{n}"), p, ox.Literal(f"{n}-{i}"), graph) for i in range(size)]


def test_an_in_memory_store_is_compacted_once_it_has_taken_as_many_quads_as_it_holds() -> None:
    store = EmbeddedStore()
    live = _quads(0, 100)
    store.add(live)  # the graph itself (only scratch quads, bulk-added, count towards a compaction)
    kept = _scratch(-1, 10)
    store.bulk_add(kept)  # a scratch graph still in use while others come and go

    def churn(compactions: int) -> int:
        added = 0
        while store.compactions == compactions:
            store.bulk_add(_scratch(added, 10))
            store.drop_graph(f"urn:eckg:scratch:{added}")
            added += 10
        return added

    assert churn(0) + len(kept) == COMPACT_AFTER, "a small store: after COMPACT_AFTER quads"
    assert set(store.quads()) == {*live, *kept}
    more = _quads(100, 2 * COMPACT_AFTER)
    store.add(more)
    assert churn(1) == len(live) + len(kept) + len(more), "a large one: after as many quads as it holds"
    assert set(store.quads()) == {*live, *kept, *more}
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert int(rows[0]["n"].value) == len(live) + len(kept) + len(more)
