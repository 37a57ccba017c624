"""Screening from many threads at once (as the API's thread pool does) neither deadlocks nor mixes up
transactions: each thread gets the decision a lone screening gives."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from graph.kg import KnowledgeGraph
from graph.namespaces import GRAPH_SCRATCH
from graph.screening import Screener

from .test_engines import generated_requests


def test_threads_screen_side_by_side(kg: KnowledgeGraph) -> None:
    requests = generated_requests(kg, 60, seed=5)
    alone = [d.decision for d in (Screener(kg).screen(r) for r in requests)]
    shared = Screener(kg)
    batches = [requests[i : i + 7] for i in range(0, len(requests), 7)]  # batches and single screenings mixed
    with ThreadPoolExecutor(max_workers=8) as pool:
        singles = pool.map(shared.screen, requests)
        batched = pool.map(shared.screen_many, batches)
        together = [d.decision for d in singles]
        in_batches = [d.decision for batch in batched for d in batch]
    assert together == alone
    assert in_batches == alone


def test_compacting_the_store_while_threads_screen_changes_no_decision(fresh_kg: KnowledgeGraph) -> None:
    """The store swaps in a compacted copy of itself while transactions sit in scratch graphs: none may be
    lost between copy and swap (a lost transaction would be screened as if it had no item, no end user)."""
    requests = generated_requests(fresh_kg, 40, seed=6)
    alone = [
        (d.decision, [r["message"] for r in d.reasons]) for d in map(Screener(fresh_kg).screen, requests)
    ]
    shared = Screener(fresh_kg)
    shared.engine.reuse = False  # every screening runs every rule over its scratch graph
    done = threading.Event()

    def compact() -> None:
        while not done.wait(0.002):
            fresh_kg.store.compact()

    compactor = threading.Thread(target=compact)
    compactor.start()
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            together = [
                (d.decision, [r["message"] for r in d.reasons]) for d in pool.map(shared.screen, requests)
            ]
    finally:
        done.set()
        compactor.join()
    assert fresh_kg.store.compactions > 10
    assert together == alone
    assert not [g for g in fresh_kg.store.graph_names() if g.startswith(GRAPH_SCRATCH)]
