"""The scale figures, in a process of their own (so that its peak memory is the graph's alone):
the knowledge graph plus a synthetic list of parties, reasoned with `reasonable`, then screening and
party-name search over it.

    python -m bench.scale PARTIES.ttl   # prints one JSON object
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.workloads import requests
from graph.kg import load_graph
from graph.lookups import search_parties
from graph.screening import Screener, ScreeningRequest
from graph.settings import Settings


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(parties: Path, seed: int = 3) -> dict[str, float]:
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            reasoner="reasonable", cache_dir=Path(scratch) / "cache", data_dir=Path(scratch) / "data"
        )
        start = time.perf_counter()
        kg = load_graph(settings, data=[parties])  # build the shipped graph, then load and reason the list
        out["build_s"] = time.perf_counter() - start
        out["triples"] = kg.store.count()
        start = time.perf_counter()
        screener = Screener(kg)
        out["screener_init_s"] = time.perf_counter() - start
        out["names"] = len(screener.resolver.parties.names)
        stream = [ScreeningRequest.model_validate(r) for r in requests(kg, 700, seed)]
        for request in stream[:100]:  # warm up: first queries, caches
            screener.screen(request)
        times = []
        for request in stream[100:]:
            t = time.perf_counter()
            screener.screen(request)
            times.append(time.perf_counter() - t)
        out["screen_median_ms"] = statistics.median(times) * 1000
        out["screen_p99_ms"] = sorted(times)[int(0.99 * len(times))] * 1000
        rng = random.Random(seed)
        names = screener.resolver.parties.names
        queries = [rng.choice(names)[: rng.randint(4, 14)] for _ in range(100)]
        queries += [rng.choice(names) for _ in range(100)]
        times = []
        for q in queries:
            t = time.perf_counter()
            search_parties(kg, screener.resolver, q)
            times.append(time.perf_counter() - t)
        out["search_median_ms"] = statistics.median(times) * 1000
        out["peak_rss_mb"] = _peak_mb()
    return out


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
