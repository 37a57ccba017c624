"""A screening request, once resolved, as the RDF transaction the rules validate."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import pyoxigraph as ox

from graph.ids import new_uuid
from graph.namespaces import COUNTRY, ECKG, TRANSACTION
from graph.screening.request import ScreeningRequest
from graph.screening.resolve import Resolution

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_ECKG, _COUNTRY = str(ECKG), str(COUNTRY)  # plain strings: rdflib terms hash differently
IRI = "IRI"  # the kind of an object that is an IRI (else: the literal's datatype)
# terms repeat from transaction to transaction (predicates, countries, items, dates): made once each
_node = lru_cache(maxsize=65536)(ox.NamedNode)


@lru_cache(maxsize=65536)
def _literal(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=_node(datatype))


@dataclass(frozen=True)
class Resolved:
    """A request with each input resolved to graph resources (or not)."""

    request: ScreeningRequest
    item: Resolution
    end_user: Resolution
    end_use: str | None  # IRI
    consignee: Resolution | None = None
    exporter: Resolution | None = None
    iri: str = field(default_factory=lambda: f"{TRANSACTION}{new_uuid()}")

    def with_end_user(self, iri: str, label: str) -> Resolved:
        """The same transaction, supposing the end user is the given party (for weak matches)."""
        assumed = Resolution(self.end_user.input, iri, label, "assumed", self.end_user.score, "strong")
        return Resolved(self.request, self.item, assumed, self.end_use, self.consignee, self.exporter)

    def facts(self) -> list[tuple[str, str, str]]:
        """(predicate, kind, value) of every triple about the transaction: kind is IRI for an IRI, else the
        literal's datatype. The one description the RDF (`pairs`) and the reuse keys (graph.screening.memo)
        come from."""
        r = self.request
        out = [
            (_RDF + "type", IRI, _ECKG + "ExportTransaction"),
            (_ECKG + "itemText", _XSD + "string", r.item),
            (_ECKG + "endUserName", _XSD + "string", r.end_user),
            (_ECKG + "destinationCountry", IRI, _COUNTRY + r.destination.upper()),
            (_ECKG + "originCountry", IRI, _COUNTRY + r.origin.upper()),
            (_ECKG + "exporterCountry", IRI, _COUNTRY + r.exporter_country.upper()),
            (_ECKG + "transactionDate", _XSD + "date", r.as_of.isoformat()),
        ]
        for prop, resolution in (
            ("item", self.item),
            ("endUser", self.end_user),
            ("consignee", self.consignee),
            ("exporter", self.exporter),
        ):
            if resolution is not None and resolution.iri is not None:
                out.append((_ECKG + prop, IRI, resolution.iri))
        if self.end_use is not None:
            out.append((_ECKG + "endUse", IRI, self.end_use))
        for prop, number in (("quantity", r.quantity), ("value", r.value)):
            if number is not None:
                out.append((_ECKG + prop, _XSD + "decimal", str(number)))
        return out

    @cached_property
    def pairs(self) -> tuple[tuple[ox.NamedNode, ox.NamedNode | ox.Literal], ...]:
        """(predicate, object) of every triple about the transaction, as store terms."""
        return tuple(
            (_node(p), _node(value) if kind == IRI else _literal(value, kind))
            for p, kind, value in self.facts()
        )

    def triples(self) -> list[ox.Triple]:
        tx = ox.NamedNode(self.iri)
        return [ox.Triple(tx, p, o) for p, o in self.pairs]
