"""Seeded, reproducible workloads: screening requests that look like an exporter's order book, and a
synthetic party list for the scale figures.

Synthetic customers are named as such ("Synthetic Customer 00042 K.K."); synthetic parties are made-up
words, each commented and sourced as test data: never facts about real parties.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from graph.kg import KnowledgeGraph
from graph.screening.request import FIELDS

# Goods an exporter ships that are not on any control list (free text, as in an order book).
UNLISTED_GOODS = (
    "copper pipe",
    "ball bearings",
    "office chairs",
    "cotton yarn",
    "ceramic tiles",
    "steel bolts",
)
LEGAL_FORMS = ("K.K.", "Co., Ltd.", "Corporation", "株式会社", "Inc.", "GmbH")
END_USES = (
    None,
    None,
    None,
    "civilian",
    "automotive",
    "electronics",
    "energy",
    "medical",
    "scientific-research",
    "military",
    "military-capability-enhancement",
)
DESTINATIONS = ("JP",) * 6 + ("US", "US", "DE", "KR", "SG", "FR", "IN", "VN")
ROUTES = (("CN", "CN"),) * 8 + (("CN", "SG"), ("CN", "MY"), ("DE", "CN"), ("US", "SG"))
FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2026, 11, 23)


def _typo(rng: random.Random, name: str) -> str:
    """A near miss on a name: one character dropped or doubled (order books are typed by people)."""
    if len(name) < 6:
        return name
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1 :] if rng.random() < 0.5 else name[:i] + name[i] + name[i:]


def graph_vocabulary(kg: KnowledgeGraph) -> tuple[list[str], list[str]]:
    """Item inputs (codes and names in every language) and party names (every script) of the graph."""
    items: set[str] = set()
    for row in kg.run("list_item_names").rows:
        if "code" in row:
            items.add(row["code"].value)
        items.add(row["name"].value)
    parties = {row["name"].value for row in kg.run("list_party_names").rows}
    return sorted(items), sorted(parties)


def requests(kg: KnowledgeGraph, count: int, seed: int, customers: int = 5000) -> list[dict[str, Any]]:
    """`count` screening requests as dicts (the CSV / API fields), drawn with `seed`.

    About a fifth name a party of the graph (some with a typo), the rest one of `customers` synthetic
    customers; three in four items are controlled, by code or by name."""
    rng = random.Random(seed)
    items, parties = graph_vocabulary(kg)
    pool = [f"Synthetic Customer {i:05d} {rng.choice(LEGAL_FORMS)}" for i in range(customers)]
    span = (LAST_DAY - FIRST_DAY).days
    out = []
    for _ in range(count):
        roll = rng.random()
        end_user = (
            rng.choice(parties)
            if roll < 0.17
            else _typo(rng, rng.choice(parties))
            if roll < 0.2
            else rng.choice(pool)
        )
        origin, exporter = rng.choice(ROUTES)
        record: dict[str, Any] = {
            "item": rng.choice(items) if rng.random() < 0.75 else rng.choice(UNLISTED_GOODS),
            "destination": rng.choice(DESTINATIONS),
            "end_user": end_user,
            "date": (FIRST_DAY + timedelta(days=rng.randrange(span + 1))).isoformat(),
            "origin": origin,
            "exporter_country": exporter,
        }
        use = rng.choice(END_USES)
        if use is not None:
            record["end_use"] = use
        if rng.random() < 0.1:
            record["consignee"] = rng.choice(pool)
        out.append(record)
    return out


def to_csv(records: list[dict[str, Any]]) -> bytes:
    present = {k for r in records for k in r}
    columns = [f for f in FIELDS if f in present]  # the screening fields, in their documented order
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue().encode()


_SYLLABLES = (
    "ka",
    "to",
    "mi",
    "ren",
    "sa",
    "vo",
    "li",
    "den",
    "ha",
    "ru",
    "ne",
    "mar",
    "ko",
    "tis",
    "ba",
    "yu",
)
_INDUSTRIES = (
    "Industries",
    "Trading",
    "Optics",
    "Materials",
    "Systems",
    "Electronics",
    "Metals",
    "Precision",
)
_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノ"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def synthetic_parties(path: Path, count: int, seed: int) -> int:
    """Write `count` synthetic parties as Turtle: a name of made-up words (and a Japanese one for one in
    three), an abbreviation, a country, identifiers, a parent for one in ten — about nine triples a party, each
    party sourced to a synthetic source and commented as test data. Returns the number of triples."""
    rng = random.Random(seed)
    countries = ("JP", "JP", "JP", "US", "DE", "KR", "SG", "FR", "GB", "IN")
    lines = [
        "@prefix eckg: <https://w3id.org/eckg/ontology#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix ctry: <https://w3id.org/eckg/id/country/> .",
        "@prefix syn: <https://w3id.org/eckg/id/party/synthetic-> .",
        "<https://w3id.org/eckg/id/source/synthetic-benchmark> a prov:Entity ;",
        '  rdfs:label "Synthetic benchmark list (test data, not facts)"@en .',
    ]
    triples = 2
    for i in range(count):
        first, second = _word(rng), _word(rng)
        name = f"{first} {second} {rng.choice(_INDUSTRIES)} {rng.choice(LEGAL_FORMS)}"
        extra = ""
        if i % 3 == 0:
            kana = "".join(rng.choice(_KANA) for _ in range(rng.randint(3, 6)))
            extra += f' ;\n  skos:prefLabel "{kana}株式会社"@ja'
        if i % 10 == 0 and count > 1:
            extra += f" ;\n  eckg:partOf syn:{rng.randrange(count):06d}"
        lines.append(
            f"syn:{i:06d} a eckg:Company ;\n"
            f'  skos:prefLabel "{name}"@en ;\n'
            f'  skos:altLabel "{first[0]}{second[0]}{i % 1000:03d}"@en ;\n'
            f"  eckg:locatedIn ctry:{rng.choice(countries)} ;\n"
            f'  dcterms:identifier "SYN-{i:06d}" ;\n'
            f'  skos:notation "{i:06d}" ;\n'
            f"  rdfs:seeAlso <https://example.org/synthetic/{i:06d}> ;\n"
            '  rdfs:comment "Synthetic party for benchmarks: test data, not a fact."@en ;\n'
            f"  prov:wasDerivedFrom <https://w3id.org/eckg/id/source/synthetic-benchmark>{extra} ."
        )
        triples += 9 + (1 if i % 3 == 0 else 0) + (1 if i % 10 == 0 and count > 1 else 0)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return triples
