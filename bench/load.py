"""`make load`: 64 concurrent clients drive `POST /screen` and `GET /sparql` on a server on 127.0.0.1 for a
bounded number of rounds. Reports per round the requests, errors, median and p99 latency, and the server's
resident memory after the round; exits 1 on any error, or if memory grew from the second round to the last
by more than the tolerance (the first round fills caches: name resolutions, rule results, query plans).

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
    memory: list[float] = []
    failed = False
    print(
        f"{'round':>5} {'requests':>9} {'errors':>7} {'rate/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'RSS MB':>8}"
    )
    with running_server() as server:
        for number in range(1, args.rounds + 1):
            run = drive(server, make, clients=args.clients, duration=args.seconds)
            memory.append(server.rss_mb())
            errors = sum(run.errors.values())
            failed |= errors > 0
            print(
                f"{number:>5} {run.count:>9} {errors:>7} {run.rate:>8.0f} {run.median_ms:>8.1f} "
                f"{run.percentile(99) * 1000:>8.1f} {memory[-1]:>8.0f}"
                + (f"  errors: {run.errors}" if errors else "")
            )
    growth = memory[-1] - memory[1]
    print(
        f"memory from round 2 to round {args.rounds}: {growth:+.1f} MB (tolerance {GROWTH_TOLERANCE_MB} MB)"
    )
    if growth > GROWTH_TOLERANCE_MB:
        print("FAIL: the server's memory grows under a steady load", file=sys.stderr)
        failed = True
    if failed:
        print("FAIL: errors or memory growth", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
