"""Reusing rule results: a constraint's results for a transaction are a function of the graph and of what the
constraint reads of the transaction (graph.screening.reads). For a fixed graph version, two transactions
with the same key get the same result rows, so each distinct key is evaluated once.

Dates are keyed by their place among the graph's dates. A constraint that only compares the transaction
date with dates of the graph (or constants of its query) — by =, !=, <, <=, >, >= or a join — cannot
tell apart two days that fall between the same two consecutive graph dates. The classes are built from
the xsd:date and xsd:dateTime objects of the predicates the constraints compare the date with (every
date of the graph, where a query compares it with anything else), each with the day before and after
(for time zones), so a day that is itself a boundary is a class of its own.

A transaction can also be shown to have no results without running a constraint: when the values it
gives a predicate cannot join the graph the way every solution must (graph.screening.reads_cache.Domain:
a party that is on no list, an end use no measure names). Its key is then the constraint's "unmatched"
key, whose rows are none. The domains are answers of SPARQL queries over the graph, found once per graph
version.

The rules read the knowledge graphs and any extra data, never stored decisions; the memo is cleared when
the graph's content hash changes (extra data loaded).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

import pyoxigraph as ox

from graph.screening.reads_cache import Reads
from graph.screening.shapes import Constraint
from graph.screening.transaction import IRI, Resolved
from graph.store import GraphStore

XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
MEMO_SIZE = 200_000
_UNMATCHED = "unmatched"
_EMPTY: frozenset[tuple[str, str]] = frozenset()
Key = tuple[Any, ...]

# the date and dateTime objects of the graphs (of one predicate, when ?p is bound)
_DATES = """
SELECT DISTINCT ?d ?p WHERE {
  ?s ?p ?d
  FILTER(isLiteral(?d) && DATATYPE(?d) IN (xsd:date, xsd:dateTime))
}"""


class DateClasses:
    """Days grouped by their place among boundary days (ISO yyyy-mm-dd strings)."""

    def __init__(self, days: Iterable[str]) -> None:
        points: set[str] = set()
        for text in days:
            try:
                day = date.fromisoformat(text[:10])
            except ValueError:
                continue  # not a comparable date: it compares the same (as an error) with every day
            points |= {(day + timedelta(days=d)).isoformat() for d in (-1, 0, 1)}
        self.points = sorted(points)
        self._known = set(self.points)

    def of(self, day: str) -> str:
        if day in self._known:
            return "=" + day
        return f"<{bisect_left(self.points, day)}"


def graph_dates(
    store: GraphStore, graphs: Sequence[str], predicates: Iterable[str] | None = None
) -> list[str]:
    """The xsd:date / xsd:dateTime objects in `graphs` — of the given predicates only, if given."""
    if predicates is None:
        runs = [store.query(_DATES, default_graph=list(graphs))]
    else:
        runs = [
            store.query(_DATES, {"p": ox.NamedNode(p)}, default_graph=list(graphs))
            for p in sorted(set(predicates))
        ]
    return sorted({row["d"].value for run in runs for row in run.rows})


def bound_dates(store: GraphStore, graphs: Sequence[str], reads: Iterable[Reads | None]) -> list[str]:
    """The graph dates the constraints compare transaction values with, and their date constants."""
    found = [r for r in reads if r is not None]
    bounds = {b for r in found for b in r.bounds}
    constants = [c for r in found for c in r.constants]
    return [*graph_dates(store, graphs, None if "*" in bounds else bounds), *constants]


# (predicates, IRIs): a transaction none of whose values for the predicates is one of the IRIs has no results
Domains = dict[str, list[tuple[tuple[str, ...], frozenset[str]]]]


def domain_values(store: GraphStore, reads: dict[str, Reads | None]) -> Domains:
    """The IRIs each constraint's domains admit (reads_cache.Domain), over the same graphs as the rules. A
    domain is used only if its patterns match no predicate a constraint reads of a transaction: the
    transactions' own triples (in scratch graphs) can then never match them, and the answer holds for any
    of them. No domain is used if some constraint's reads are unknown: every transaction triple is then in
    the scratch graph. About 3 ms for the shipped graph's rules, once per graph version."""
    if any(r is None for r in reads.values()):
        return {}
    tx_predicates = {p for r in reads.values() if r is not None for p in r.predicates}
    found: Domains = {}
    for constraint, read in reads.items():
        for domain in read.domains if read is not None else ():
            if tx_predicates & set(domain.uses):
                continue
            rows = store.query(domain.query).rows
            iris = frozenset(v.value for row in rows for v in row.values() if isinstance(v, ox.NamedNode))
            found.setdefault(constraint, []).append((domain.predicates, iris))
    return found


