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

A statement in the WHERE group itself with one match binds its variables to one term each for the whole
group; where the group reads such a variable (graph.screening.scopes says where), the term is written in
its place (`?item skos:broader* ?entry` becomes `<...1C902.c> skos:broader* ?entry`), and the block keeps
only the variables read outside the group. A query whose group then no longer reads `$this` does not
bind it: every solution is the transaction's, which the engine knows. Each plans faster again (the 11
rules of one order-book transaction: 1.45 -> 1.18 ms with the values, and a fifth less again without
binding `$this`; graph.screening.trim takes another third off what is left).

Only statements of the simplest form are rewritten: `$this` as subject, each predicate an IRI or a prefixed
name the query's prefixes declare, each object a variable (`;` between them). Anything else — a path, a
constant, `a`, an object list — is left as it is, to be matched in the scratch graph, which the engine then
keeps for the transaction (graph.screening.engines); so is every statement of a query with GRAPH, FROM,
SERVICE, MINUS or a sub-SELECT (`_UNSAFE`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from itertools import product

import pyoxigraph as ox

from graph.screening.scopes import Scopes, scopes
from graph.screening.trim import trimmed
from graph.sparql_text import Token, tokens, where_body_start

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
            if i < len(toks) and toks[i].text == ".":  # its end: a block, or nothing, needs no "." after it
                last = toks[i]
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
class _Var:
    """An occurrence of a variable that one transaction's value may take the place of (graph.screening.scopes)."""

    name: str


@dataclass(frozen=True)
class Template:
    """A rule's query cut, once, where one transaction goes: `$this` bound by VALUES at the start of its
    WHERE group (`where`: graph.sparql_text.where_body_start), its values in place of its statements
    (the part `int` i: the block of statements[i]) and, where graph.screening.scopes allows, of the
    variables they bind (a `_Var`)."""

    head: str  # the text before the VALUES of `$this`
    parts: tuple[str | int | _Var, ...]
    statements: tuple[Statement, ...]
    writable: tuple[tuple[str, ...], ...]  # for each statement, its variables a value may be written for
    kept: frozenset[str] | None  # the variables read outside the WHERE group (None: all of them)
    constants: Mapping[str, ox.NamedNode]  # what the engine adds to every row (graph.screening.trim)

    @classmethod
    def of(cls, query: str, prefixes: Mapping[str, str], where: int) -> Template:
        trim = trimmed(query, where, {**prefixes, **_declared(list(tokens(query)))})
        query, where = trim.query, where_body_start(trim.query)
        statements = focus_statements(query, prefixes)
        if any(s.start < where for s in statements):
            raise ValueError("a statement on $this before the WHERE group")  # a statement is in a group
        scope = scopes(query, where)
        writable = _writable(statements, scope)
        template = cls._cut(query, where, statements, writable, scope)
        if any(writable) and not template._parses_with_literals(prefixes):
            # a variable where the grammar takes an IRI, not a literal (a predicate): each tried alone
            names = {name for names in writable for name in names}
            alone = [cls._cut(query, where, statements, _only(writable, {n}), scope) for n in names]
            fine = {n for n, t in zip(names, alone, strict=True) if t._parses_with_literals(prefixes)}
            template = cls._cut(query, where, statements, _only(writable, fine), scope)
        return replace(template, constants=trim.constants)

    @classmethod
    def _cut(
        cls,
        query: str,
        where: int,
        statements: tuple[Statement, ...],
        writable: tuple[tuple[str, ...], ...],
        scope: Scopes,
    ) -> Template:
        inside = [(s.start, s.end) for s in statements]
        cuts: list[tuple[int, int, int | _Var]] = [(s.start, s.end, i) for i, s in enumerate(statements)]
        for name in {name for names in writable for name in names}:
            cuts += [
                (a, b, _Var(name))
                for a, b in scope.spans[name]
                if not any(start <= a < end for start, end in inside)
            ]
        parts: list[str | int | _Var] = []
        at = where
        for a, b, part in sorted(cuts, key=lambda cut: cut[0]):
            parts += [query[at:a], part]
            at = b
        parts.append(query[at:])
        return cls(query[:where], tuple(parts), statements, writable, scope.outside, {})

    def _parses_with_literals(self, prefixes: Mapping[str, str]) -> bool:
        """Whether the query parses with a literal for every value written: the one position where a
        variable can be an IRI but not a literal is a predicate."""
        sample = self.bound("<urn:eckg:sample>", {p: ['"0"'] for s in self.statements for p in s.predicates})
        try:
            _empty_store().query(sample, prefixes=dict(prefixes))
        except SyntaxError:
            return False
        return True

    @cached_property
    def reads_this(self) -> bool:
        """Whether the query still names `$this` in its WHERE group once the statements are replaced."""
        return any(
            t.kind == "var" and t.text in _FOCUS
            for part in self.parts
            if isinstance(part, str)
            for t in tokens(part)
        )

    @cached_property
    def _format(self) -> tuple[str, tuple[str, ...]]:
        """The query as a format string, and the names of its variables' fields: field 0 binds `$this`,
        field 1 + i is the block of statements[i], then one field per variable written for."""
        names = tuple(dict.fromkeys(part.name for part in self.parts if isinstance(part, _Var)))
        first = 1 + len(self.statements)
        out = [_escaped(self.head), "{0}"]
        for part in self.parts:
            if isinstance(part, str):
                out.append(_escaped(part))
            elif isinstance(part, int):
                out.append(f"{{{1 + part}}}")
            else:
                out.append(f"{{{first + names.index(part.name)}}}")
        return "".join(out), names

    def bound(self, focus: str, objects: Objects) -> str:
        """The query for one transaction: `focus` is its IRI, `objects` its objects of each predicate, all
        in the N-Triples that pyoxigraph writes of its terms, so text a user gave is only ever an escaped
        literal. A statement with one match has its writable variables' values written in their place
        (and left out of its block, unless read outside the WHERE group). Where the WHERE group no longer
        reads `$this` (`reads_this`), it is not bound: every solution is the focus's, and names none."""
        text, names = self._format
        args = [f"\n  VALUES ?this {{ {focus} }}\n" if self.reads_this else "\n"]
        terms: dict[str, str] = {}
        for statement, writable in zip(self.statements, self.writable, strict=True):
            row = _one_row(statement, objects) if writable else None
            if row is None:
                args.append(_block(statement, objects))
                continue
            for name in writable:
                terms[name] = f" {row[name]} "
            kept = [v for v in row if v not in writable or self.kept is None or v in self.kept]
            args.append(_values(kept, [row[v] for v in kept]) if kept else "")
        args += [terms.get(name) or f"?{name}" for name in names]
        return text.format(*args)


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _values(variables: Sequence[str], row: Sequence[str]) -> str:
    return f"VALUES ({' '.join(f'?{v}' for v in variables)}) {{ ({' '.join(row)}) }}"


def _writable(statements: Sequence[Statement], scope: Scopes) -> tuple[tuple[str, ...], ...]:
    """For each statement, the variables whose value may be written in their place: the statement is in
    the WHERE group itself (not a group within it), no other statement binds the variable, and scopes
    allows every other occurrence of it."""
    bound_by: dict[str, int] = {}
    for statement in statements:
        for name in set(statement.variables):
            bound_by[name] = bound_by.get(name, 0) + 1
    return tuple(
        tuple(
            name
            for name in statement.variables
            if statement.distinct
            and statement.start in scope.top
            and bound_by[name] == 1
            and name in scope.writable
        )
        for statement in statements
    )


def _only(writable: tuple[tuple[str, ...], ...], names: set[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(n for n in per_statement if n in names) for per_statement in writable)


@lru_cache(maxsize=1)
def _empty_store() -> ox.Store:
    return ox.Store()


def _one_row(statement: Statement, objects: Objects) -> dict[str, str] | None:
    """The statement's one match, by variable, if it has exactly one and every value is an IRI or a literal
    (a blank node in a query is a variable of its own); else None."""
    row = {}
    for predicate, name in statement.patterns:
        column = objects.get(predicate, ())
        if len(column) != 1 or column[0][:1] not in ("<", '"'):
            return None
        row[name] = column[0]
    return row


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
