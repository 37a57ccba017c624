"""The embedded store on disk: a steady stream of small writes (decisions) reaches disk every FLUSH_AFTER
quads, instead of piling up in RocksDB's memtables (and the process's memory) until RocksDB's own limits."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.store import FLUSH_AFTER, EmbeddedStore


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
