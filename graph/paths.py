"""Where eckg's data files are: in a source checkout (editable install) or inside the installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def ontology_dir() -> Path:
    """Turtle of the ontology (one file per domain)."""
    return _data_dir("ontology")


def shapes_dir() -> Path:
    """SHACL shapes, one file per measure family."""
    return ontology_dir() / "shapes"


def queries_dir() -> Path:
    """The SPARQL query catalogue, one query per .rq file."""
    return _data_dir("queries")


def facts_dir() -> Path:
    """Instance data: measures, instruments, items, parties, listings, sources."""
    return _PACKAGE / "facts"
