"""The word and n-gram postings behind lookups in large name lists give the answers a full scan gives.

A list of the graph's party names plus 30,000 synthetic names (marked as such) is searched both ways —
scoring every name, and scoring the index's candidates — with typos, partial names, names in other scripts,
containing and contained names: the match, its strength and the possible matches are the same."""

from __future__ import annotations

import random

import pytest

from graph.kg import KnowledgeGraph
from graph.screening.ngrams import GramIndex, grams
from graph.screening.resolve import NameIndex


def _indexes(kg: KnowledgeGraph) -> tuple[NameIndex, NameIndex, list[str]]:
    scan, indexed = NameIndex(index_from=10**9), NameIndex(index_from=0)
    real = [(r["party"].value, r["name"].value) for r in kg.run("list_party_names").rows]
    rng = random.Random(3)
    words = ["Precision", "Optics", "Marine", "Aero", "Systems", "Energy", "Trading", "Metals", "Works"]
    synthetic = [
        (f"urn:synthetic:{i}", f"Synthetic {rng.choice(words)} {rng.choice(words)} {i:05d} Co., Ltd.")
        for i in range(30_000)
    ] + [(f"urn:synthetic:{i}", f"合成{rng.choice('光学海洋航空')}企業{i:05d}") for i in range(0, 30_000, 7)]
    for iri, name in real + synthetic:
        scan.add(iri, name, True)
        indexed.add(iri, name, True)
    return scan, indexed, [name for _, name in real + synthetic]


def _typo(rng: random.Random, name: str) -> str:
    i = rng.randrange(1, max(2, len(name) - 1))
    return name[:i] + name[i + 1 :] if rng.random() < 0.5 else name[:i] + "x" + name[i:]


@pytest.mark.slow
def test_indexed_lookups_agree_with_a_full_scan(kg: KnowledgeGraph) -> None:
    scan, indexed, names = _indexes(kg)
    assert indexed.grams is not None and scan.grams is None
    rng = random.Random(9)
    queries = [_typo(rng, rng.choice(names)) for _ in range(150)]
    queries += [" ".join(rng.choice(names).split()[:2]) for _ in range(40)]  # the start of a name
    queries += [rng.choice(names) + " Holdings Division" for _ in range(20)]  # a name contained in the query
    queries += [
        "Acme Widgets",
        "海上自衛隊",
        "自衛隊",
        "三菱重工",
        "IHI",
        "Mitsubishi Heavy",
        "Synthetic Marine",
    ]
    for q in queries:
        a, b = scan.lookup(q, 90, 75), indexed.lookup(q, 90, 75)
        assert (a.iri, a.strength, a.match) == (b.iri, b.strength, b.match), q
        if a.strength in ("weak", "strong"):
            # the same scores; among names tied at the last score, which are listed may differ
            assert [round(c.score, 6) for c in a.candidates] == [round(c.score, 6) for c in b.candidates], q
            last = min((c.score for c in a.candidates), default=0)
            assert {c.iri for c in a.candidates if c.score > last} == {
                c.iri for c in b.candidates if c.score > last
            }


def test_grams_cover_word_edges_and_cjk_pairs() -> None:
    assert {" ab", "abc", "bc "} <= grams("abc")
    assert "三菱" in grams("三菱重工業") and "重工" in grams("三菱重工業")


def test_the_index_finds_names_by_words_and_substrings() -> None:
    index = GramIndex(["ihi aerospace", "ihi", "mitsubishi heavy industries", "三菱重工業"])
    assert list(index.with_all_words({"ihi"})) == [0, 1]
    assert list(index.within_words({"ihi", "corporation", "aerospace"})) == [0, 1]
    assert list(index.containing("heavy ind")) == [2]
    assert list(index.containing("重工")) == [3]
