"""What every solution of a constraint's query needs of its transaction — found by reading the query's
algebra (graph.screening.algebra), so that the fast engine knows some transactions have no results without
running the query (graph.screening.memo):

- `required`: predicates of `$this` of which the transaction must have one (no end use given: the end-use
  rules cannot match);
- `domains`: the values a predicate's objects must take to join the patterns every solution matches, as a
  SPARQL query over the graph (a party must be on a list, an end use named by a measure);
- `excluded`: predicates whose mere presence fails a filter every solution must pass
  (`FILTER NOT EXISTS { $this p ?x }`).

Patterns in a UNION branch, OPTIONAL's or MINUS's right side, a FILTER expression, GRAPH or a subquery are
not needed by every solution, so none of these reads them; leaving a pattern out only ever makes what is
found weaker, never wrong. The exception: a `FILTER EXISTS` every solution must pass (the filter itself, or
one of its conjuncts), whose patterns every solution has a match of; its own variables are renamed apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from rdflib import BNode, URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue

from graph.screening.algebra import THIS, Triple, child, children, from_this, path_iris, walk
from graph.screening.reads_cache import Domain

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


def required_predicates(node: Any, restricted: dict[Variable, set[URIRef]]) -> Iterator[set[URIRef]]:
    """Predicates (or sets of alternatives) of `$this` triple patterns every solution must match."""
    if not isinstance(node, CompValue):
        return
    if node.name == "BGP":
        for subject, predicate, _ in dict.get(node, "triples") or []:
            if subject == THIS and (found := from_this(predicate, restricted)):
                yield found
        return
    if node.name == "Union":  # a solution comes from one branch: it meets a group of either
        left, right = (
            list(required_predicates(dict.get(node, "p1"), restricted)),
            list(required_predicates(dict.get(node, "p2"), restricted)),
        )
        for a in left:
            for b in right:
                yield a | b
        return
    for key in _MANDATORY.get(node.name, ()):
        yield from required_predicates(dict.get(node, key), restricted)


def _bound_from_this(node: Any, restricted: dict[Variable, set[URIRef]]) -> dict[Variable, set[URIRef]]:
    """Variables every solution binds to an object of `$this` (by a triple pattern every solution
    matches), with the predicates whose objects they are (in a UNION, of one branch or the other)."""
    if not isinstance(node, CompValue):
        return {}
    if node.name == "BGP":
        found: dict[Variable, set[URIRef]] = {}
        for subject, predicate, obj in dict.get(node, "triples") or []:
            if subject == THIS and isinstance(obj, Variable) and (read := from_this(predicate, restricted)):
                found.setdefault(obj, read)  # bound by two: an object of either, so either will do
        return found
    if node.name == "Union":
        left = _bound_from_this(dict.get(node, "p1"), restricted)
        right = _bound_from_this(dict.get(node, "p2"), restricted)
        return {var: left[var] | right[var] for var in left.keys() & right.keys()}
    merged: dict[Variable, set[URIRef]] = {}
    for key in _MANDATORY.get(node.name, ()):
        for var, read in _bound_from_this(dict.get(node, key), restricted).items():
            merged.setdefault(var, read)
    return merged


def _required_patterns(node: Any, algebra: Any = None) -> Iterator[Triple]:
    """Triple patterns without `$this` that every solution matches (outside UNION, OPTIONAL's right side,
    MINUS's, FILTER expressions, GRAPH and subqueries) — or has a match of: those of a `FILTER EXISTS` every
    solution must pass, their variables bound nowhere else renamed apart (each EXISTS finds its own)."""
    algebra = node if algebra is None else algebra
    if not isinstance(node, CompValue):
        return
    if node.name == "BGP":
        yield from (t for t in dict.get(node, "triples") or [] if THIS not in (t[0], t[2]))
        return
    if node.name == "Filter":
        for condition in _conjuncts(dict.get(node, "expr")):
            if isinstance(condition, CompValue) and condition.name == "Builtin_EXISTS":
                yield from _exists_patterns(algebra, condition)
    for key in _MANDATORY.get(node.name, ()):
        yield from _required_patterns(dict.get(node, key), algebra)


def _exists_patterns(algebra: Any, exists: CompValue) -> Iterator[Triple]:
    """The patterns every match of an EXISTS matches, its own variables (used nowhere outside it) renamed
    so that they join no other EXISTS's."""
    outside = {n for n in _walk_outside(algebra, _is_exists) if isinstance(n, Variable)}
    mark = f"_exists{next(i for i, node in enumerate(walk(algebra)) if node is exists)}"  # stable, unique

    def own(term: Any) -> Any:
        return Variable(f"{term}{mark}") if isinstance(term, Variable) and term not in outside else term

    for s_, p, o in _required_patterns(child(exists, "graph"), algebra):  # an EXISTS in it: marked its own
        yield own(s_), p, own(o)


def domains_of(algebra: Any, restricted: dict[Variable, set[URIRef]]) -> Iterator[Domain]:
    """A Domain for each variable bound from `$this` that patterns without `$this` join: those patterns,
    found by following shared variables from it. (No such pattern has a variable predicate or one read of
    `$this`: reads() refuses those queries.)"""
    patterns = list(_required_patterns(algebra))
    for var, predicates in sorted(_bound_from_this(algebra, restricted).items()):
        joined: list[Triple] = []
        reached: set[Variable | BNode] = {var}
        while grown := [t for t in patterns if t not in joined and reached & {t[0], t[2]}]:
            joined += grown
            reached |= {term for t in grown for term in (t[0], t[2]) if isinstance(term, (Variable, BNode))}
        if joined:
            body = " .\n  ".join(" ".join(term.n3() for term in t) for t in joined)
            yield Domain(
                tuple(sorted(str(p) for p in predicates)),
                f"SELECT DISTINCT {var.n3()} WHERE {{\n  {body} .\n}}",
                tuple(sorted({str(iri) for t in joined for iri in path_iris(t[1])})),
            )


def excluded_predicates(algebra: Any, node: Any = None) -> Iterator[tuple[str, ...]]:
    """Groups of predicates of `$this` whose presence fails a FILTER every solution must pass:
    `FILTER NOT EXISTS { $this p ?x }` (one or more such patterns, nothing else), with ?x used nowhere else
    — it exists as soon as the transaction has a p, whatever the solution."""
    node = algebra if node is None else node
    if not isinstance(node, CompValue):
        return
    if node.name == "Filter":
        for condition in _conjuncts(dict.get(node, "expr")):
            if isinstance(condition, CompValue) and condition.name == "Builtin_NOTEXISTS":
                group = _presence(algebra, condition)
                if group:
                    yield group
    for key in _MANDATORY.get(node.name, ()):
        yield from excluded_predicates(algebra, dict.get(node, key))


def _conjuncts(expr: Any) -> list[Any]:
    if isinstance(expr, CompValue) and expr.name == "ConditionalAndExpression":
        return [
            c for part in [dict.get(expr, "expr"), *(dict.get(expr, "other") or [])] for c in _conjuncts(part)
        ]
    return [expr]


def _presence(algebra: Any, exists: CompValue) -> tuple[str, ...] | None:
    """The predicates of a NOT EXISTS that only asks whether `$this` has them, else None."""
    patterns: list[Triple] = []
    stack = [child(exists, "graph")]
    while stack:
        part = stack.pop()
        if not isinstance(part, CompValue) or part.name not in ("Join", "BGP"):
            return None
        if part.name == "Join":
            stack += [dict.get(part, "p1"), dict.get(part, "p2")]
        else:
            patterns += dict.get(part, "triples") or []
    fresh = {o for _, _, o in patterns}
    if not patterns or any(
        s_ != THIS or not isinstance(p, URIRef) or not isinstance(o, Variable) for s_, p, o in patterns
    ):
        return None
    if len(fresh) != len(patterns) or fresh & {
        n for n in _walk_outside(algebra, lambda node: node is exists) if isinstance(n, Variable)
    }:
        return None
    return tuple(sorted({str(p) for _, p, _ in patterns}))


def _walk_outside(node: Any, skip: Callable[[Any], bool]) -> Iterator[Any]:
    """Every node but those under a node `skip` is true of."""
    if skip(node):
        return
    yield node
    for sub, _ in children(node):
        yield from _walk_outside(sub, skip)


def _is_exists(node: Any) -> bool:
    """(NOT) EXISTS: outside them, a variable found is one the query's own patterns use."""
    return isinstance(node, CompValue) and node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS")
