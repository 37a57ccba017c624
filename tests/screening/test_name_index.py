"""The word and n-gram postings behind lookups in large name lists give the answers a full scan gives.

A list of the graph's party names plus 30,000 synthetic names (marked as such) is searched both ways —
scoring every name, and scoring the index's candidates — with typos, partial names, names in other scripts,
containing and contained names: the match, its strength and the possible matches are the same."""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from graph.kg import KnowledgeGraph
from graph.screening import scoring
from graph.screening.names import normalize
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


@pytest.mark.parametrize("likeliest", [1, 40, 256])
@pytest.mark.parametrize("floor", [0.0, 55.0, 75.0])
def test_scoring_by_bounds_ranks_names_as_one_scan_does(
    likeliest: int, floor: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above INDEX_FROM, only the names whose length and characters let them reach the floor (or the best
    scores of the likeliest names) are scored (graph.screening.scoring); the best names, their scores and
    the order of tied names (the earlier name first) are those of scoring every name in one scan."""
    monkeypatch.setattr(scoring, "LIKELIEST", likeliest)
    rng = random.Random(5)
    syllables = ["ka", "to", "mar", "ri", "so", "ba", "ne", "vo", "li", "ru"]
    scan, indexed = NameIndex(index_from=10**9), NameIndex(index_from=0)
    for i in range(6_000):
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))
        # names alike, of many lengths, many of one length (so that scores tie at the cut), a few long
        name = (
            f"{word} {rng.choice(['optics', 'marine', 'works'])}"
            if i % 3 == 0
            else f"{word}{i % 7}"
            if i % 3 == 1
            else f"{word} " * rng.randint(1, 12)
        )
        scan.add(f"urn:synthetic:{i}", name, True)
        indexed.add(f"urn:synthetic:{i}", name, True)
    queries = ["kato marine", "rimar works", "so", "vobali optics", "zzz", "ka1", "marine kato", "k", ""]
    queries += ["kato " * 9, "synthetic customer 00007", "marisobane ribavo tolika optics"]
    for query in queries:
        assert indexed._best(query, 20, floor) == scan._best(query, 20, floor), query


_WORDS = st.text(alphabet="abcé 1", min_size=0, max_size=30)
# many characters, few columns: most share one, and the shared counts must still bound the scores
_MIXED = st.text(alphabet="abcdefghé 1光学海", min_size=0, max_size=30)


@settings(max_examples=400, deadline=None)
@given(
    names=st.one_of(st.lists(_WORDS, min_size=1, max_size=120), st.lists(_MIXED, min_size=1, max_size=120)),
    query=st.one_of(_WORDS, _MIXED),
    limit=st.integers(1, 25),
    # rapidfuzz's cutoff takes scores within 1e-6 below it as reaching it: floors of three decimals keep
    # clear of that (scores of names this short are ratios of small integers)
    floor=st.one_of(st.sampled_from([0.0, 50.0, 75.0, 100.0]), st.floats(0, 100).map(lambda f: round(f, 3))),
    likeliest=st.integers(1, 60),
    own=st.integers(1, 48),
    shared=st.integers(1, 16),
)
def test_best_scores_are_those_of_scoring_every_name(
    names: list[str], query: str, limit: int, floor: float, likeliest: int, own: int, shared: int
) -> None:
    """Any names, any query, any floor: the same best (score, position) at or above the floor as scoring
    every name, ties earliest first."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scoring, "LIKELIEST", likeliest)
        patch.setattr(scoring, "OWN_COLUMNS", own)
        patch.setattr(scoring, "SHARED_COLUMNS", shared)
        got = scoring.ScoredNames(names).best(query, limit, floor)
    scan = process.extract(query, names, scorer=fuzz.ratio, limit=limit, score_cutoff=floor)
    assert got == [(score, index) for _, score, index in scan]


def test_character_counts_bound_the_common_subsequence() -> None:
    """A name shares at most as many characters with the query as both hold, per column; so few columns
    that characters share them, the bound is looser, never lower than the longest common subsequence."""
    names = ["kawasaki heavy", "光学海洋", "ihi", "", "aaaa bbbb"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scoring, "OWN_COLUMNS", 2)
        patch.setattr(scoring, "SHARED_COLUMNS", 3)
        counted = scoring.ScoredNames(names)
    for query in ["kawasaki", "海洋光学", "hihi", "abab", "zz"]:
        common = counted.characters.common(query, slice(0, len(names)))
        assert common is not None
        for copy, bound in zip(counted.copies, common.tolist(), strict=True):
            lcs = (len(copy) + len(query) - Indel.distance(query, copy)) // 2
            assert lcs <= bound, (query, copy)
    assert counted.characters.common("a" * 300, slice(0, len(names))) is None  # beyond what uint8 counts hold


def test_a_long_list_can_be_prepared_before_its_first_lookup() -> None:
    index, lazy, short = NameIndex(index_from=3), NameIndex(index_from=3), NameIndex(index_from=3)
    for i, name in enumerate(["ihi aerospace", "ihi", "mitsubishi heavy industries"]):
        index.add(f"urn:synthetic:{i}", name, True)
        lazy.add(f"urn:synthetic:{i}", name, True)
    short.add("urn:synthetic:0", "ihi", True)
    index.prepare()
    short.prepare()
    assert {"grams", "_scored"} <= index.__dict__.keys()
    assert not {"grams", "_scored"} & short.__dict__.keys(), "a short list is scanned: nothing to build"
    for query in ("ihi aero space", "mitsubishi heavy", "ihi"):
        assert index.lookup(query, 90, 75) == lazy.lookup(query, 90, 75), query


_SHORT_NAMES = st.text(alphabet="abc é", max_size=14)


@settings(max_examples=300, deadline=None)
@given(names=st.lists(_SHORT_NAMES, min_size=1, max_size=40), text=_SHORT_NAMES, limit=st.integers(1, 25))
def test_containment_in_a_short_list_is_what_token_set_ratio_finds(
    names: list[str], text: str, limit: int
) -> None:
    """Below INDEX_FROM, names containing the input's words (or within them) are found by comparing word
    sets; rapidfuzz's token_set_ratio of 100 is the same relation, 5-8x slower to scan for."""
    index = NameIndex()
    for i, name in enumerate(names):
        index.add(f"urn:synthetic:{i}", name, True)
    key = normalize(text)
    assume(any(len(word) >= 3 for word in key.split()))
    scan = process.extract(key, index.names, scorer=fuzz.token_set_ratio, limit=limit, score_cutoff=100)
    assert index._containing(key, limit) == {index.owners[i] for _, _, i in scan}
