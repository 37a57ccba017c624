"""Resolving screening input to graph resources: items by code, IRI or name; parties by IRI or name in any
script (exact on normalised names, then fuzzy with a score); end uses by id or label; countries by code.

Indexes are built once per knowledge graph (`Resolver.for_graph`) and reused for every screening.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from rapidfuzz import fuzz, process

from graph.catalogue import expand_iri
from graph.errors import FieldError
from graph.kg import KnowledgeGraph
from graph.screening.names import normalize

if TYPE_CHECKING:  # numpy and what uses it (0.1-0.15 s to import) are loaded for long name lists only
    from graph.screening.ngrams import GramIndex
    from graph.screening.scoring import ScoredNames

Strength = Literal["exact", "strong", "weak", "none"]
_CJK_ONLY = re.compile(r"^[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\s]+$")
INDEX_FROM = 20_000  # names from which names are scored in shards and containment found by index
AMBIGUITY_MARGIN = 5.0  # a strong match must beat the runner-up by this many points
_CODE = re.compile(r"^\s*(\d)([a-zA-Z])(\d{3})((?:\.[a-zA-Z](?:\.\d+)?)?)\s*$")


@dataclass(frozen=True)
class Candidate:
    iri: str
    label: str
    score: float


@dataclass(frozen=True)
class Resolution:
    """What one input resolved to. `iri` is set only for exact and strong matches."""

    input: str
    iri: str | None
    label: str | None
    match: str  # iri, code, parent-code, name, fuzzy, none
    score: float
    strength: Strength
    candidates: tuple[Candidate, ...] = ()
    note: str | None = None

    @property
    def resolved(self) -> bool:
        return self.iri is not None

    def as_dict(self) -> dict[str, object]:
        """The resolution as JSON (one dict per resolution, shared: do not change it)."""
        return self._as_dict

    @cached_property
    def _as_dict(self) -> dict[str, object]:
        return {
            "input": self.input,
            "iri": self.iri,
            "label": self.label,
            "match": self.match,
            "score": round(self.score, 1),
            "strength": self.strength,
            "candidates": [
                {"iri": c.iri, "label": c.label, "score": round(c.score, 1)} for c in self.candidates
            ],
            **({"note": self.note} if self.note else {}),
        }


@dataclass
class NameIndex:
    """Normalised names of resources, for exact lookup and fuzzy search.

    A fuzzy lookup finds the best names exactly — a near miss on a listed name must never be missed — by
    rapidfuzz's ratio over names whose words were sorted once, when they were added (token-sort similarity,
    without sorting every name again for every lookup: 20-30 ms for 500,000 names). Above INDEX_FROM names,
    only the names whose length and characters let them reach the weak threshold are scored
    (graph.screening.scoring). Which names contain the input (or are contained in it) is found by scanning up
    to INDEX_FROM names, and above that through the word and n-gram postings of graph.screening.ngrams
    (tests/screening/test_name_index.py: the same answers)."""

    labels: dict[str, str] = field(default_factory=dict)  # iri -> display label
    exact: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # normalised -> iris
    names: list[str] = field(default_factory=list)  # normalised names, parallel to owners
    sorted_names: list[str] = field(default_factory=list)  # the same, words sorted (for token-sort scores)
    owners: list[str] = field(default_factory=list)
    of_owner: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # iri -> name indexes
    index_from: int = INDEX_FROM
    kind: str = "parties"  # what the names are of, as the notes of a lookup call them

    def add(self, iri: str, name: str, preferred_english: bool) -> None:
        key = normalize(name)
        if iri not in self.labels or preferred_english:
            self.labels[iri] = name
        if iri not in self.exact[key]:
            self.exact[key].add(iri)
            self.of_owner[iri].append(len(self.names))
            self.names.append(key)
            self.sorted_names.append(_sorted_words(key))
            self.owners.append(iri)
            self.__dict__.pop("grams", None)
            self.__dict__.pop("_scored", None)
            self.__dict__.pop("_word_sets", None)

    @cached_property
    def grams(self) -> GramIndex | None:
        if len(self.names) < self.index_from:
            return None
        from graph.screening.ngrams import GramIndex

        return GramIndex(self.names)

    def prepare(self) -> None:
        """Build now what lookups in a long list use, rather than at the first lookup: the n-gram postings
        and the names laid out for scoring, with their character counts (about 2 s for 200,000 names)."""
        if len(self.names) >= self.index_from:
            self.grams  # noqa: B018
            self._scored  # noqa: B018

    def lookup(self, text: str, strong: float, weak: float, limit: int = 5) -> Resolution:
        key = normalize(text)
        exact = sorted(self.exact.get(key, ()))
        if len(exact) == 1:
            return Resolution(text, exact[0], self.labels[exact[0]], "name", 100.0, "exact")
        if len(exact) > 1:
            candidates = tuple(Candidate(i, self.labels[i], 100.0) for i in exact)
            return Resolution(
                text, None, None, "name", 100.0, "weak", candidates, f"the name matches several {self.kind}"
            )
        return self._fuzzy(text, key, strong, weak, limit)

    def _fuzzy(self, text: str, key: str, strong: float, weak: float, limit: int) -> Resolution:
        """Score names by token-sort similarity. A match is strong only when it clears the threshold
        and no other party comes within AMBIGUITY_MARGIN; names scoring at least `weak` are possible matches,
        and so are names containing the input (or contained in it) however low their score. Names that can
        neither be possible matches nor make a match ambiguous are not looked for: in a long list most names
        cannot reach that floor, and are not scored (graph.screening.scoring)."""
        scores: dict[str, float] = {}
        for _, score, index in self._best(key, limit * 4, min(weak, strong - AMBIGUITY_MARGIN)):
            owner = self.owners[index]
            scores[owner] = max(scores.get(owner, 0.0), score)
        contained = self._containing(key, limit * 4)
        for owner in contained:
            scores.setdefault(
                owner, max(fuzz.token_sort_ratio(key, self.names[i]) for i in self.of_owner[owner])
            )
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        possible = [(i, s) for i, s in ranked if s >= weak or i in contained][:limit]
        if not possible:
            best = tuple(Candidate(i, self.labels[i], s) for i, s in ranked[:limit])
            nothing = f"no name scores {weak:g} or more, contains the input or is contained in it"
            return Resolution(
                text, None, None, "none", ranked[0][1] if ranked else 0.0, "none", best, nothing
            )
        (top_iri, top_score), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
        if top_score >= strong and top_score - runner_up >= AMBIGUITY_MARGIN:
            others = tuple(Candidate(i, self.labels[i], s) for i, s in possible if i != top_iri)
            return Resolution(text, top_iri, self.labels[top_iri], "fuzzy", top_score, "strong", others)
        candidates = tuple(Candidate(i, self.labels[i], s) for i, s in possible)
        note = f"several {self.kind} match about as well" if top_score >= strong else None
        return Resolution(text, None, None, "fuzzy", top_score, "weak", candidates, note)

    def _best(self, key: str, limit: int, floor: float) -> list[tuple[str, float, int]]:
        """(name, score, name index) of the best-scoring names by token-sort similarity that score at least
        `floor`, best first (ties: the earlier name first). A long list is scored by
        graph.screening.scoring: only the names whose length and characters let them reach the floor."""
        sorted_key = _sorted_words(key)
        if len(self.sorted_names) < self.index_from:
            return process.extract(
                sorted_key, self.sorted_names, scorer=fuzz.ratio, limit=limit, score_cutoff=floor
            )
        return [(self.sorted_names[i], score, i) for score, i in self._scored.best(sorted_key, limit, floor)]

    def _containing_scanned(self, key: str, cjk: bool, limit: int) -> set[str]:
        """`_containing` by a scan of every name: a short list."""
        if cjk:
            found = process.extract(key, self.names, scorer=fuzz.partial_ratio, limit=limit, score_cutoff=100)
            return {self.owners[i] for _, _, i in found}
        # rapidfuzz's token_set_ratio is 100 where one word set holds the other: set comparisons, 5-8x faster
        given = frozenset(key.split())
        held = (i for i, own in enumerate(self._word_sets) if own and (own <= given or given <= own))
        return {self.owners[i] for i in itertools.islice(held, limit)}

    @cached_property
    def _word_sets(self) -> list[frozenset[str]]:
        return [frozenset(name.split()) for name in self.names]

    @cached_property
    def _scored(self) -> ScoredNames:
        from graph.screening.scoring import ScoredNames

        return ScoredNames(self.sorted_names)

    def substring(self, text: str, limit: int = 50) -> list[str]:
        """Resources one of whose names contains `text` (both normalised), earliest names first."""
        key = normalize(text)
        if not key:
            return []
        within = self.grams.containing(key) if self.grams is not None else None
        indexes = range(len(self.names)) if within is None else (int(i) for i in within)
        owners: dict[str, None] = {}
        for i in indexes:
            if key in self.names[i]:
                owners.setdefault(self.owners[i])
                if len(owners) >= limit:
                    break
        return list(owners)

    def _containing(self, key: str, limit: int) -> set[str]:
        """Parties one of whose names contains the input's words (or is contained in them); CJK input, which
        has no spaces, by substring either way."""
        cjk = bool(_CJK_ONLY.match(key))
        if (cjk and len(key) < 2) or (not cjk and not any(len(word) >= 3 for word in key.split())):
            return set()
        if self.grams is None:
            return self._containing_scanned(key, cjk, limit)
        import numpy as np  # loaded with the n-gram index, for long lists only

        if cjk:
            within = self.grams.containing(key)
            found = [int(i) for i in (within if within is not None else []) if key in self.names[i]]
            found += [
                i
                for size in range(1, len(key) + 1)
                for start in range(len(key) - size + 1)
                for iri in self.exact.get(key[start : start + size], ())
                for i in self.of_owner[iri]
                if self.names[i] == key[start : start + size]
            ]
            indexes = np.unique(np.asarray(found, dtype=np.int32))
        else:
            words = set(key.split())
            indexes = np.union1d(self.grams.with_all_words(words), self.grams.within_words(words))
        return {self.owners[int(i)] for i in indexes[:limit]}


@dataclass
class Resolver:
    items: NameIndex
    codes: dict[str, str]  # notation -> item iri
    parties: NameIndex
    end_uses: dict[str, str]  # id or normalised label -> iri
    end_use_ids: dict[str, str]  # iri -> id
    strong: float
    weak: float
    end_use_labels: dict[str, str] = field(default_factory=dict)  # iri -> English label

    def prepare(self) -> None:
        """The indexes of long name lists built now (a server's start-up), not at the first lookup."""
        self.items.prepare()
        self.parties.prepare()

    @classmethod
    def for_graph(cls, kg: KnowledgeGraph) -> Resolver:
        items, codes = NameIndex(kind="entries"), {}
        for row in kg.run("list_item_names").rows:
            iri = row["item"].value
            if "code" in row:
                codes[row["code"].value] = iri
                items.labels.setdefault(iri, row["code"].value)
            if "name" in row:
                items.add(iri, row["name"].value, _is_preferred_english(row))
        for code, iri in codes.items():
            name = items.labels.get(iri, code)
            items.labels[iri] = code if name == code else f"{code} {name}"
        parties = NameIndex()
        for row in kg.run("list_party_names").rows:
            parties.add(row["party"].value, row["name"].value, _is_preferred_english(row))
        end_uses: dict[str, str] = {}
        ids: dict[str, str] = {}
        labels: dict[str, str] = {}
        for row in kg.run("list_end_uses").rows:
            iri, use_id = row["endUse"].value, row["id"].value
            ids[iri] = use_id
            end_uses[use_id] = iri
            if "label" in row:
                labels[iri] = row["label"].value
            if "name" in row:
                end_uses.setdefault(normalize(row["name"].value), iri)
        settings = kg.settings
        return cls(
            items,
            codes,
            parties,
            end_uses,
            ids,
            settings.match_threshold,
            settings.weak_match_threshold,
            labels,
        )

    # ------------------------------------------------------------------ items

    def item(self, text: str) -> Resolution:
        text = text.strip()
        if _looks_like_iri(text):
            return self._by_iri(text, self.items)
        if (code := _CODE.match(text)) is not None:
            return self._by_code(text, code)
        return self.items.lookup(text, self.strong, self.weak)

    def _by_code(self, text: str, match: re.Match[str]) -> Resolution:
        digit, letter, number, rest = match.groups()
        code = f"{digit}{letter.upper()}{number}{rest.lower()}"
        if code in self.codes:
            iri = self.codes[code]
            return Resolution(text, iri, self._item_label(iri), "code", 100.0, "exact")
        parts = code.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            parent = ".".join(parts[:cut])
            if parent in self.codes:
                iri = self.codes[parent]
                note = f"{code} is not in the graph; resolved to the entry {parent} that contains it"
                return Resolution(text, iri, self._item_label(iri), "parent-code", 100.0, "exact", note=note)
        note = "no entry has this code: the graph holds only the entries its sources confirm"
        return Resolution(text, None, None, "none", 0.0, "none", note=note)

    def _item_label(self, iri: str) -> str:
        return self.items.labels.get(iri, iri)

    # ------------------------------------------------------------------ parties

    def party(self, text: str) -> Resolution:
        text = text.strip()
        if _looks_like_iri(text):
            return self._by_iri(text, self.parties)
        return self.parties.lookup(text, self.strong, self.weak)

    def _by_iri(self, text: str, index: NameIndex) -> Resolution:
        try:
            iri = expand_iri(text)
        except ValueError:
            return Resolution(text, None, None, "none", 0.0, "none", note="not a valid IRI")
        if iri in index.labels:
            return Resolution(text, iri, index.labels[iri], "iri", 100.0, "exact")
        return Resolution(text, None, None, "none", 0.0, "none", note="no such resource in the graph")

    # ------------------------------------------------------------------ end uses and countries

    def end_use(self, text: str, field_name: str = "end_use") -> str:
        """The IRI of an end use given by id or label (any language); FieldError lists the valid ids."""
        key = text.strip()
        iri = self.end_uses.get(key) or self.end_uses.get(normalize(key))
        if iri is None:
            valid = ", ".join(sorted(self.end_use_ids.values()))
            raise FieldError(
                f"unknown end use {text!r}",
                errors=[{"field": field_name, "message": f"unknown end use {text!r}; valid: {valid}"}],
            )
        return iri


def _sorted_words(name: str) -> str:
    """rapidfuzz's token-sort form: words sorted, joined by single spaces."""
    return " ".join(sorted(name.split()))


def _looks_like_iri(text: str) -> bool:
    return text.startswith(("http://", "https://", "urn:", "<")) or bool(re.match(r"^(itm|pty):\S+$", text))


def _is_preferred_english(row: dict[str, Any]) -> bool:
    name, preferred = row.get("name"), row.get("preferred")
    return bool(
        preferred is not None and preferred.value == "true" and name is not None and name.language == "en"
    )
