"""The store `eckg query` and `eckg sparql` keep (graph.query_store): one per data directory, which a run
waits for while another run holds it — a second copy would be made, and brought up to the whole audit log,
from nothing — and a data directory it cannot use is a store error naming it."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from graph.errors import StoreUnavailable
from graph.kg import KnowledgeGraph
from graph.query_store import query_store


def _in(kg: KnowledgeGraph, data: Path) -> KnowledgeGraph:
    return replace(kg, settings=kg.settings.model_copy(update={"data_dir": data}))


def test_a_run_waits_for_the_one_holding_the_store(kg: KnowledgeGraph, tmp_path: Path) -> None:
    mine = _in(kg, tmp_path / "data")
    holding, release, order = threading.Event(), threading.Event(), []

    def first() -> None:
        with query_store(mine):
            order.append("first in")
            holding.set()
            release.wait(30)
            order.append("first out")

    def second() -> None:
        with query_store(mine) as store:
            order.append("second in")
            assert store.query("ASK { ?s ?p ?o }").boolean

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(60)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)
    assert two.is_alive()  # waiting
    release.set()
    one.join(30)
    two.join(60)
    assert order == ["first in", "first out", "second in"]
    assert sorted(p.name for p in (tmp_path / "data" / "query").iterdir()) == ["store", "store.lock"]


def test_a_data_directory_it_cannot_use_is_a_store_error_naming_it(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    with pytest.raises(StoreUnavailable, match="a-file"), query_store(_in(kg, blocked)):
        pytest.fail("the store was opened under a file")  # entering must raise
