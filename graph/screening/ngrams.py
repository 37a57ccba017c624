"""Word and character n-gram postings over normalised names: which names contain a text, or hold all of a
set of words, or only words of it — without reading every name (a list can have 500,000).

N-grams are trigrams (of the name padded with a space at each end, so word starts and ends count), and
bigrams too where a name has CJK characters, whose words are one or two characters long. A name contains a
text only if it holds every n-gram of it; those names are then checked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
Indexes = npt.NDArray[np.int32]


def grams(text: str, padded: bool = True) -> set[str]:
    """Trigrams of the text (padded with a space at each end, so word starts and ends count), and its
    bigrams where it has CJK characters."""
    body = f" {text} " if padded else text
    found = {body[i : i + 3] for i in range(len(body) - 2)}
    if _CJK.search(text):
        found |= {text[i : i + 2] for i in range(len(text) - 1)}
    return found


class GramIndex:
    def __init__(self, names: Sequence[str]) -> None:
        postings: dict[str, list[int]] = defaultdict(list)
        words: dict[str, list[int]] = defaultdict(list)
        counts = np.zeros(len(names), dtype=np.int32)
        for index, name in enumerate(names):
            for gram in grams(name):
                postings[gram].append(index)
            tokens = set(name.split())
            counts[index] = len(tokens)
            for token in tokens:
                words[token].append(index)
        self.size = len(names)
        self.postings = {g: np.asarray(ix, dtype=np.int32) for g, ix in postings.items()}
        self.words = {w: np.asarray(ix, dtype=np.int32) for w, ix in words.items()}
        self.word_counts = counts

    def with_all_words(self, words: set[str]) -> Indexes:
        """Names holding every one of the words (as whole words)."""
        lists = sorted((self.words.get(w, np.empty(0, dtype=np.int32)) for w in words), key=len)
        found = lists[0] if lists else np.empty(0, dtype=np.int32)
        for other in lists[1:]:
            found = np.intersect1d(found, other, assume_unique=True)
        return found

    def within_words(self, words: set[str]) -> Indexes:
        """Names all of whose words are among the given ones."""
        lists = [self.words[w] for w in words if w in self.words]
        if not lists:
            return np.empty(0, dtype=np.int32)
        counts = np.bincount(np.concatenate(lists), minlength=self.size)
        return np.flatnonzero((counts == self.word_counts) & (counts > 0)).astype(np.int32)

    def containing(self, text: str) -> Indexes | None:
        """Names that hold every n-gram of `text` (a superset of those containing it: check them), or None
        when `text` is too short to have n-grams."""
        wanted = grams(text, padded=False)
        if not wanted:
            return None
        lists = sorted((self.postings.get(g, np.empty(0, dtype=np.int32)) for g in wanted), key=len)
        found = lists[0]
        for other in lists[1:]:
            if not len(found):
                break
            found = np.intersect1d(found, other, assume_unique=True)
        return found.astype(np.int32)
