"""What of a rule's query the engine does itself when it screens one transaction: SELECT DISTINCT, and a
constant BIND as the last part of the WHERE group.

Oxigraph parses and plans every part of a query at every call, and once a transaction's values are
written in (graph.screening.inline) these two were a third of what is left of the 11 rules' time (of
~1.0 ms: DISTINCT ~0.1 ms, `BIND(eckg:item AS ?path)` ~0.2 ms). Neither changes the findings:

- DISTINCT: the engine keeps one finding per distinct row anyway (a row's finding is made from the row
  alone: graph.screening.engines), so repeated rows give the findings distinct ones give. Dropped only
  where nothing after the WHERE group reads the solutions (ORDER BY, GROUP BY, HAVING, LIMIT, OFFSET,
  VALUES) and the projection is of variables only.
- `BIND(<iri> AS ?v)` last in the WHERE group, with `?v` read nowhere else in the query and projected by
  name: every solution has `?v` bound to that IRI, so the engine adds it to every row instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.sparql_text import Token, tokens


@dataclass(frozen=True)
class Trimmed:
    query: str
    constants: Mapping[str, ox.NamedNode] = field(default_factory=dict)  # variable -> term, for every row


def trimmed(query: str, where: int, prefixes: Mapping[str, str]) -> Trimmed:
    """The query without what the engine does itself (module docstring); `where` is just inside its WHERE
    group's brace, `prefixes` all it may use (given and declared)."""
    toks = list(tokens(query))
    first = next(i for i, t in enumerate(toks) if t.start >= where)
    depth = toks[first - 1].depth  # of the WHERE group's brace
    end = next(
        (i for i in range(first, len(toks)) if toks[i].kind == "close" and toks[i].depth == depth), None
    )
    if end is None:  # the group is not closed: not a query Oxigraph would run, left as it is
        return Trimmed(query)
    head, body, tail = toks[: first - 1], toks[first:end], toks[end + 1 :]
    cuts: list[tuple[int, int]] = []
    constants: dict[str, ox.NamedNode] = {}
    bind = _constant_bind(head, body, tail, prefixes, depth + 1)
    if bind is not None:
        name, term, (a, b) = bind
        constants[name] = term
        cuts.append((a, b))
    distinct = _distinct(head, tail)
    if distinct is not None:
        cuts.append(distinct)
    for a, b in sorted(cuts, reverse=True):
        query = query[:a] + query[b:]
    return Trimmed(query, constants)


def _constant_bind(
    head: list[Token], body: list[Token], tail: list[Token], prefixes: Mapping[str, str], depth: int
) -> tuple[str, ox.NamedNode, tuple[int, int]] | None:
    """The variable, IRI and span of a BIND(<iri> AS ?v) that ends the WHERE group (whose parts are at
    `depth`), if it can go."""
    if len(body) < 6:
        return None
    bind, open_, value, as_, var, close = body[-6:]
    if (
        bind.keyword != "BIND"
        or bind.depth != depth
        or (open_.text, as_.keyword, var.kind, close.text) != ("(", "AS", "var", ")")
    ):
        return None
    term = _iri(value, prefixes)
    name = var.text[1:]
    others = [t for t in (*body[:-2], *tail) if t.kind == "var" and t.text[1:] == name]
    projected = any(t.kind == "var" and t.text[1:] == name for t in head)
    if term is None or others or not projected:
        return None
    return name, term, (bind.start, close.start + 1)


def _iri(token: Token, prefixes: Mapping[str, str]) -> ox.NamedNode | None:
    try:
        if token.kind == "iri":
            return ox.NamedNode(token.text[1:-1])
        if token.kind == "word" and ":" in token.text:
            prefix, local = token.text.split(":", 1)
            if prefix in prefixes and "\\" not in local:
                return ox.NamedNode(prefixes[prefix] + local)
    except ValueError:
        return None
    return None


def _distinct(head: list[Token], tail: list[Token]) -> tuple[int, int] | None:
    """The span of DISTINCT (or REDUCED) in `SELECT DISTINCT ?a ?b`, if it can go."""
    keywords = [t.keyword for t in head]
    if "SELECT" not in keywords or tail:
        return None
    at = keywords.index("SELECT")
    if at + 1 >= len(head) or keywords[at + 1] not in ("DISTINCT", "REDUCED"):
        return None
    projection = head[at + 2 :]
    if projection and projection[-1].keyword == "WHERE":  # optional in SPARQL
        projection = projection[:-1]
    if not projection or any(t.kind != "var" for t in projection):
        return None
    token = head[at + 1]
    return token.start, token.start + len(token.text)
