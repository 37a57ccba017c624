"""The named-query catalogue: one SPARQL query per queries/*.rq file, with a header the code reads.

    # summary: One line saying what the query answers.
    # param date: date — the day to judge on           (required)
    # param destination?: country — ISO 3166 alpha-2   (optional: a trailing ?)
    # returns: ?measure ?identifier ?from ?until

Parameter types: iri (a full IRI, <IRI> or prefixed name), date (YYYY-MM-DD), country (ISO 3166-1
alpha-2), string, integer. Values are bound as typed RDF terms (Oxigraph substitutions), never pasted
into the query text. Oxigraph requires substituted variables to be projected, so every parameter is
also a result column. An optional parameter that was not given stays an unbound variable; test for it
with `COALESCE(STR(?p), "") = ""` — not `!BOUND(?p)`, which Oxigraph answers false for a given value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from graph import paths
from graph.countries import country_codes, country_iri
from graph.errors import FieldError, InputError, NotFound
from graph.namespaces import PREFIXES
from graph.terms import OxTerm

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)(\?)?\s*:\s*(\w+)\s*[—–-]+\s*(.+)$")
_XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
PARAM_TYPES = ("iri", "date", "country", "string", "integer")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str
    required: bool


@dataclass(frozen=True)
class NamedQuery:
    name: str
    summary: str
    params: tuple[Param, ...]
    returns: tuple[str, ...]
    text: str
    path: Path

    def bind(self, values: dict[str, str]) -> dict[str, OxTerm]:
        """Typed RDF terms for the given parameter values; FieldError lists every problem at once."""
        known = {p.name: p for p in self.params}
        problems = [
            {"field": k, "message": f"unknown parameter; {self.name} takes {', '.join(known) or 'none'}"}
            for k in values
            if k not in known
        ]
        problems += [
            {"field": p.name, "message": "required parameter missing"}
            for p in self.params
            if p.required and not values.get(p.name)
        ]
        bound: dict[str, OxTerm] = {}
        for name, raw in values.items():
            if name in known and raw not in (None, ""):
                try:
                    bound[name] = to_term(known[name].type, raw)
                except ValueError as e:
                    problems.append({"field": name, "message": str(e)})
        if problems:
            raise FieldError(f"invalid parameters for query {self.name}", errors=problems)
        return bound


def to_term(kind: str, raw: str) -> OxTerm:
    """A parameter value as the RDF term of its declared type (ValueError says what is wrong)."""
    raw = raw.strip()
    if kind == "date":
        try:
            return ox.Literal(date.fromisoformat(raw).isoformat(), datatype=_XSD_DATE)
        except ValueError:
            raise ValueError(f"{raw!r} is not a date (YYYY-MM-DD)") from None
    if kind == "country":
        code = raw.upper()
        if code not in country_codes():
            raise ValueError(f"{raw!r} is not an ISO 3166-1 alpha-2 country code")
        return country_iri(code)
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise ValueError(f"{raw!r} is not an integer")
        return ox.Literal(str(int(raw)), datatype=_XSD_INTEGER)
    if kind == "iri":
        return ox.NamedNode(expand_iri(raw))
    return ox.Literal(raw)


_IRI_BODY = r'[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>"{}|^`\\]+'
_IRI_INPUT = re.compile(rf"<{_IRI_BODY}>|{_IRI_BODY}")  # '<IRI>', an absolute IRI, or 'prefix:local'


def expand_iri(raw: str) -> str:
    """A full IRI from '<IRI>', 'prefix:local' (eckg prefixes) or an absolute IRI."""
    if not _IRI_INPUT.fullmatch(raw):
        raise ValueError(f"{raw!r} is not an IRI or a known prefixed name")
    text = raw[1:-1] if raw.startswith("<") else raw
    prefix, _, local = text.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        text = PREFIXES[prefix] + local
    return text


def parse_query_file(path: Path) -> NamedQuery:
    """A query file with the catalogue's header; InputError naming the file if it cannot be read or its
    header is wrong (a query without one runs with `eckg sparql "$(cat Q.rq)"`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"{path}: cannot read the query file: {getattr(error, 'strerror', None) or error}"
        ) from None
    summary, params = "", []
    returns: tuple[str, ...] = ()
    for line in text.splitlines():
        if not line.startswith("#"):
            continue
        body = line.lstrip("#").strip()
        if body.startswith("summary:"):
            summary = body.removeprefix("summary:").strip()
        elif body.startswith("returns:"):
            returns = tuple(v.lstrip("?$") for v in body.removeprefix("returns:").split())
        elif (match := _PARAM.match(line)) is not None:
            name, optional, kind, description = match.groups()
            if kind not in PARAM_TYPES:
                raise InputError(
                    f"{path}: parameter {name} has unknown type {kind!r}; the types are {', '.join(PARAM_TYPES)}"
                )
            params.append(Param(name, kind, description.strip(), optional is None))
    if not summary:
        raise InputError(
            f"{path}: missing '# summary:' header (docs/queries.md); a query without one runs with eckg sparql"
        )
    return NamedQuery(path.stem, summary, tuple(params), returns, text, path)


@cache
def catalogue(directory: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query, by name (the file stem)."""
    directory = directory or paths.queries_dir()
    return {q.name: q for q in (parse_query_file(p) for p in sorted(directory.glob("*.rq")))}


def get_query(name: str) -> NamedQuery:
    """A named query by name only: names are checked, never used as paths."""
    queries = catalogue()
    if not _NAME.match(name) or name not in queries:
        raise NotFound(f"no query named {name!r}; see `eckg queries` for the catalogue")
    return queries[name]
