"""Listed parties related to a screened party: its subsidiaries, parent companies and parts on a list.

A listing names only the party listed. A subsidiary is a legal person of its own (eckg:subsidiaryOf does not
carry a listing), so screening its parent company finds no listing, and the rules rightly do not prohibit
the export for it; a listed part of a body is not the body. An exporter should still know, so a decision
names them as a caveat (graph.screening.screen). Read once per graph version from the catalogue's
`list_related_listings`, then looked up by party and day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from graph.kg import KnowledgeGraph
from graph.screening.resolve import Resolution


@dataclass(frozen=True)
class RelatedListing:
    relation: str  # subsidiary, parent company, part
    label: str  # the listed party's
    listing: str
    list_label: str
    identifier: str  # the designating measure's
    start: str  # a period the measure is in force (ISO days)
    end: str | None
    status: str  # the listing's

    def in_force(self, day: str) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def designation(self) -> str:
        status = "" if self.status == "confirmed" else f", {self.status}"
        return f"{self.list_label}, {self.identifier}{status}"


_PLURAL = {"subsidiary": "subsidiaries", "parent company": "parent companies", "part": "parts"}


def _described(listed: list[RelatedListing]) -> str:
    """'its subsidiaries A and B (export control list, MOFCOM Announcement 2026 No. 11); its part C (...)'"""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in listed:
        groups[(r.relation, r.designation)].append(r.label)
    parts = []
    for (relation, designation), labels in groups.items():
        names = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
        parts.append(f"its {_PLURAL[relation] if len(labels) > 1 else relation} {names} ({designation})")
    return "; ".join(parts)


class RelatedListings:
    def __init__(self, kg: KnowledgeGraph) -> None:
        self._by_party: dict[str, list[RelatedListing]] = defaultdict(list)
        for r in kg.run("list_related_listings").records():
            self._by_party[r["party"]].append(
                RelatedListing(
                    relation=r["relation"],
                    label=r["relatedLabel"],
                    listing=r["listing"],
                    list_label=r["listLabel"],
                    identifier=r["identifier"],
                    start=r["start"],
                    end=r.get("end"),
                    status=r["status"],
                )
            )

    def on(self, party: str, day: str) -> list[RelatedListing]:
        """The listings of parties related to `party` whose measure is in force on `day`, one per listing."""
        found: dict[str, RelatedListing] = {}
        for listing in self._by_party.get(party, ()):
            if listing.in_force(day):
                found.setdefault(listing.listing, listing)
        return list(found.values())

    def caveat(self, role: str, party: Resolution | None, day: str) -> str | None:
        """The caveat for a party screened as `role` (end user, consignee), if related parties are listed."""
        if party is None or party.iri is None or not (listed := self.on(party.iri, day)):
            return None
        return (
            f"Parties related to the {role} {party.label} are on a list on {day}: "
            f"{_described(listed)}. A listing names only the party listed: "
            "make sure the goods are not for them."
        )
