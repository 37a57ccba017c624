"""Reading rdflib's SPARQL algebra: the walks and patterns graph.screening.reads and graph.screening.needs
share (rdflib's parser and translation: `translateQuery(parseQuery(text))`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, NegatedPath
from rdflib.plugins.sparql.parserutils import CompValue

THIS = Variable("this")
Triple = tuple[Any, Any, Any]


def child(node: CompValue, key: str) -> Any:
    """A node's child under `key`. rdflib keeps the translated pattern of an EXISTS as an instance attribute
    beside the raw parse under the same key, so the attribute wins."""
    return node.__dict__[key] if key in node.__dict__ else dict.get(node, key)


def children(node: Any) -> Iterator[tuple[Any, str | None]]:
    """A node's children with their keys (see child)."""
    if isinstance(node, CompValue):
        for key in node:
            if not key.startswith("_"):
                yield child(node, key), key
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield value, None
    elif isinstance(node, dict):  # VALUES rows: {variable: term}
        for key, value in node.items():
            yield key, None
            yield value, None


def walk(node: Any) -> Iterator[Any]:
    yield node
    for child, _ in children(node):
        yield from walk(child)


def triple_patterns(algebra: Any) -> list[Triple]:
    """Every triple pattern, in the WHERE clause and in FILTER (NOT) EXISTS."""
    out: list[Triple] = []
    for node in walk(algebra):
        if isinstance(node, CompValue) and "triples" in node and node["triples"] is not None:
            for entry in node["triples"]:
                flat = list(entry)
                out.extend((flat[i], flat[i + 1], flat[i + 2]) for i in range(0, len(flat) - 2, 3))
    return out


def restrictions(algebra: Any) -> dict[Variable, set[URIRef]]:
    """Variables that can only take the IRIs listed by `FILTER(?v IN (...))` or `VALUES ?v {...}`."""
    found: dict[Variable, set[URIRef]] = {}
    for node in walk(algebra):
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


def from_this(predicate: Any, restricted: dict[Variable, set[URIRef]]) -> set[URIRef] | None:
    if isinstance(predicate, URIRef):
        return {predicate}
    if isinstance(predicate, Variable):
        return restricted.get(predicate)
    if isinstance(predicate, AlternativePath) and all(isinstance(arg, URIRef) for arg in predicate.args):
        return {arg for arg in predicate.args if isinstance(arg, URIRef)}
    return None


def path_iris(path: Any) -> set[URIRef]:
    return {node for node in _path_nodes(path) if isinstance(node, URIRef)}


def mentions(predicate: Any, read: set[URIRef]) -> bool:
    if isinstance(predicate, Variable):
        return True
    return bool(path_iris(predicate) & read)


def matched_predicates(predicate: Any) -> set[str] | None:
    """The predicates a pattern's predicate (an IRI or a path) can match, as strings; None for any (a
    variable, or a negated property set)."""
    if isinstance(predicate, Variable):
        return None
    if any(isinstance(node, NegatedPath) for node in _path_nodes(predicate)):
        return None
    return {str(iri) for iri in path_iris(predicate)}


def _path_nodes(path: Any) -> Iterator[Any]:
    yield path
    parts = [getattr(path, name) for name in ("args", "path", "arg") if hasattr(path, name)]
    for part in parts:
        for p in part if isinstance(part, (list, tuple)) else [part]:
            yield from _path_nodes(p)
