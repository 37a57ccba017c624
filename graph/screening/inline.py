"""One transaction's own values written into a rule's query, where the query would read them from the store.

A rule reads the transaction it validates by triple patterns on `$this` (`$this eckg:item ?item`). Bound
to one transaction, such a pattern matches exactly its triples of that predicate, so it has the same
solutions as an inline-data block of those values in its place (`VALUES (?item) { (<...>) }`): a triple
pattern is a table of its matches, and a group joins its parts in any order. Transactions are fresh IRIs
(graph.screening.transaction), so no other triple of the dataset has one as its subject. A statement of
several patterns becomes one block of their variables.

The rewritten query plans much faster: Oxigraph's optimiser infers the types of every variable at every
join it considers, and the transaction's patterns joined the rest of each rule (the control-list rule:
0.53 -> 0.20 ms on an empty store; the 11 rules for one transaction of an order book: 3.8 -> 1.4 ms, with
the same results). A block with no row (a party not resolved) makes the whole join empty before planning.
For several transactions, each block needs a column for `?this` and a row for each of them, and the longer
text costs what planning saves (measured with 2 to 150), so runs of several stay as they are.

Only statements of the simplest form are rewritten: `$this` as subject, each predicate an IRI or a prefixed
name the query's prefixes declare, each object a variable (`;` between them). Anything else — a path, a
constant, `a`, an object list — is left as it is, to be matched in the scratch graph, which the engine then
keeps for the transaction (graph.screening.engines); so is every statement of a query with GRAPH, FROM,
SERVICE, MINUS or a sub-SELECT (`_UNSAFE`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import product

import pyoxigraph as ox

from graph.sparql_text import Token, tokens

_FOCUS = ("$this", "?this")
_STARTS = ("{", "}", ".", ")")  # what may come before a triple pattern's subject


@dataclass(frozen=True)
class Statement:
    """A statement on `$this` that can be written as inline data: its span in the query text and, in
    order, the predicate IRI and object variable of each pattern."""

    start: int
    end: int
    patterns: tuple[tuple[str, str], ...]

    @cached_property
    def predicates(self) -> tuple[str, ...]:
        return tuple(predicate for predicate, _ in self.patterns)

    @cached_property
    def variables(self) -> tuple[str, ...]:
        return tuple(var for _, var in self.patterns)

    @cached_property
    def distinct(self) -> bool:
        """Whether no variable is the object of two patterns."""
        return len(set(self.variables)) == len(self.variables)

    @cached_property
    def head(self) -> str:
        """The variables of its block, in the order a match binds them."""
        return " ".join(f"?{name}" for name in dict.fromkeys(self.variables))


# Where a pattern on `$this` means more than its matches, none is rewritten: in GRAPH it also binds or
# restricts the graph, FROM and SERVICE change what it is matched against, MINUS removes by the variables
# both sides share (`$this` among them), and a sub-SELECT has a `$this` of its own unless it projects it.
_UNSAFE = {"GRAPH", "FROM", "SERVICE", "MINUS"}


def focus_statements(query: str, prefixes: Mapping[str, str]) -> tuple[Statement, ...]:
    """The statements of `query` on `$this` that can be written as inline data (module docstring)."""
    toks = list(tokens(query))
    keywords = [t.keyword for t in toks if t.keyword]
    if _UNSAFE.intersection(keywords) or keywords.count("SELECT") > 1:
        return ()
    declared = {**prefixes, **_declared(toks)}
    found = []
    for i, token in enumerate(toks):
        if token.kind == "var" and token.text in _FOCUS and i > 0 and toks[i - 1].text in _STARTS:
            statement = _statement(toks, i, declared)
            if statement is not None:
                found.append(statement)
    return tuple(found)


def _declared(toks: list[Token]) -> dict[str, str]:
    """The prefixes the query text declares (PREFIX p: <iri>)."""
    out = {}
    for i, token in enumerate(toks[:-2]):
        if token.keyword == "PREFIX" and toks[i + 1].kind == "word" and toks[i + 2].kind == "iri":
            out[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
    return out


def _statement(toks: list[Token], at: int, prefixes: Mapping[str, str]) -> Statement | None:
    """The statement whose subject is toks[at], if it has the simplest form; None otherwise."""
    patterns: list[tuple[str, str]] = []
    i = at + 1
    while True:
        if i + 1 >= len(toks):
            return None
        predicate = _iri(toks[i], prefixes)
        obj = toks[i + 1]
        if predicate is None or obj.kind != "var" or obj.text in _FOCUS:
            return None
        patterns.append((predicate, obj.text[1:]))
        last = obj
        i += 2
        while i < len(toks) and toks[i].text == ";":  # `;` may be repeated, or end the list
            last = toks[i]
            i += 1
        if i >= len(toks) or toks[i].text in (".", "}"):
            return Statement(toks[at].start, last.start + len(last.text), tuple(patterns))
        if last.text != ";":
            return None  # an object list (`,`), or anything else


def _iri(token: Token, prefixes: Mapping[str, str]) -> str | None:
    """The absolute IRI a predicate token names, or None (a prefix not declared, a relative IRI, `a`, ...)."""
    if token.kind == "iri":
        text = token.text[1:-1]
    elif token.kind == "word" and ":" in token.text:
        prefix, local = token.text.split(":", 1)
        if prefix not in prefixes or "\\" in local:
            return None
        text = prefixes[prefix] + local
    else:
        return None
    try:
        ox.NamedNode(text)
    except ValueError:
        return None
    return text if ":" in text else None


Objects = Mapping[str, Sequence[str]]  # the transaction's objects of each predicate IRI, in N-Triples


@dataclass(frozen=True)
class Template:
    """A rule's query cut, once, where one transaction goes: `$this` bound by VALUES at the start of its
    WHERE group (`where`: graph.sparql_text.where_body_start), its values in place of its statements."""

    pieces: tuple[str, ...]  # the text before the VALUES of `$this`, then around each statement
    statements: tuple[Statement, ...]

    @classmethod
    def of(cls, query: str, prefixes: Mapping[str, str], where: int) -> Template:
        statements = focus_statements(query, prefixes)
        starts = [where, *(s.end for s in statements)]
        ends = [*(s.start for s in statements), len(query)]
        if any(a > b for a, b in zip(starts, ends, strict=True)):
            raise ValueError("a statement on $this before the WHERE group")  # a statement is in a group
        return cls((query[:where], *(query[a:b] for a, b in zip(starts, ends, strict=True))), statements)

    @cached_property
    def reads_this(self) -> bool:
        """Whether the query still names `$this` in its WHERE group once the statements are replaced."""
        return any(t.kind == "var" and t.text in _FOCUS for piece in self.pieces[1:] for t in tokens(piece))

    def bound(self, focus: str, objects: Objects) -> str:
        """The query for one transaction: `focus` is its IRI, `objects` its objects of each predicate, all
        in the N-Triples that pyoxigraph writes of its terms, so text a user gave is only ever an escaped
        literal."""
        out = [self.pieces[0], f"\n  VALUES ?this {{ {focus} }}\n", self.pieces[1]]
        for statement, piece in zip(self.statements, self.pieces[2:], strict=True):
            out += [_block(statement, objects), piece]
        return "".join(out)


def _block(statement: Statement, objects: Objects) -> str:
    """One inline-data block for the statement: a row per match of its patterns. A variable in two patterns
    takes the same term in both."""
    columns = [objects.get(predicate, ()) for predicate in statement.predicates]
    if statement.distinct and all(len(column) == 1 for column in columns):  # the usual case
        rows = [" ".join(column[0] for column in columns)]
    else:
        rows = []
        for terms in product(*columns):
            bound: dict[str, str] = {}
            if all(
                bound.setdefault(var, term) == term
                for var, term in zip(statement.variables, terms, strict=True)
            ):
                rows.append(" ".join(bound.values()))
    return f"VALUES ({statement.head}) {{ {' '.join(f'({row})' for row in rows)} }}"
