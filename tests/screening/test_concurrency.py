"""Screening from many threads at once (as the API's thread pool does) neither deadlocks nor mixes up
transactions: each thread gets the decision a lone screening gives."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from graph.kg import KnowledgeGraph
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
