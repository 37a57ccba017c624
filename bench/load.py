"""`make load`: 64 concurrent clients drive `POST /screen` and `GET /sparql` on a server on 127.0.0.1 for a
bounded number of rounds, on a data dir of its own. Reports per round the requests, errors, median and p99
latency, the resident memory of the API process and of the SPARQL endpoint's store process, and the decisions
recorded so far. Exits 1 on any error, if the API process grew from the second round to the last by more than
the tolerance (the first round fills caches: name resolutions, rule results, query plans), or if the store
process grew by more than the tolerance plus what the decisions recorded meanwhile take.

    python -m bench.load [--clients 64] [--rounds 5] [--seconds 15]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from itertools import cycle
from urllib.parse import urlencode

import orjson

from bench.http import Request, drive, running_server
from bench.workloads import requests
from graph.catalogue import catalogue
from graph.kg import load_graph

GROWTH_TOLERANCE_MB = 25.0
STORE_KB_PER_DECISION = 4.0
"""Every decision is recorded, and queryable as RDF in the endpoint's on-disk store (~60 quads): the store
process may grow by what RocksDB keeps in memory for that data (index and filter blocks, block cache):
measured 3.5 KB a decision over the first 10,000 and 1.5 KB after, as its caches fill. No more."""


def mixed_requests() -> Callable[[], Request]:
    """Screening requests from a seeded order book, alternating with SPARQL: the catalogue's
    parameterless queries and a query per destination."""
    kg = load_graph()
    screen = cycle(orjson.dumps(r) for r in requests(kg, 2000, seed=17))
    queries = [q.text for q in catalogue().values() if not q.params]
    eckg = "https://w3id.org/eckg/ontology#"
    queries += [
        f'SELECT ?m WHERE {{ ?m <{eckg}destination> ?c . ?c <{eckg}alpha2> "{c}" }}'
        for c in ("JP", "US", "DE")
    ]
    sparql = cycle(queries)
    turn = cycle([True, False])
    json_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    sparql_headers = {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}

    def next_request() -> Request:
        if next(turn):
            return ("POST", "/screen", json_headers, next(screen))
        return ("GET", "/sparql?" + urlencode({"query": next(sparql)}), sparql_headers, b"")

    return next_request


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    if args.rounds < 2:
        parser.error("--rounds must be at least 2 (memory is compared from the second round on)")
    make = mixed_requests()
    rounds: list[tuple[float, float, int]] = []  # API RSS, endpoint RSS, decisions recorded
    failed = False
    print(
        f"{'round':>5} {'requests':>9} {'errors':>7} {'rate/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'API MB':>7} {'store MB':>9} {'decisions':>10}"
    )
    with running_server() as server:
        for number in range(1, args.rounds + 1):
            run = drive(server, make, clients=args.clients, duration=args.seconds)
            api, *store = server.rss_mb_by_process()
            rounds.append((api, sum(store), server.decisions_recorded()))
            errors = sum(run.errors.values())
            failed |= errors > 0
            print(
                f"{number:>5} {run.count:>9} {errors:>7} {run.rate:>8.0f} {run.median_ms:>8.1f} "
                f"{run.percentile(99) * 1000:>8.1f} {api:>7.0f} {sum(store):>9.0f} {rounds[-1][2]:>10}"
                + (f"  errors: {run.errors}" if errors else "")
            )
    return 1 if failed or not _memory_is_steady(rounds) else 0


def _memory_is_steady(rounds: list[tuple[float, float, int]]) -> bool:
    (api_2, store_2, decided_2), (api_n, store_n, decided_n) = rounds[1], rounds[-1]
    allowance = GROWTH_TOLERANCE_MB + STORE_KB_PER_DECISION * (decided_n - decided_2) / 1024
    print(
        f"from round 2 to round {len(rounds)}: API process {api_n - api_2:+.1f} MB "
        f"(tolerance {GROWTH_TOLERANCE_MB} MB); endpoint store {store_n - store_2:+.1f} MB for "
        f"{decided_n - decided_2} more decisions recorded (allowance {allowance:.1f} MB)"
    )
    steady = True
    if api_n - api_2 > GROWTH_TOLERANCE_MB:
        print("FAIL: the API process's memory grows under a steady load", file=sys.stderr)
        steady = False
    if store_n - store_2 > allowance:
        print("FAIL: the endpoint store grows faster than the decisions it records", file=sys.stderr)
        steady = False
    return steady


if __name__ == "__main__":
    sys.exit(main())
