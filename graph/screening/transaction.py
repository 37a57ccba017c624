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
# the predicates and datatypes of facts(), made once
_TYPED = (_RDF + "type", IRI, _ECKG + "ExportTransaction")
_STRING, _XSD_DATE, _DECIMAL = _XSD + "string", _XSD + "date", _XSD + "decimal"
_ITEM_TEXT, _END_USER_NAME, _DATE = _ECKG + "itemText", _ECKG + "endUserName", _ECKG + "transactionDate"
_DESTINATION, _ORIGIN = _ECKG + "destinationCountry", _ECKG + "originCountry"
_EXPORTER_COUNTRY, _END_USE = _ECKG + "exporterCountry", _ECKG + "endUse"
_ITEM, _END_USER, _CONSIGNEE, _EXPORTER = (_ECKG + p for p in ("item", "endUser", "consignee", "exporter"))
_QUANTITY, _VALUE = _ECKG + "quantity", _ECKG + "value"
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
            _TYPED,
            (_ITEM_TEXT, _STRING, r.item),
            (_END_USER_NAME, _STRING, r.end_user),
            (_DESTINATION, IRI, _COUNTRY + r.destination.upper()),
            (_ORIGIN, IRI, _COUNTRY + r.origin.upper()),
            (_EXPORTER_COUNTRY, IRI, _COUNTRY + r.exporter_country.upper()),
            (_DATE, _XSD_DATE, r.as_of.isoformat()),
        ]
        for predicate, resolution in (
            (_ITEM, self.item),
            (_END_USER, self.end_user),
            (_CONSIGNEE, self.consignee),
            (_EXPORTER, self.exporter),
        ):
            if resolution is not None and resolution.iri is not None:
                out.append((predicate, IRI, resolution.iri))
        if self.end_use is not None:
            out.append((_END_USE, IRI, self.end_use))
        if r.quantity is not None:
            out.append((_QUANTITY, _DECIMAL, str(r.quantity)))
        if r.value is not None:
            out.append((_VALUE, _DECIMAL, str(r.value)))
        return out

    @cached_property
    def pairs(self) -> tuple[tuple[ox.NamedNode, ox.NamedNode | ox.Literal], ...]:
        """(predicate, object) of every triple about the transaction, as store terms."""
        return tuple(
            (_node(p), _node(value) if kind == IRI else _literal(value, kind))
            for p, kind, value in self.facts()
        )

    @cached_property
    def term(self) -> str:
        """Its IRI in N-Triples, as the rules' queries bind it (made once, not once per rule)."""
        return str(ox.NamedNode(self.iri))

    @cached_property
    def objects(self) -> dict[str, list[str]]:
        """The objects of each predicate (IRI), in N-Triples: str() of the store's terms."""
        out: dict[str, list[str]] = {}
        for p, o in self.pairs:
            out.setdefault(p.value, []).append(str(o))
        return out

    def triples(self) -> list[ox.Triple]:
        tx = ox.NamedNode(self.iri)
        return [ox.Triple(tx, p, o) for p, o in self.pairs]
