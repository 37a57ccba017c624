"""The best fuzzy scores of a query over a long list of names, exactly, without scoring every name.

The score is rapidfuzz's `ratio`: 100 · (1 − indel distance / (len(a) + len(b))). The indel distance is at
least the difference of the lengths, so a name of length L can score at most 200 · min(L, n) / (L + n) against
a query of length n. The names are kept in order of length: a lookup scores the names whose lengths are
closest to the query's until it has enough, takes the k-th best score found, and then scores only the
lengths that can still reach it. No name that could be among the best is left unscored
(tests/screening/test_name_index.py compares every answer with scoring the whole list).

Where the names lie in memory matters as much: scoring reads every name it scores, and names allocated one by
one while an index was built lie scattered among other objects. So the names are copied, in order of length,
into strings allocated one after another: 200,000 names scored in 17-20 ms as built, 6-9 ms copied
(docs/benchmarks.md).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

SHARDS = max(2, os.cpu_count() or 2)
_SCORING = ThreadPoolExecutor(max_workers=SHARDS, thread_name_prefix="eckg-names")  # rapidfuzz frees the GIL
FIRST = 2000  # names scored first, those of the lengths closest to the query's
# a length is skipped only when its best possible score misses the k-th best by more than rounding could
_MARGIN = 1e-3
Span = tuple[int, int]  # lengths from, to (both included)


@dataclass(frozen=True)
class _Shard:
    names: list[str]  # copies of the names, shortest first, allocated one after another
    indexes: npt.NDArray[np.intp]  # the position of each in the list given
    lengths: npt.NDArray[np.int32]  # the length of each (ascending)

    def part(self, span: Span) -> slice:
        lo, hi = span
        return slice(
            int(np.searchsorted(self.lengths, lo, "left")), int(np.searchsorted(self.lengths, hi, "right"))
        )


class ScoredNames:
    """`names` scored by `ratio` against a query: `best` gives the best (score, position), exactly as
    scoring every name would, ties in the order of `names`."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        lengths = np.fromiter(map(len, names), dtype=np.int32, count=len(names))
        order = np.argsort(lengths, kind="stable")
        self.lengths = lengths[order]
        # every SHARDS-th name to each shard: the shards hold names of the same lengths, so take as long
        parts = [order[k::SHARDS] for k in range(SHARDS)]
        self.shards = [_Shard(_copies([names[i] for i in p]), p, lengths[p]) for p in parts]

    def best(self, key: str, limit: int) -> list[tuple[float, int]]:
        """(score, position) of the `limit` best names, best first, ties the earlier name first."""
        count = min(limit, len(self.names))
        if count <= 0:
            return []
        first = self._around(len(key))
        scores, positions = self._score(key, [first])
        reach = self._reach(len(key), _kth(scores, count) if len(scores) >= count else 0.0)
        rest = [(reach[0], first[0] - 1), (first[1] + 1, reach[1])]
        more = [(lo, hi) for lo, hi in rest if lo <= hi]
        if more:
            extra_scores, extra_positions = self._score(key, more)
            scores = np.concatenate([scores, extra_scores])
            positions = np.concatenate([positions, extra_positions])
        kth = _kth(scores, count)
        # distinct scores differ by far more than rounding: within 1e-4 is the same score
        above = positions[scores > kth + 1e-4]
        tied = np.sort(positions[np.abs(scores - kth) <= 1e-4])[: count - len(above)]
        exact = [(fuzz.ratio(key, self.names[i]), int(i)) for i in np.concatenate([above, tied])]
        exact.sort(key=lambda x: (-x[0], x[1]))
        return exact[:count]

    def _around(self, size: int) -> Span:
        """The lengths closest to `size` that hold at least FIRST names (or all of them)."""
        shortest, longest = int(self.lengths[0]), int(self.lengths[-1])
        lo = hi = min(max(size, shortest), longest)
        while self._count((lo, hi)) < FIRST and (lo > shortest or hi < longest):
            lo, hi = max(lo - 1, shortest), min(hi + 1, longest)
        return lo, hi

    def _count(self, span: Span) -> int:
        lo, hi = span
        return int(np.searchsorted(self.lengths, hi, "right") - np.searchsorted(self.lengths, lo, "left"))

    def _reach(self, size: int, kth: float) -> Span:
        """The lengths whose best possible score, 200 · min(L, size) / (L + size), reaches `kth`."""
        shortest, longest = int(self.lengths[0]), int(self.lengths[-1])
        floor = kth - _MARGIN
        if size == 0 or floor <= 0:
            return shortest, longest
        lo = math.floor(floor * size / (200 - floor))
        hi = math.ceil(size * (200 - floor) / floor)
        return max(lo, shortest), min(hi, longest)

    def _score(self, key: str, spans: list[Span]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
        """Scores of the names of the lengths in `spans`, and their positions."""

        def run(shard: _Shard) -> list[tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]]:
            parts = [shard.part(span) for span in spans]
            return [
                (_ratios(key, shard.names[p], shard.lengths[p]), shard.indexes[p])
                for p in parts
                if p.stop > p.start
            ]

        found = [part for parts in _SCORING.map(run, self.shards) for part in parts]
        if not found:
            return np.empty(0, dtype=np.float64), np.empty(0, dtype=np.intp)
        return np.concatenate([s for s, _ in found]), np.concatenate([i for _, i in found])


def _kth(scores: npt.NDArray[np.float64], count: int) -> float:
    return float(np.partition(scores, -count)[-count])


def _ratios(key: str, names: list[str], lengths: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
    """`ratio` of each name, from the indel distances (rapidfuzz computes those faster than the ratios:
    2.1 against 3.6 ms for 50,000 names) and the lengths."""
    distances = process.cdist([key], names, scorer=Indel.distance, dtype=np.int32, workers=1)[0]
    total = lengths + len(key)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, 100 * (1 - distances / total), 100.0)


def _copies(names: list[str]) -> list[str]:
    """New strings equal to `names`, allocated one after another: one string joined and split again.
    Normalised names hold no newline (whitespace is collapsed to single spaces); should one ever, each name
    is copied alone."""
    copies = "\n".join(names).split("\n")
    return copies if len(copies) == len(names) else [(name + " ")[:-1] for name in names]
