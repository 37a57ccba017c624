"""What a constraint reads of its transaction — found by parsing its SPARQL, so results can be reused.

A constraint's results for a focus transaction depend only on the graph (fixed for a graph version) and on
the objects of the `$this <predicate> ?x` patterns it contains. If every pattern that uses one of those
predicates has `$this` as its subject (the query never reaches another transaction's data), two
transactions with the same objects for those predicates get the same results, and the fast engine may
reuse them. `reads()` returns those predicates, or None when the query does not allow that reasoning:
`$this` as an object, a property path other than `a|b` from `$this`, a variable predicate on `$this` not
restricted by `FILTER(?p IN (...))` or VALUES, or a variable subject with a transaction predicate.

The query is parsed with rdflib's SPARQL parser (pyparsing, ~20 ms a query), so the answers are kept in
the build directory, keyed by a digest of the query text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

THIS = Variable("this")
Triple = tuple[Any, Any, Any]


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)) and not isinstance(node, str):
        for value in node:
            yield from _walk(value)


def _triples(algebra: Any) -> list[Triple]:
    """Every triple pattern, in the WHERE clause and in FILTER (NOT) EXISTS."""
    out: list[Triple] = []
    for node in _walk(algebra):
        if isinstance(node, CompValue) and "triples" in node and node["triples"] is not None:
            for entry in node["triples"]:
                flat = list(entry)
                out.extend((flat[i], flat[i + 1], flat[i + 2]) for i in range(0, len(flat) - 2, 3))
    return out


def _restrictions(algebra: Any) -> dict[Variable, set[URIRef]]:
    """Variables that can only take the IRIs listed by `FILTER(?v IN (...))` or `VALUES ?v {...}`."""
    found: dict[Variable, set[URIRef]] = {}
    for node in _walk(algebra):
        if not isinstance(node, CompValue):
            continue
        if (
            node.name == "RelationalExpression"
            and node.get("op") == "IN"
            and isinstance(node.get("expr"), Variable)
        ):
            other = node.get("other") or []
            if all(isinstance(term, URIRef) for term in other):
                found[node["expr"]] = set(other)
        elif node.name == "values" and node.get("res") is not None:
            rows = node["res"]
            for var in {v for row in rows for v in row}:
                terms = {row.get(var) for row in rows}
                if all(isinstance(term, URIRef) for term in terms):
                    found[var] = {term for term in terms if isinstance(term, URIRef)}
    return found


def _from_this(predicate: Any, restricted: dict[Variable, set[URIRef]]) -> set[URIRef] | None:
    if isinstance(predicate, URIRef):
        return {predicate}
    if isinstance(predicate, Variable):
        return restricted.get(predicate)
    if isinstance(predicate, AlternativePath) and all(isinstance(arg, URIRef) for arg in predicate.args):
        return {arg for arg in predicate.args if isinstance(arg, URIRef)}
    return None


def _path_iris(path: Any) -> set[URIRef]:
    if isinstance(path, URIRef):
        return {path}
    parts = [getattr(path, name) for name in ("args", "path", "arg") if hasattr(path, name)]
    flat = [p for part in parts for p in (part if isinstance(part, (list, tuple)) else [part])]
    return {iri for p in flat for iri in _path_iris(p)}


def _mentions(predicate: Any, read: set[URIRef]) -> bool:
    if isinstance(predicate, Variable):
        return True
    return bool(_path_iris(predicate) & read)


def reads(select: str, prefixes: dict[str, str]) -> tuple[str, ...] | None:
    """The predicates whose objects on $this determine the constraint's results, or None."""
    algebra = translateQuery(parseQuery(select), initNs=prefixes).algebra
    triples = _triples(algebra)
    if any(o == THIS for _, _, o in triples):
        return None
    restricted = _restrictions(algebra)
    read: set[URIRef] = set()
    for subject, predicate, _ in triples:
        if subject == THIS:
            found = _from_this(predicate, restricted)
            if found is None:
                return None
            read |= found
    if any(subject != THIS and _mentions(predicate, read) for subject, predicate, _ in triples):
        return None
    return tuple(sorted(str(p) for p in read))


def cached_reads(constraints: Sequence[Any], directory: Path) -> dict[str, tuple[str, ...] | None]:
    """reads() of each constraint, from `directory/constraint-reads.json` where it holds the same query text."""
    path = directory / "constraint-reads.json"
    try:
        known: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    out: dict[str, tuple[str, ...] | None] = {}
    for c in constraints:
        key = hashlib.sha256(json.dumps([c.select, sorted(c.prefixes)]).encode()).hexdigest()
        if key not in known:
            found = reads(c.select, dict(c.prefixes))
            known[key] = None if found is None else list(found)
        out[c.constraint] = None if known[key] is None else tuple(known[key])
    _save(path, known)
    return out


def _save(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(f".{id(data)}.tmp")
    try:
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:  # a read-only cache still screens; it parses again next time
        tmp.unlink(missing_ok=True)
