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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.paths import AlternativePath
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

THIS = Variable("this")
_FORMAT = "reads-6"  # bump when the analysis changes: cached answers are keyed by it
Triple = tuple[Any, Any, Any]


def _children(node: Any) -> Iterator[tuple[Any, str | None]]:
    """A node's children with their keys. rdflib keeps the translated pattern of an EXISTS as an instance
    attribute beside the raw parse under the same key, so the attribute wins."""
    if isinstance(node, CompValue):
        for key in node:
            if not key.startswith("_"):
                yield (node.__dict__[key] if key in node.__dict__ else dict.__getitem__(node, key)), key
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield value, None
    elif isinstance(node, dict):  # VALUES rows: {variable: term}
        for key, value in node.items():
            yield key, None
            yield value, None


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child, _ in _children(node):
        yield from _walk(child)


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


_ANY = "*"  # compared with any term of the graph
_ORDER_OPS = {"<", "<=", ">", ">=", "=", "!="}
_DATES = {XSD.date, XSD.dateTime}


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


def reads(select: str, prefixes: dict[str, str]) -> Reads | None:
    """What the constraint reads of its transaction, or None when that cannot be shown from the query."""
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
    this_objects = {o for s_, _, o in triples if s_ == THIS and isinstance(o, Variable)}
    compared, bounds = [], set()
    for p in read:
        sources = _compared_with(algebra, triples, p, this_objects)
        if sources is not None:
            compared.append(str(p))
            bounds |= sources
    constants = sorted({str(t) for t in _walk(algebra) if isinstance(t, Literal) and t.datatype in _DATES})
    required = sorted({tuple(sorted(str(p) for p in group)) for group in _required(algebra, restricted)})
    return Reads(
        tuple(sorted(str(p) for p in read)),
        tuple(sorted(compared)),
        tuple(constants),
        tuple(sorted(bounds)),
        tuple(required),
    )


_MANDATORY = {  # algebra operators, and the operands every solution comes through
    "SelectQuery": ("p",),
    "Distinct": ("p",),
    "Reduced": ("p",),
    "Project": ("p",),
    "Filter": ("p",),
    "Join": ("p1", "p2"),
    "LeftJoin": ("p1",),
    "Extend": ("p",),
    "OrderBy": ("p",),
    "Slice": ("p",),
    "Minus": ("p1",),
}


def _required(node: Any, restricted: dict[Variable, set[URIRef]]) -> Iterator[set[URIRef]]:
    """Predicates (or sets of alternatives) of `$this` triple patterns every solution must match."""
    if not isinstance(node, CompValue):
        return
    if node.name == "BGP":
        for subject, predicate, _ in dict.get(node, "triples") or []:
            if subject == THIS and (found := _from_this(predicate, restricted)):
                yield found
        return
    if node.name == "Union":  # a solution comes from one branch: it meets a group of either
        left, right = (
            list(_required(dict.get(node, "p1"), restricted)),
            list(_required(dict.get(node, "p2"), restricted)),
        )
        for a in left:
            for b in right:
                yield a | b
        return
    for key in _MANDATORY.get(node.name, ()):
        yield from _required(dict.get(node, key), restricted)


def _compared_with(
    algebra: Any, triples: list[Triple], predicate: URIRef, this_objects: set[Any]
) -> set[str] | None:
    """If the object of `$this predicate ?v` is a variable that only joins triple patterns (as a subject
    or object) and is compared by =, !=, <, <=, >, >= with a constant or a variable not read from `$this`
    — never projected, passed to a function, bound, ordered on or grouped by — the predicates whose
    objects it can meet that way ("*" for any term of the graph); else None."""
    objects = {o for s_, p, o in triples if s_ == THIS and p == predicate}
    if len(objects) != 1 or not isinstance(var := next(iter(objects)), Variable):
        return None
    if any(s_ == THIS and p != predicate and o == var for s_, p, o in triples):
        return None
    met: set[Any] = set()
    if not _uses_ok(algebra, var, this_objects - {var}, met):
        return None
    sources: set[str] = set()
    for term in met:
        if term == _ANY:
            sources.add(_ANY)
        elif isinstance(term, URIRef):
            sources.add(str(term))
        elif isinstance(term, Variable):
            sources |= _bound_by(algebra, triples, term)
    return sources


def _bound_by(algebra: Any, triples: list[Triple], var: Variable) -> set[str]:
    """The predicates whose objects a variable must be (it is the object of triple patterns with them),
    or {"*"} when it may be bound otherwise (BIND, VALUES, a path, a variable predicate, a subquery)."""
    assigned = any(
        isinstance(node, CompValue) and dict.get(node, "var") == var for node in _walk(algebra)
    ) or any(
        isinstance(node, dict) and not isinstance(node, CompValue) and var in node for node in _walk(algebra)
    )
    found = {p for _, p, o in triples if o == var}
    if assigned or not found or not all(isinstance(p, URIRef) for p in found):
        return {_ANY}
    return {str(p) for p in found}


def _uses_ok(node: Any, var: Variable, others: set[Any], met: set[Any]) -> bool:
    """True if every use of `var` under `node` is a join or a comparison (see _compared_with); adds to
    `met` what it is compared with: variables, and the predicates of the triple patterns it joins."""
    if node == var:
        return False  # a use the rules below did not accept
    if isinstance(node, CompValue):
        if node.name == "RelationalExpression" and node.get("op") in _ORDER_OPS:
            left, right = dict.get(node, "expr"), dict.get(node, "other")
            if var in (left, right):
                other = right if left == var else left
                if isinstance(other, Variable) and other not in others:
                    met.add(other)
                    return True
                return isinstance(other, Literal)
        if "triples" in node and dict.get(node, "triples") is not None:
            for entry in dict.__getitem__(node, "triples"):
                flat = list(entry)
                for i in range(0, len(flat) - 2, 3):
                    subject, predicate, obj = flat[i : i + 3]
                    if predicate == var or (isinstance(predicate, RdfPath) and var in _walk(predicate)):
                        return False
                    if obj == var and subject != THIS:
                        met.add(predicate if isinstance(predicate, URIRef) else _ANY)
            return all(
                _uses_ok(child, var, others, met) for child, key in _children(node) if key != "triples"
            )
    return all(_uses_ok(child, var, others, met) for child, _ in _children(node))


def cached_reads(constraints: Sequence[Any], directory: Path) -> dict[str, Reads | None]:
    """reads() of each constraint, from `directory/constraint-reads.json` where it holds the same query text."""
    path = directory / "constraint-reads.json"
    try:
        known: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    out: dict[str, Reads | None] = {}
    for c in constraints:
        key = hashlib.sha256(json.dumps([_FORMAT, c.select, sorted(c.prefixes)]).encode()).hexdigest()
        if key not in known:
            found = reads(c.select, dict(c.prefixes))
            known[key] = None if found is None else asdict(found)
        entry = known[key]
        out[c.constraint] = None if entry is None else _from_json(entry)
    _save(path, known)
    return out


def _from_json(stored: dict[str, Any]) -> Reads:
    entry = dict(stored)  # the stored answer is saved again: read it, never change it
    required = tuple(tuple(group) for group in entry.pop("required", []))
    return Reads(**{k: tuple(v) for k, v in entry.items()}, required=required)


def _save(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(f".{id(data)}.tmp")
    try:
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:  # a read-only cache still screens; it parses again next time
        tmp.unlink(missing_ok=True)
