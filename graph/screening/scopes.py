"""Where in a query's WHERE group a variable bound once for the whole group may be written as its term.

A rule bound to one transaction has its values as one-row inline data at the top of its WHERE group
(graph.screening.inline): every solution of the group then has that variable bound to that term. Writing
the term in place of the variable elsewhere in the group changes no solution where the variable is read
*as the group's value*:

- in a triple pattern or a FILTER of the group itself (a group joins its parts, and a filter applies to the
  whole group, wherever it is written);
- anywhere in a FILTER EXISTS / NOT EXISTS of the group (SPARQL defines EXISTS by substituting the
  solution's values into its pattern), or of such a pattern, in turn.

Anywhere else a group of its own is evaluated before the join that binds the variable, and its variable
may be unbound or take another value there: in OPTIONAL (a left join keeps rows whose inner value
differs, then drops them at the join), UNION, MINUS, a nested group, GRAPH, SERVICE, a sub-SELECT; in
BIND (it reads the parts written before it only); and where the grammar takes a variable, not a term
(BOUND, AS, the head of a VALUES). A variable with one such occurrence is never written as a term.

Writing the term makes the query plan faster: Oxigraph's optimiser infers the types of every variable at
every join it weighs (graph.screening.inline gives the figures).
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.sparql_text import Token, tokens

_TOP, _EXISTS, _OTHER = "top", "exists", "other"


@dataclass(frozen=True)
class Scopes:
    """For the WHERE group of a query: where each variable occurs in it, and which may be written as a
    term (see the module docstring)."""

    spans: dict[str, tuple[tuple[int, int], ...]]  # each variable's occurrences in the group: (start, end)
    writable: frozenset[str]  # the variables every occurrence of which may be written as a term
    top: frozenset[int]  # the offsets of the tokens in the group itself (in no group within it)
    outside: frozenset[str] | None  # the variables read outside the group (None: all, for SELECT *)


def scopes(query: str, where: int) -> Scopes:
    """The scopes of the WHERE group that starts (just inside its brace) at `where`."""
    toks = list(tokens(query))
    first = next(i for i, t in enumerate(toks) if t.start >= where)
    spans: dict[str, list[tuple[int, int]]] = {}
    unsafe: set[str] = set()
    top: set[int] = set()
    stack: list[str] = [_TOP]  # the kinds of the groups (and, as "(", brackets) the token is in
    binds: list[int] = []  # stack depths of the open BIND( ... )
    after = len(toks)  # the index of the first token after the group
    for i in range(first, len(toks)):
        token = toks[i]
        if _groups(stack) == [_TOP]:
            top.add(token.start)
        if token.kind == "open":
            stack.append(_group(toks, i) if token.text == "{" else "(")
            if token.text == "(" and toks[i - 1].keyword == "BIND":
                binds.append(len(stack))
            continue
        if token.kind == "close":
            if binds and binds[-1] == len(stack):
                binds.pop()
            stack.pop()
            if not stack:
                after = i + 1
                break
            continue
        if token.kind == "var":
            name = token.text[1:]
            spans.setdefault(name, []).append((token.start, token.start + len(token.text)))
            if binds or not _readable(stack) or _names_variable(toks, i):
                unsafe.add(name)
    outside = _outside(toks[:first], toks[after:])
    return Scopes(
        {name: tuple(s) for name, s in spans.items()},
        frozenset(spans) - unsafe,
        frozenset(top),
        outside,
    )


def _group(toks: list[Token], at: int) -> str:
    """The kind of the group whose brace is toks[at]: an EXISTS pattern, or any other."""
    return _EXISTS if at > 0 and toks[at - 1].keyword == "EXISTS" else _OTHER


def _readable(stack: list[str]) -> bool:
    """Whether a variable in these groups reads the WHERE group's value: in the group itself or in
    EXISTS patterns of it, brackets aside."""
    return all(kind == _EXISTS for kind in _groups(stack)[1:])


def _groups(stack: list[str]) -> list[str]:
    return [kind for kind in stack if kind != "("]


def _names_variable(toks: list[Token], at: int) -> bool:
    """Whether the grammar takes a variable, not a term, at toks[at]: BOUND(?v), AS ?v, or a VALUES head."""
    before = [t.keyword or t.text for t in toks[max(at - 2, 0) : at]]
    if before[-1:] == ["AS"] or before[-1:] == ["VALUES"] or before[-2:] == ["BOUND", "("]:
        return True
    # VALUES (?a ?b ...): the variables since the paren after VALUES
    j = at - 1
    while j >= 0 and toks[j].kind == "var":
        j -= 1
    return j > 0 and toks[j].text == "(" and toks[j - 1].keyword == "VALUES"


def _outside(head: list[Token], tail: list[Token]) -> frozenset[str] | None:
    """The variables the query reads outside its WHERE group: its projection, and the modifiers after the
    group; None for SELECT * (every variable of the group is projected)."""
    if any(t.text == "*" for t in head if t.kind == "punct"):
        return None
    return frozenset(t.text[1:] for t in (*head, *tail) if t.kind == "var")
