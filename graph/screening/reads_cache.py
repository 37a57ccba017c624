"""What each constraint reads of its transaction (graph.screening.reads), kept in the build directory by a
digest of its query: the records, and the cache that holds them. Finding them parses the query with
rdflib's SPARQL parser, whose import alone takes ~0.2 s of a process's start, so graph.screening.reads is
imported only for a query not kept here; a warm start reads the answers back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ANALYSIS = "reads-9"  # bump when graph.screening.reads' analysis changes: kept answers are keyed by it


@dataclass(frozen=True)
class Domain:
    """Every solution binds a variable to an object of one of `predicates` of `$this` and matches the
    triple patterns of `query` (those of the query's patterns every solution matches that are joined to
    the variable, without `$this`): a transaction none of whose values for `predicates` is an answer of
    `query` has no results. `uses`: the predicates those patterns match (the query holds for the graph
    only where the transactions' own triples cannot match them)."""

    predicates: tuple[str, ...]
    query: str
    uses: tuple[str, ...]


@dataclass(frozen=True)
class Reads:
    """What a constraint reads of `$this`: the predicates, those among them whose values the query only
    compares (by order or equality) with terms of the graph or constants, the date constants it holds,
    and the predicates whose objects those values are compared with."""

    predicates: tuple[str, ...]
    compared: tuple[str, ...] = ()
    constants: tuple[str, ...] = ()
    bounds: tuple[str, ...] = ()  # predicates whose objects the compared values meet ("*": any)
    # groups of predicates of which the transaction must have at least one for the query to match
    required: tuple[tuple[str, ...], ...] = ()
    # what the values of some predicates must be for the query to match: see Domain
    domains: tuple[Domain, ...] = ()
    # groups of predicates that, all present, leave the query no match (`FILTER NOT EXISTS { $this p ?x }`)
    excluded: tuple[tuple[str, ...], ...] = ()
    # the predicates the patterns whose subject is not `$this` can match ("*": any): whether they could
    # match a transaction's own triples
    others: tuple[str, ...] = ()


def cached_reads(constraints: Sequence[Any], directory: Path) -> dict[str, Reads | None]:
    """reads() of each constraint, from `directory/constraint-reads.json` where it holds the same query text."""
    path = directory / "constraint-reads.json"
    try:
        known: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    out: dict[str, Reads | None] = {}
    found_now = False
    for c in constraints:
        key = hashlib.sha256(json.dumps([ANALYSIS, c.select, sorted(c.prefixes)]).encode()).hexdigest()
        if key not in known:
            from graph.screening.reads import reads  # the parser, loaded only when needed

            found = reads(c.select, dict(c.prefixes))
            known[key], found_now = None if found is None else asdict(found), True
        entry = known[key]
        out[c.constraint] = None if entry is None else _from_json(entry)
    if found_now:  # a warm start writes nothing
        _save(path, known)
    return out


def _from_json(stored: dict[str, Any]) -> Reads:
    entry = dict(stored)  # the stored answer is saved again: read it, never change it
    required = tuple(tuple(group) for group in entry.pop("required", []))
    excluded = tuple(tuple(group) for group in entry.pop("excluded", []))
    domains = tuple(
        Domain(tuple(d["predicates"]), d["query"], tuple(d["uses"])) for d in entry.pop("domains", [])
    )
    return Reads(
        **{k: tuple(v) for k, v in entry.items()}, required=required, domains=domains, excluded=excluded
    )


def _save(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(f".{id(data)}.tmp")
    try:
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:  # a read-only cache still screens; it parses again next time
        tmp.unlink(missing_ok=True)
