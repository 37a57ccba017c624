"""What a constraint reads of its transaction — found by parsing its SPARQL, so results can be reused.

A constraint's results for a focus transaction depend only on the graph (fixed for a graph version) and on
the objects of the `$this <predicate> ?x` patterns it contains. If every pattern that uses one of those
predicates has `$this` as its subject (the query never reaches another transaction's data), two
transactions with the same objects for those predicates get the same results, and the fast engine may
reuse them. `reads()` returns those predicates, or None when the query does not allow that reasoning:
`$this` as an object, a property path other than `a|b` from `$this`, a variable predicate on `$this` not
restricted by `FILTER(?p IN (...))` or VALUES, or a variable subject with a transaction predicate.

What every solution needs of the transaction (graph.screening.needs) is kept with it, so that the fast
engine knows some transactions have no results without running the query (graph.screening.memo).

The query is parsed with rdflib's SPARQL parser (pyparsing, ~20 ms a query), so the answers are kept in
the build directory, keyed by a digest of the query text (graph.screening.reads_cache, which imports this
module only for a query it has not kept: loading the parser takes ~0.2 s of a process's start).
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from graph.screening.algebra import (
    THIS,
    Triple,
    children,
    from_this,
    matched_predicates,
    mentions,
    restrictions,
    triple_patterns,
    walk,
)
from graph.screening.needs import domains_of, excluded_predicates, required_predicates
from graph.screening.reads_cache import Reads

_ANY = "*"  # compared with any term of the graph
_ORDER_OPS = {"<", "<=", ">", ">=", "=", "!="}
_DATES = {XSD.date, XSD.dateTime}


def reads(select: str, prefixes: dict[str, str]) -> Reads | None:
    """What the constraint reads of its transaction, or None when that cannot be shown from the query."""
    algebra = translateQuery(parseQuery(select), initNs=prefixes).algebra
    triples = triple_patterns(algebra)
    if any(o == THIS for _, _, o in triples):
        return None
    restricted = restrictions(algebra)
    read: set[URIRef] = set()
    for subject, predicate, _ in triples:
        if subject == THIS:
            found = from_this(predicate, restricted)
            if found is None:
                return None
            read |= found
    if any(subject != THIS and mentions(predicate, read) for subject, predicate, _ in triples):
        return None
    this_objects = {o for s_, _, o in triples if s_ == THIS and isinstance(o, Variable)}
    compared, bounds = [], set()
    for p in read:
        sources = _compared_with(algebra, triples, p, this_objects)
        if sources is not None:
            compared.append(str(p))
            bounds |= sources
    constants = sorted({str(t) for t in walk(algebra) if isinstance(t, Literal) and t.datatype in _DATES})
    required = sorted(
        {tuple(sorted(str(p) for p in group)) for group in required_predicates(algebra, restricted)}
    )
    others: set[str] = set()
    for subject, predicate, _ in triples:
        if subject != THIS:
            matched = matched_predicates(predicate)
            others |= {"*"} if matched is None else matched
    return Reads(
        tuple(sorted(str(p) for p in read)),
        tuple(sorted(compared)),
        tuple(constants),
        tuple(sorted(bounds)),
        tuple(required),
        tuple(domains_of(algebra, restricted)),
        tuple(sorted(set(excluded_predicates(algebra)))),
        tuple(sorted(others)),
    )


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
        isinstance(node, CompValue) and dict.get(node, "var") == var for node in walk(algebra)
    ) or any(
        isinstance(node, dict) and not isinstance(node, CompValue) and var in node for node in walk(algebra)
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
                    if predicate == var or (isinstance(predicate, RdfPath) and var in walk(predicate)):
                        return False
                    if obj == var and subject != THIS:
                        met.add(predicate if isinstance(predicate, URIRef) else _ANY)
            return all(_uses_ok(child, var, others, met) for child, key in children(node) if key != "triples")
    return all(_uses_ok(child, var, others, met) for child, _ in children(node))
