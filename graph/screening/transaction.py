"""A screening request, once resolved, as the RDF transaction the rules validate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.countries import country_iri
from graph.namespaces import ECKG, TRANSACTION
from graph.screening.request import ScreeningRequest
from graph.screening.resolve import Resolution

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Resolved:
    """A request with each input resolved to graph resources (or not)."""

    request: ScreeningRequest
    item: Resolution
    end_user: Resolution
    end_use: str | None  # IRI
    consignee: Resolution | None = None
    exporter: Resolution | None = None
    iri: str = field(default_factory=lambda: f"{TRANSACTION}{uuid.uuid4()}")

    def with_end_user(self, iri: str, label: str) -> Resolved:
        """The same transaction, supposing the end user is the given party (for weak matches)."""
        assumed = Resolution(self.end_user.input, iri, label, "assumed", self.end_user.score, "strong")
        return Resolved(self.request, self.item, assumed, self.end_use, self.consignee, self.exporter)

    def triples(self) -> list[ox.Triple]:
        tx, r = ox.NamedNode(self.iri), self.request
        out: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
            (_RDF_TYPE, ox.NamedNode(ECKG + "ExportTransaction")),
            (ox.NamedNode(ECKG + "itemText"), ox.Literal(r.item)),
            (ox.NamedNode(ECKG + "endUserName"), ox.Literal(r.end_user)),
            (ox.NamedNode(ECKG + "destinationCountry"), country_iri(r.destination)),
            (ox.NamedNode(ECKG + "originCountry"), country_iri(r.origin)),
            (ox.NamedNode(ECKG + "exporterCountry"), country_iri(r.exporter_country)),
            (
                ox.NamedNode(ECKG + "transactionDate"),
                ox.Literal(r.as_of.isoformat(), datatype=ox.NamedNode(_XSD + "date")),
            ),
        ]
        for prop, resolution in (
            ("item", self.item),
            ("endUser", self.end_user),
            ("consignee", self.consignee),
            ("exporter", self.exporter),
        ):
            if resolution is not None and resolution.iri is not None:
                out.append((ox.NamedNode(ECKG + prop), ox.NamedNode(resolution.iri)))
        if self.end_use is not None:
            out.append((ox.NamedNode(ECKG + "endUse"), ox.NamedNode(self.end_use)))
        for prop, number in (("quantity", r.quantity), ("value", r.value)):
            if number is not None:
                out.append(
                    (
                        ox.NamedNode(ECKG + prop),
                        ox.Literal(str(number), datatype=ox.NamedNode(_XSD + "decimal")),
                    )
                )
        return [ox.Triple(tx, p, o) for p, o in out]
