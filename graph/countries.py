"""Countries as RDF, generated from pycountry's ISO 3166-1 data at build time (never written by hand).

Each country gets its alpha-2 and alpha-3 codes, its English name and, where pycountry's translations
have them, Japanese and Chinese names.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from functools import cache
from importlib.metadata import version

import pycountry
import pyoxigraph as ox

from graph.namespaces import COUNTRY, ECKG, SOURCE

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
ALT_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
_LANGUAGES = {"ja": "ja", "zh": "zh_CN"}


def pycountry_version() -> str:
    return version("pycountry")


@cache
def _translator(locale: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True)


def country_iri(alpha2: str) -> ox.NamedNode:
    return ox.NamedNode(COUNTRY + alpha2.upper())


def _labels(country: object) -> Iterator[tuple[ox.NamedNode, ox.Literal]]:
    name: str = country.name  # type: ignore[attr-defined]
    yield PREF_LABEL, ox.Literal(name, language="en")
    for attribute in ("official_name", "common_name"):
        other = getattr(country, attribute, None)
        if other and other != name:
            yield ALT_LABEL, ox.Literal(other, language="en")
    for lang, locale in _LANGUAGES.items():
        translated = _translator(locale).gettext(name)
        if translated != name:
            yield PREF_LABEL, ox.Literal(translated, language=lang)


def country_triples() -> list[ox.Triple]:
    """All ISO 3166-1 countries, sorted by alpha-2 code."""
    triples: list[ox.Triple] = []
    source = ox.NamedNode(SOURCE + "pycountry")
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        iri = country_iri(country.alpha_2)
        triples.append(ox.Triple(iri, RDF_TYPE, ox.NamedNode(ECKG + "Country")))
        triples.append(ox.Triple(iri, ox.NamedNode(ECKG + "alpha2"), ox.Literal(country.alpha_2)))
        triples.append(ox.Triple(iri, ox.NamedNode(ECKG + "alpha3"), ox.Literal(country.alpha_3)))
        triples.extend(ox.Triple(iri, p, o) for p, o in _labels(country))
        triples.append(ox.Triple(iri, DERIVED_FROM, source))
    return triples


@cache
def country_codes() -> frozenset[str]:
    """The valid ISO 3166-1 alpha-2 codes."""
    return frozenset(c.alpha_2 for c in pycountry.countries)