@dataclass(frozen=True)
class _KeyPlan:
    """What a constraint's key is made of, as positions in a signature (worked out once, not per key)."""

    required: tuple[int, ...]  # groups (bit masks of positions) of which one position must hold a value
    excluded: tuple[int, ...]  # groups (bit masks of positions) whose positions must not all hold values
    domains: tuple[tuple[tuple[int, ...], frozenset[str]], ...]  # positions, and the IRIs they may take
    looks: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # the values of the predicates read, in order
    by_class: tuple[bool, ...]  # for each of them, whether its dates go by class in the key
    unmatched: Key  # the key of a transaction the constraint cannot match


def _getter(positions: list[int]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """The items at `positions` of a tuple, as a tuple (itemgetter of one position gives the item itself)."""
    if len(positions) > 1:
        return itemgetter(*positions)
    return lambda values: tuple(values[i] for i in positions)


def _mask(positions: Iterable[int]) -> int:
    return sum(1 << i for i in set(positions))


def _plan_cannot_match(plan: _KeyPlan, signature: tuple[Any, ...], present: int) -> bool:
    """Whether the constraint of `plan` cannot match a signature whose positions holding values are the
    bits of `present`."""
    for group in plan.required:
        if not present & group:
            return True  # a pattern every match needs has nothing to match
    for group in plan.excluded:
        if present & group == group:
            return True  # what a filter every match passes must not find is there
    for positions, iris in plan.domains:
        values = [v for i in positions for v in signature[i]]
        if values and all(kind == IRI and value not in iris for kind, value in values):
            return True  # no value joins the graph as every match needs
    return False


class ResultMemo:
    """Result rows of constraints by key, least recently used out first; thread-safe."""

    def __init__(
        self, reads: dict[str, Reads | None], dates: Iterable[str], domains: Domains | None = None
    ) -> None:
        self.reads = reads
        self.dates = DateClasses(dates)
        self.domains = domains or {}
        self._rows: OrderedDict[Key, list[Any]] = OrderedDict()
        self._lock = threading.Lock()
        known = [r for r in reads.values() if r is not None]
        self.predicates = sorted({p for r in known for p in r.predicates})
        # a predicate every constraint reading it only compares: signatures keep its dates as their class
        self._classed = {
            p for p in self.predicates if all(p in r.compared for r in known if p in r.predicates)
        }
        self._position = position = {p: i for i, p in enumerate(self.predicates)}
        self._atoms: dict[tuple[str, str, str], frozenset[tuple[str, str]]] = {}
        self._plans = {c: self._plan(c, r, position) for c, r in reads.items() if r is not None}
        # Which constraints cannot match a signature, kept by what that depends on: which predicates have
        # values, and the values the domains look at (few: parties, items, end uses). An order book's
        # signatures are mostly distinct (73% of 100,000); these parts of them are not.
        self._gate = _getter(
            sorted({position[p] for found in self.domains.values() for ps, _ in found for p in ps})
        )
        self._unmatched: dict[tuple[Any, ...], frozenset[str]] = {}
        # each constraint's keys by the values it reads (most constraints: few; the date is among them),
        # MEMO_SIZE in all at most
        self._keys: dict[str, dict[tuple[Any, ...], Key]] = {c: {} for c in self._plans}
        self._keys_each = MEMO_SIZE // max(1, len(self._plans))

    def _plan(self, constraint: str, read: Reads, position: dict[str, int]) -> _KeyPlan:
        return _KeyPlan(
            required=tuple(_mask(position[p] for p in group) for group in read.required),
            excluded=tuple(_mask(position[p] for p in group) for group in read.excluded),
            domains=tuple(
                (tuple(position[p] for p in predicates), iris)
                for predicates, iris in self.domains.get(constraint, ())
            ),
            looks=_getter([position[p] for p in read.predicates]),
            by_class=tuple(p in read.compared and p not in self._classed for p in read.predicates),
            unmatched=(constraint, _UNMATCHED),
        )

    def signature(self, tx: Resolved) -> tuple[Any, ...]:
        """What the constraints read of a transaction (dates as their class where every reader only
        compares them): transactions with one signature have the same key for every constraint. Each value
        is one shared object for equal values (`_atom`), so signatures and their parts compare by identity,
        not element by element."""
        slots = [_EMPTY] * len(self.predicates)
        position, atoms = self._position, self._atoms
        for fact in tx.facts():
            i = position.get(fact[0])
            if i is None:
                continue
            atom = atoms.get(fact)
            if atom is None:
                atom = self._atom(fact)
            slots[i] = atom if slots[i] is _EMPTY else slots[i] | atom
        return tuple(slots)

    def _atom(self, fact: tuple[str, str, str]) -> frozenset[tuple[str, str]]:
        predicate, kind, value = fact
        if len(self._atoms) >= MEMO_SIZE:
            self._atoms.clear()
        atom = frozenset({(kind, value)})
        self._atoms[fact] = atom = self._class_of(atom) if predicate in self._classed else atom
        return atom

    def keys(self, constraints: Sequence[Constraint], tx: Resolved) -> list[Key | None]:
        """The key of each constraint for a transaction (None: its results cannot be reused)."""
        return self.keys_of(constraints, self.signature(tx))

    def keys_of(self, constraints: Sequence[Constraint], signature: tuple[Any, ...]) -> list[Key | None]:
        """The key of each constraint for the transactions of a signature."""
        unmatched = self._cannot_match(signature)
        out: list[Key | None] = []
        for c in constraints:
            plan = self._plans.get(c.constraint)
            if plan is None:
                out.append(None)
            elif c.constraint in unmatched:
                out.append(plan.unmatched)
            else:
                known = self._keys[c.constraint]
                looked = plan.looks(signature)
                key = known.get(looked)
                if key is None:
                    if len(known) >= self._keys_each:
                        known.clear()
                    key = known[looked] = (c.constraint, *map(self._part, plan.by_class, looked))
                out.append(key)
        return out

    def _part(self, by_class: bool, values: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
        return self._class_of(values) if by_class else values

    def _cannot_match(self, signature: tuple[Any, ...]) -> frozenset[str]:
        """The constraints that cannot match a signature."""
        gate = (*map(bool, signature), *self._gate(signature))
        found = self._unmatched.get(gate)
        if found is None:
            if len(self._unmatched) >= MEMO_SIZE:
                self._unmatched.clear()
            present = _mask(i for i, values in enumerate(signature) if values)
            found = self._unmatched[gate] = frozenset(
                c for c, plan in self._plans.items() if _plan_cannot_match(plan, signature, present)
            )
        return found

    def _class_of(self, values: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
        if not any(kind == XSD_DATE for kind, _ in values):
            return values
        return frozenset(
            (kind, self.dates.of(value)) if kind == XSD_DATE else (kind, value) for kind, value in values
        )

    def recall(self, keys: Iterable[Key]) -> dict[Key, list[Any]]:
        with self._lock:
            found = {}
            for key in keys:
                rows = self._rows.get(key)
                if rows is not None:
                    self._rows.move_to_end(key)
                    found[key] = rows
            return found

    def remember(self, entries: dict[Key, list[Any]]) -> None:
        with self._lock:
            self._rows.update(entries)
            while len(self._rows) > MEMO_SIZE:
                self._rows.popitem(last=False)

    def __len__(self) -> int:
        return len(self._rows)
