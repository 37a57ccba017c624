"""Content negotiation: the best of the formats we serve for an Accept header (RFC 9110 q-values)."""

from __future__ import annotations

SOLUTION_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first (order of appearance breaks ties)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media, q, index))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges if q > 0]


def choose(header: str | None, offers: dict[str, str], default: str) -> str | None:
    """The format name of the best offer for the Accept header; None when nothing acceptable is offered."""
    for media, _ in parse_accept(header):
        if media == "*/*":
            return default
        if media.endswith("/*"):
            prefix = media[:-1]
            for offer, name in offers.items():
                if offer.startswith(prefix):
                    return name
            continue
        if media in offers:
            return offers[media]
    return None


def wants_html(header: str | None) -> bool:
    ranges = parse_accept(header)
    return bool(ranges) and ranges[0][0] in ("text/html", "application/xhtml+xml")
