"""Name normalisation and party matching across scripts, legal forms and near misses."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from rapidfuzz import fuzz

from graph.kg import KnowledgeGraph
from graph.screening import names
from graph.screening.names import normalize
from graph.screening.resolve import NameIndex, Resolver


@pytest.fixture(scope="module")
def resolver(kg: KnowledgeGraph) -> Resolver:
    return Resolver.for_graph(kg)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mitsubishi Heavy Industries Aero Engines, Ltd.", "MITSUBISHI HEAVY INDUSTRIES AERO ENGINES LTD"),
        ("SUBARU Corporation", "株式会社SUBARU"),
        ("株式会社ＳＵＢＡＲＵ", "subaru"),
        ("JMU Defense Systems Co., Ltd.", "JMU Defense Systems Corp."),
        ("IHI宇航株式会社", "IHI宇航"),
        ("Mitsui E&S Co., Ltd.", "Mitsui E and S"),
        (
            "Kawasaki Heavy Industries Aerospace Systems Company",
            "kawasaki heavy industries aerospace systems",
        ),
    ],
)
def test_variants_normalize_alike(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


def test_legal_forms_are_words_not_substrings() -> None:
    assert normalize("Insitu Inc.") == "insitu"
    assert normalize("Incorporated Limited Corp") != ""  # a name made only of legal forms keeps its words


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10)


@given(
    st.lists(_WORDS, min_size=1, max_size=4),
    st.sampled_from(["Co., Ltd.", "Corporation", "株式会社", "Inc.", "有限公司"]),
)
def test_a_legal_form_never_changes_the_normalised_name(words: list[str], form: str) -> None:
    name = " ".join(words)
    assume(normalize(name) == name)  # no word of the name is itself a legal form
    assert normalize(f"{name} {form}") == normalize(name)
    assert normalize(f"{form} {name}") == normalize(name)


@given(st.text(min_size=1, max_size=60))
def test_normalize_is_idempotent_and_total(name: str) -> None:
    once = normalize(name)
    assert normalize(once) == once or once == normalize(name)


def test_every_name_of_every_party_resolves_to_that_party(kg: KnowledgeGraph, resolver: Resolver) -> None:
    """Each label in any script (en, ja, zh) finds its own party exactly — and no label is shared."""
    for row in kg.run("list_party_names").rows:
        resolution = resolver.party(row["name"].value)
        assert resolution.iri == row["party"].value, (row["name"].value, resolution)
        assert resolution.strength == "exact"


@pytest.mark.parametrize(
    ("name", "party"),
    [
        ("三菱重工航空发动机株式会社", "mhi-aero-engines"),  # Chinese annex name
        ("三菱重工航空エンジン株式会社", "mhi-aero-engines"),  # Japanese
        ("mitsubishi heavy industries aero engines", "mhi-aero-engines"),
        ("海上自衛隊", "jmsdf"),
        ("防卫大学", "nda"),
        ("National Defense Academy", "nda"),
        ("https://w3id.org/eckg/id/party/jaxa", "jaxa"),
        ("pty:jaxa", "jaxa"),
    ],
)
def test_names_in_any_script_resolve(resolver: Resolver, name: str, party: str) -> None:
    assert resolver.party(name).iri == f"https://w3id.org/eckg/id/party/{party}"


def test_a_typo_is_a_strong_fuzzy_match_with_its_score(resolver: Resolver) -> None:
    result = resolver.party("Mitsubishi Heavy Industry Aero Engine")
    assert result.iri == "https://w3id.org/eckg/id/party/mhi-aero-engines"
    assert result.match == "fuzzy" and 90 <= result.score < 100


def test_a_group_name_does_not_match_a_listed_subsidiary(resolver: Resolver) -> None:
    result = resolver.party("Mitsubishi")
    assert result.iri is None


def test_a_near_miss_is_weak_and_lists_the_closest_candidates(resolver: Resolver) -> None:
    result = resolver.party("Mitsubishi Heavy Aero")
    assert result.strength == "weak" and result.iri is None
    assert result.candidates and result.candidates[0].iri.endswith("mhi-aero-engines")


def test_notes_on_item_names_speak_of_entries_not_parties(resolver: Resolver) -> None:
    index = NameIndex(kind="entries")
    index.add("urn:synthetic:a", "samarium oxide", True)
    index.add("urn:synthetic:b", "samarium oxide", True)
    assert index.lookup("samarium oxide", strong=90, weak=75).note == "the name matches several entries"
    assert resolver.items.kind == "entries" and resolver.parties.kind == "parties"


def test_an_unknown_name_matches_nothing(resolver: Resolver) -> None:
    """Names scoring under the weak threshold are no candidates: the resolution says what was looked for."""
    result = resolver.party("Acme Widgets Ltd")
    assert result.strength == "none" and result.iri is None
    assert result.candidates == ()
    assert result.note == "no name scores 75 or more, contains the input or is contained in it"


@pytest.mark.parametrize("index_from", [0, 10**9])
def test_a_runner_up_under_the_weak_threshold_still_makes_a_match_ambiguous(index_from: int) -> None:
    """With a weak threshold above the strong one less the margin, a runner-up that is no possible match
    can still come within the margin of the best: names that low are looked for too."""
    query = "abcdefghijklmnopqrst"
    index = NameIndex(index_from=index_from)
    index.add("urn:synthetic:one-change", "abcdefghijklmnopqrsx", True)  # 95
    index.add("urn:synthetic:two-changes", "abcdefghijkXlmnopqrsx", True)  # 92.7
    assert fuzz.ratio(query, "abcdefghijkxlmnopqrsx") < 93
    result = index.lookup(query, strong=90, weak=93)
    assert result.strength == "weak" and result.note == "several parties match about as well"
    assert [c.iri for c in result.candidates] == ["urn:synthetic:one-change"]
    assert index.lookup(query, strong=90, weak=75).candidates[1].iri == "urn:synthetic:two-changes"


def test_a_close_runner_up_makes_a_match_ambiguous(resolver: Resolver) -> None:
    """'Mitsubishi Heavy Industries Aero' is nearest the (unlisted) group but almost as near the listed
    Aero Engines company: it must not be taken as the group."""
    result = resolver.party("Mitsubishi Heavy Industries Aero")
    assert result.strength == "weak" and result.iri is None
    assert {c.iri.rsplit("/", 1)[1] for c in result.candidates[:2]} == {
        "mitsubishi-heavy-industries",
        "mhi-aero-engines",
    }


def test_a_name_contained_in_a_listed_name_is_a_possible_match(resolver: Resolver) -> None:
    assert resolver.party("三菱重工航空").candidates[0].iri.endswith("mhi-aero-engines")
    assert resolver.party("Subaru Corp Japan").candidates[0].iri.endswith("subaru")


@given(st.text(alphabet="co.,ltdinkabushikgmpl株式会社有限合同公司() &ÄxyzＣＯ", max_size=40))
def test_legal_forms_are_found_where_the_plain_alternation_finds_them(text: str) -> None:
    """The legal-form pattern starts with a look at the first character; it finds what the alternation of
    the forms alone finds."""
    plain = re.compile(names._FORMS)
    assert names._FORM_PATTERN.sub(" ", text) == plain.sub(" ", text)
