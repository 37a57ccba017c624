"""Reading SPARQL text just enough to guard it: a lexer that skips strings, IRIs and comments, so that
keywords are found where the grammar has them.

Used to refuse SERVICE and LOAD (no request may leave the server unless allowed), to spot an update
sent to the query operation, and to apply the protocol's using-graph-uri / using-named-graph-uri to an
update's DELETE/INSERT ... WHERE operations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from graph.errors import InputError, QueryRefused

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
  | (?P<word>[A-Za-z_\u00c0-\uffff][\w\u00b7\u00c0-\uffff.-]*(?::[\w\u00b7\u00c0-\uffff.:%-]*)?|:[\w\u00b7\u00c0-\uffff.:%-]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int  # brace/bracket depth before the token

    @property
    def keyword(self) -> str | None:
        return self.text.upper() if self.kind == "word" and ":" not in self.text else None


def tokens(text: str) -> Iterator[Token]:
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("space", "comment"):
            continue
        if kind == "close":
            depth = max(depth - 1, 0)
        yield Token(kind, match.group(), match.start(), depth)
        if kind == "open":
            depth += 1


def keywords(text: str) -> set[str]:
    return {t.keyword for t in tokens(text) if t.keyword}


def refuse_remote(text: str, *, allow_service: bool, allow_load: bool) -> None:
    """QueryRefused if the text would make the server fetch a URL (SERVICE, LOAD) and that is not allowed."""
    found = keywords(text)
    if "SERVICE" in found and not allow_service:
        raise QueryRefused(
            "SERVICE (federated query) is refused: no request may leave this server "
            "(enable with ECKG_ALLOW_SERVICE)"
        )
    if "LOAD" in found and not allow_load:
        raise QueryRefused("LOAD is refused: no request may leave this server (enable with ECKG_ALLOW_LOAD)")


_UPDATE_ONLY = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


def looks_like_update(text: str) -> bool:
    """True when the text starts like a SPARQL Update (after its prologue)."""
    for token in tokens(text):
        keyword = token.keyword
        if (
            keyword in ("PREFIX", "BASE")
            or token.kind in ("iri",)
            or (token.kind == "word" and keyword is None)
        ):
            continue
        if token.kind == "punct" and token.text in (":",):
            continue
        return keyword in _UPDATE_ONLY
    return False


def graph_iris(values: list[str] | None, parameter: str) -> list[str] | None:
    """The protocol's graph IRIs (default-graph-uri, named-graph-uri, using-...), each checked to be an
    absolute IRI; InputError naming the parameter and the value otherwise."""
    for value in values or []:
        try:
            ox.NamedNode(value)
        except ValueError as e:
            raise InputError(f"{parameter} {value!r} is not an absolute IRI ({e})") from None
    return values


def with_using(update: str, using: list[str], using_named: list[str]) -> str:
    """The update with the protocol's dataset applied as USING / USING NAMED before the WHERE of every
    DELETE/INSERT operation. InputError if the update names its own dataset (USING, USING NAMED, WITH)."""
    if not using and not using_named:
        return update
    graph_iris(using, "using-graph-uri")
    graph_iris(using_named, "using-named-graph-uri")
    toks = list(tokens(update))
    if {t.keyword for t in toks if t.depth == 0} & {"USING", "WITH"}:
        raise InputError(
            "the update names its own dataset (USING or WITH) and the request gives "
            "using-graph-uri / using-named-graph-uri: use one or the other"
        )
    clause = (
        "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named) + " "
    )
    out: list[str] = []
    last = 0
    operation: list[str] = []
    for t in toks:
        if t.depth == 0 and t.kind == "punct" and t.text == ";":
            operation = []
            continue
        if t.depth == 0 and t.keyword:
            operation.append(t.keyword)
            if (
                t.keyword == "WHERE"
                and operation[0] in ("INSERT", "DELETE")
                and operation[:2] != ["DELETE", "WHERE"]
            ):
                out += [update[last : t.start], clause]
                last = t.start
    out.append(update[last:])
    return "".join(out)


def where_body_start(query: str) -> int:
    """The offset just inside the WHERE group of a SELECT, ASK, CONSTRUCT or DESCRIBE query (the keyword
    WHERE is optional before it, except after a CONSTRUCT template). InputError if there is none, or if it
    is the short form CONSTRUCT WHERE { } (its group is also its template)."""
    form: str | None = None
    previous: str | None = None
    seen_where = False
    for t in tokens(query):
        if t.depth != 0:
            continue
        if form is None and t.keyword in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            form = t.keyword
        elif t.keyword == "WHERE":
            if previous == "CONSTRUCT":
                raise InputError("values cannot be bound in the short form CONSTRUCT WHERE { }")
            seen_where = True
        elif t.kind == "open" and t.text == "{" and (seen_where or form in ("SELECT", "ASK")):
            return t.start + 1
        previous = t.keyword
    raise InputError("the query has no WHERE group to bind values in")


def with_values(query: str, variable: str, terms: Sequence[str], *, at: int | None = None) -> str:
    """The query with `VALUES ?variable { ... }` first in its WHERE group: the SPARQL 1.1 way to bind a
    variable that a planner sees (Oxigraph plans pre-bound variables as unbound; a remote server has no
    other way). `terms` are N-Triples forms of IRIs or literals (str() of a pyoxigraph term), never user
    text; `at` is where_body_start(query), if known."""
    where = where_body_start(query) if at is None else at
    return f"{query[:where]}\n  VALUES ?{variable} {{ {' '.join(terms)} }}\n{query[where:]}"


def with_bindings(query: str, bindings: Mapping[str, str]) -> str:
    """The query with one row of values bound first in its WHERE group (`VALUES (?a ?b) { (x y) }`);
    values are N-Triples forms of IRIs or literals, as for with_values."""
    if not bindings:
        return query
    where = where_body_start(query)
    names = " ".join(f"?{name}" for name in bindings)
    row = " ".join(bindings.values())
    return f"{query[:where]}\n  VALUES ({names}) {{ ({row}) }}\n{query[where:]}"


_POSITION = re.compile(r"error at (\d+):(\d+):\s*")


def error_position(message: str) -> tuple[int | None, int | None]:
    """Line and column from an Oxigraph syntax-error message ('error at 3:17: ...')."""
    match = _POSITION.search(message)
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)


def without_position(message: str) -> str:
    """An Oxigraph syntax-error message without its 'error at 3:17: ' (given apart), and what it expects
    without the character classes of its grammar ("['A' ..= 'Z' | ...]", "[_]": any character)."""
    message = _POSITION.sub("", message, count=1)
    expected = next((p for p in _EXPECTED if message.startswith(p)), None)
    if expected is None:
        return message
    kept = [item for item in _expected_items(message[len(expected) :]) if not item.startswith("[")]
    if not kept:
        return "unexpected text"
    return f"expected {kept[0]}" if len(kept) == 1 else f"expected one of {', '.join(kept)}"


_EXPECTED = ("expected one of ", "expected ")


def _expected_items(text: str) -> list[str]:
    """The comma-separated items of an Oxigraph expectation, commas inside quotes or brackets kept."""
    items, depth, quoted, start = [], 0, "", 0
    for at, char in enumerate(text):
        if quoted:
            quoted = "" if char == quoted and text[at - 1] != "\\" else quoted
        elif char in "'\"":
            quoted = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(text[start:at].strip())
            start = at + 1
    items.append(text[start:].strip())
    return [item for item in items if item]


def undeclared_prefix(text: str, declared: Iterable[str]) -> tuple[str, int, int] | None:
    """The first prefixed name whose prefix neither the text nor `declared` declares: its prefix, line and
    column (1-based). Oxigraph's message for it lists the characters a name may hold, at a column past it."""
    known = set(declared)
    before: Token | None = None
    for token in tokens(text):
        if token.kind == "word" and ":" in token.text:
            prefix = token.text.split(":", 1)[0]
            if before is not None and before.keyword == "PREFIX":
                known.add(prefix)
            elif prefix != "_" and prefix not in known:
                line = text.count("\n", 0, token.start) + 1
                return prefix, line, token.start - (text.rfind("\n", 0, token.start) + 1) + 1
        before = token
    return None
