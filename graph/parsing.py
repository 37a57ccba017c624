"""Parsing RDF files and bodies with Oxigraph, turning syntax errors into ParseError(file, line, column)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.errors import InputError, ParseError

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}

MEDIA_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def format_for_path(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its extension."""
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise InputError(f"{path}: unknown RDF file extension {path.suffix!r}; use one of {known}") from None


def _parse_error(error: SyntaxError, source: str) -> ParseError:
    message = str(error.args[0]) if error.args else str(error)
    return ParseError(message, source=source, line=error.lineno, column=error.offset)


def parse_file(path: Path, graph: ox.NamedNode | None = None) -> list[ox.Quad]:
    """All quads of an RDF file; triples go to `graph` (or the default graph). Errors name file:line:column."""
    rdf_format = format_for_path(path)
    try:
        quads = ox.parse(path=str(path), format=rdf_format, without_named_graphs=False)
        return [_into(q, graph) for q in quads]
    except SyntaxError as e:
        raise _parse_error(e, str(path)) from None
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: {e}") from None


def parse_bytes(
    data: bytes, rdf_format: ox.RdfFormat, source: str, graph: ox.NamedNode | None = None
) -> list[ox.Quad]:
    """All quads of an RDF document held in memory; errors name `source`:line:column."""
    try:
        return [_into(q, graph) for q in ox.parse(data, format=rdf_format)]
    except SyntaxError as e:
        raise _parse_error(e, source) from None
    except ValueError as e:
        raise InputError(f"{source}: {e}") from None


def _into(quad: ox.Quad, graph: ox.NamedNode | None) -> ox.Quad:
    if graph is None or not isinstance(quad.graph_name, ox.DefaultGraph):
        return quad
    return ox.Quad(quad.subject, quad.predicate, quad.object, graph)
