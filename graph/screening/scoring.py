"""The best fuzzy scores of a query over a long list of names, at or above a floor, exactly, without scoring
every name.

The score is rapidfuzz's `ratio`: 100 · (1 − indel distance / (len(a) + len(b))), where the indel distance
is len(a) + len(b) − 2 · LCS (the longest common subsequence). Two bounds on it need no scoring:
- lengths: the LCS is at most the shorter length, so a name of length L scores at most
  200 · min(L, n) / (L + n) against a query of length n;
- characters: the LCS holds each character at most as often as both strings do, so it is at most
  Σ_c min(count of c in the name, count in the query). The counts are kept per column: the most frequent
  characters of the list have a column each, the others share columns by code point (a shared column
  counts its characters together, which loosens the bound but never makes it too low).
A lookup scores only the names of reachable lengths whose character bound reaches the floor. Where many do,
it scores the LIKELIEST (the highest bounds) first, and the `limit`-th best score among them is a higher
floor for the rest. On the benchmark's 233,503 names at the weak match threshold (75), a customer name unlike
any listed one leaves about 40 of the 100,000 names of reachable lengths to score (0.5 ms), a misspelt
listed name about 17,000 (5 ms); at a floor of 0, every name of the lengths that can reach the best scores
(9 ms). No name at or above the floor is left unscored (tests/screening/test_name_index.py compares every
answer with scoring the whole list). The counts take one byte a name per column (64: 15 MB at 233,503).

Where the names lie in memory matters as much: scoring reads every name it scores, and names allocated one
by one while an index was built lie scattered among other objects. So the names are copied, in order of
length, into strings allocated one after another (docs/benchmarks.md).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

OWN_COLUMNS = 48  # the most frequent characters have a count column each
SHARED_COLUMNS = 16  # the others share these, by code point
_CHUNK = 50_000  # names counted at a time
LIKELIEST = 256  # where many names pass the floor, those of the highest bounds are scored first
_MARGIN = 1e-3  # a name is skipped only when its bound misses the floor by more than rounding could
_SAME = 1e-4  # distinct scores differ by far more than rounding: within this is the same score


class _Characters:
    """How often each name holds the characters of each column (uint8, saturated at 255)."""

    def __init__(self, names: list[str], lengths: npt.NDArray[np.int32]) -> None:
        self.shared_from, self.shared = OWN_COLUMNS, SHARED_COLUMNS
        frequency = np.bincount(_codes(names), minlength=1)
        ranked = [int(c) for c in np.argsort(-frequency, kind="stable")[: self.shared_from] if frequency[c]]
        self.own = {code: column for column, code in enumerate(ranked)}
        table = (self.shared_from + np.arange(len(frequency)) % self.shared).astype(np.intp)
        table[ranked] = np.arange(len(ranked))
        columns = self.shared_from + self.shared
        self.counts = np.empty((columns, len(names)), dtype=np.uint8)
        for start in range(0, len(names), _CHUNK):  # in chunks: the temporaries stay small
            part = slice(start, min(start + _CHUNK, len(names)))
            size = part.stop - part.start
            owners = np.repeat(np.arange(size, dtype=np.intp), lengths[part])
            found = np.bincount(table[_codes(names[part])] * size + owners, minlength=columns * size)
            self.counts[:, part] = np.minimum(found, 255).reshape(columns, size)
        self._fills: dict[int, npt.NDArray[np.uint8]] = {}

    def column(self, code: int) -> int:
        return self.own.get(code, self.shared_from + code % self.shared)

    def common(self, key: str, span: slice) -> npt.NDArray[np.uint8] | npt.NDArray[np.uint16] | None:
        """Per name in `span`, at most how many characters it has in common with `key` (an upper bound
        on the LCS); None where the counts cannot bound it (a character 255 times or more)."""
        wanted: dict[int, int] = {}
        for char in key:
            column = self.column(ord(char))
            wanted[column] = wanted.get(column, 0) + 1
        if not wanted or max(wanted.values()) >= 255:
            return None
        size = span.stop - span.start
        total = np.zeros(size, dtype=np.uint8 if len(key) < 256 else np.uint16)
        part = np.empty(size, dtype=np.uint8)
        for column, count in wanted.items():
            np.minimum(self.counts[column, span], self._filled(count)[:size], out=part)
            np.add(total, part, out=total)
        return total

    def _filled(self, count: int) -> npt.NDArray[np.uint8]:
        """An array of `count` as long as the list: numpy's minimum against an array runs its vector loop,
        against a scalar it does not (10x slower here)."""
        if count not in self._fills:
            if len(self._fills) >= 16:
                return np.full(self.counts.shape[1], count, dtype=np.uint8)
            self._fills[count] = np.full(self.counts.shape[1], count, dtype=np.uint8)
        return self._fills[count]


class ScoredNames:
    """`names` scored by `ratio` against a query: `best` gives the best (score, position) at or above a
    floor, exactly as scoring every name would, ties in the order of `names`."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        lengths = np.fromiter(map(len, names), dtype=np.int32, count=len(names))
        self.order = np.argsort(lengths, kind="stable")  # position in `names` of each copy
        self.lengths = lengths[self.order]
        self.copies = _copies([names[i] for i in self.order])
        self.characters = _Characters(self.copies, self.lengths)
        self.run_starts = np.flatnonzero(np.diff(self.lengths, prepend=-1))  # where each length starts

    def best(self, key: str, limit: int, floor: float = 0.0) -> list[tuple[float, int]]:
        """(score, position) of the `limit` best names scoring at least `floor`, best first, ties the
        earlier name first."""
        count = min(limit, len(self.names))
        if count <= 0:
            return []
        kept = self._candidates(key, self._reach(len(key), floor), floor, count)
        scores = self._scores(key, kept)
        reached = scores >= floor - _MARGIN
        kept, scores = kept[reached], scores[reached]
        if len(scores) > count:
            kth = float(np.partition(scores, -count)[-count])
            above = self.order[kept[scores > kth + _SAME]]
            tied = np.sort(self.order[kept[np.abs(scores - kth) <= _SAME]])[: count - len(above)]
            chosen = np.concatenate([above, tied])
        else:
            chosen = self.order[kept]
        exact = [(score, int(i)) for i in chosen if (score := fuzz.ratio(key, self.names[i])) >= floor]
        exact.sort(key=lambda x: (-x[0], x[1]))
        return exact[:count]

    def _reach(self, size: int, floor: float) -> slice:
        """The copies whose length lets them score `floor`: 200 · min(L, size) / (L + size) ≥ floor."""
        least = floor - _MARGIN
        if size == 0 or least <= 0:
            return slice(0, len(self.lengths))
        lo = math.ceil(least * size / (200 - least))
        hi = math.floor(size * (200 - least) / least)
        return slice(
            int(np.searchsorted(self.lengths, lo, "left")), int(np.searchsorted(self.lengths, hi, "right"))
        )

    def _candidates(self, key: str, span: slice, floor: float, count: int) -> npt.NDArray[np.intp]:
        """The copies in `span` whose character bound reaches `floor`, or the best `count` scores found
        among the LIKELIEST copies (those of the highest bounds) where that is higher. Ascending."""
        common = self.characters.common(key, span)
        if common is None:
            return np.arange(span.start, span.stop, dtype=np.intp)
        ceiling = common * self._per_character(len(key), span)  # the bound on each copy's score
        passing = np.flatnonzero(ceiling >= floor - _MARGIN) + span.start
        if len(passing) > LIKELIEST:
            likeliest = np.argpartition(ceiling[passing - span.start], -LIKELIEST)[-LIKELIEST:]
            found = self._scores(key, np.sort(passing[likeliest]))
            least = float(np.partition(found, -count)[-count]) if len(found) >= count else 0.0
            if least > floor:  # the best `count` score at least this: fewer names and lengths can reach it
                passing = passing[ceiling[passing - span.start] >= least - _MARGIN]
                reach = self._reach(len(key), least)
                passing = passing[(passing >= reach.start) & (passing < reach.stop)]
                span = slice(max(span.start, reach.start), min(span.stop, reach.stop))
        if 4 * len(passing) >= span.stop - span.start:
            # one name at a time, most of the span costs more than scoring it whole (a slice of copies)
            return np.arange(span.start, span.stop, dtype=np.intp)
        return passing

    def _per_character(self, size: int, span: slice) -> npt.NDArray[np.float32]:
        """200 / (L + size) for each copy in `span`: a score's bound per character in common."""
        first, last = np.searchsorted(self.run_starts, [span.start, span.stop])  # spans hold whole runs
        ends = np.append(self.run_starts[first + 1 : last], span.stop)
        runs = ends - self.run_starts[first:last]
        per = 200.0 / np.maximum(self.lengths[self.run_starts[first:last]] + size, 1)
        return np.repeat(per.astype(np.float32), runs)

    def _scores(self, key: str, kept: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        """The scores of the copies `kept` (ascending positions). One thread: rapidfuzz holds the GIL while
        it takes each name in, most of the cost (two threads: 14.1 against 13.7 ms for 233,503 names)."""
        if len(kept) == 0:
            return np.empty(0, dtype=np.float64)
        return _ratios(key, self._names(kept), self.lengths[kept])

    def _names(self, kept: npt.NDArray[np.intp]) -> list[str]:
        first, last = int(kept[0]), int(kept[-1])
        if last - first + 1 == len(kept):  # a run of copies: a slice, not one lookup per name
            return self.copies[first : last + 1]
        return [self.copies[i] for i in kept.tolist()]


def _ratios(key: str, names: list[str], lengths: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
    """`ratio` of each name, from the indel distances (rapidfuzz computes those faster than the ratios:
    2.1 against 3.6 ms for 50,000 names) and the lengths."""
    distances = process.cdist([key], names, scorer=Indel.distance, dtype=np.int32, workers=1)[0]
    total = lengths + len(key)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, 100 * (1 - distances / total), 100.0)


def _codes(names: list[str]) -> npt.NDArray[np.uint32]:
    """The code points of the names, one after another."""
    return np.frombuffer("".join(names).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _copies(names: list[str]) -> list[str]:
    """New strings equal to `names`, allocated one after another: one string joined and split again.
    Normalised names hold no newline (whitespace is collapsed to single spaces); should one ever, each name
    is copied alone."""
    copies = "\n".join(names).split("\n")
    return copies if len(copies) == len(names) else [(name + " ")[:-1] for name in names]
