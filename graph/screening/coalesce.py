"""Screening requests that arrive together, together: one rule run and one audit write per group.

A server answering many order systems gets their requests side by side. Screened one at a time, each pays
for Oxigraph parsing and planning every rule query — most of one screening's time (docs/benchmarks.md) —
and for an fsync of its own in the audit log. A Coalescer gives every request to one screening thread.
Whenever that thread is free it takes all the requests waiting (up to MAX_GROUP) and screens them as one
batch (Screener.decide: each rule runs once, set-at-a-time, over the group). It hands the decisions to one
recording thread and goes on to the next group; the recording thread writes every group waiting for it
with one audit write and fsync (group commit), and only then answers each caller. A request that finds
the threads idle is screened and recorded alone, at once: grouping adds no wait; it uses the time requests
would spend queued anyway, and the screening of one group overlaps the fsync of the one before.

    >>> coalescer = Coalescer(Screener(load_graph()), audit=None)
    >>> coalescer.screen(ScreeningRequest(item="1C902.b", destination="JP",
    ...                                   end_user="Japan Maritime Self-Defense Force", date="2026-03-01")).decision
    'prohibited'

A request that cannot be resolved (an end use not in the graph) fails alone; so does one whose screening
fails, as a failing group is screened again one request at a time. If the audit write fails, every request
it held fails: a decision not recorded is never returned.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass

from graph.audit import AuditLog
from graph.errors import ShuttingDown
from graph.screening.decision import Decision
from graph.screening.engines import FOCUS_LIMIT
from graph.screening.request import ScreeningRequest
from graph.screening.screen import Screener
from graph.screening.transaction import Resolved

# A group is one run of the rules bound by VALUES (FOCUS_LIMIT transactions), and with its weak matches'
# alternatives (up to 3 each) no more than the engine keeps bound (BOUND_RUNS runs): past that a run goes
# unbound, at a cost set by the size of the graph, which a large party list makes far higher than a
# request's. Within it, a group of 32 costs 16 ms against 2.6 ms for one (`make bench`, AMD machine).
MAX_GROUP = FOCUS_LIMIT

_STOP = object()
Ready = list[tuple["_Pending", Decision]]


@dataclass
class _Pending:
    request: ScreeningRequest
    answer: Future[Decision]


class Coalescer:
    def __init__(self, screener: Screener, audit: AuditLog | None, source: str = "api") -> None:
        self.screener = screener
        self.audit = audit
        self.source = source
        self._queue: queue.SimpleQueue[_Pending | object] = queue.SimpleQueue()
        self._records: queue.SimpleQueue[Ready | object] = queue.SimpleQueue()  # decided, to record
        self._closed = False
        self._closing = threading.Lock()  # nothing is queued after the stop sign
        self._threads = [threading.Thread(target=self._serve, name="eckg-screening", daemon=True)]
        if audit is not None:
            self._threads.append(threading.Thread(target=self._record, name="eckg-audit", daemon=True))
        for thread in self._threads:
            thread.start()

    def submit(self, request: ScreeningRequest) -> Future[Decision]:
        """The decision for `request`, when it has been screened with whatever else is waiting and recorded."""
        answer: Future[Decision] = Future()
        with self._closing:
            if self._closed:
                raise ShuttingDown("the server is shutting down and screens no more requests; retry")
            self._queue.put(_Pending(request, answer))
        return answer

    def screen(self, request: ScreeningRequest) -> Decision:
        return self.submit(request).result()

    def close(self) -> None:
        """Stop taking requests; those already submitted are answered first."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        for thread in self._threads:  # the screening thread passes the stop sign on to the recording one
            thread.join()

    # ------------------------------------------------------------------ the screening thread

    def _serve(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                self._records.put(_STOP)
                return
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    following = self._queue.get_nowait()
                except queue.Empty:
                    break
                if following is _STOP:
                    self._queue.put(_STOP)  # stop once this group is answered
                    break
                group.append(following)
            pending = [p for p in group if isinstance(p, _Pending)]
            try:
                self._answer(pending)
            except BaseException as error:  # never leave a caller waiting, nor stop serving the others
                for p in pending:
                    if not p.answer.done():
                        p.answer.set_exception(error)

    def _answer(self, group: list[_Pending]) -> None:
        resolved: list[tuple[_Pending, Resolved]] = []
        for pending in group:
            if pending.answer.set_running_or_notify_cancel():
                try:
                    resolved.append((pending, self.screener.resolve(pending.request)))
                except Exception as error:  # this request's own fault (e.g. an unknown end use)
                    pending.answer.set_exception(error)
        decided = self._decide(resolved)
        ready = [(p, d) for p, d in decided if isinstance(d, Decision)]
        for pending, failure in decided:
            if isinstance(failure, BaseException):
                pending.answer.set_exception(failure)
        if self.audit is None:
            for pending, decision in ready:
                pending.answer.set_result(decision)
        elif ready:
            self._records.put(ready)

    def _decide(
        self, resolved: list[tuple[_Pending, Resolved]]
    ) -> list[tuple[_Pending, Decision | BaseException]]:
        """Each request's decision, or the error that screening it alone raised."""
        if not resolved:
            return []
        try:
            decisions = self.screener.decide([tx for _, tx in resolved])
            return list(zip([p for p, _ in resolved], decisions, strict=True))
        except Exception as error:
            if len(resolved) == 1:
                return [(resolved[0][0], error)]
        return [item for one in resolved for item in self._decide([one])]

    # ------------------------------------------------------------------ the recording thread

    def _record(self) -> None:
        assert self.audit is not None
        stop = False
        while not stop:
            batches = [self._records.get()]
            while True:
                try:
                    batches.append(self._records.get_nowait())
                except queue.Empty:
                    break
            stop = any(b is _STOP for b in batches)
            ready: Ready = [item for b in batches if isinstance(b, list) for item in b]
            if not ready:
                continue
            try:
                self.audit.append([d for _, d in ready], source=self.source)
            except BaseException as error:  # no decision unrecorded is returned; the thread records on
                for pending, _ in ready:
                    pending.answer.set_exception(error)
                continue
            for pending, decision in ready:
                pending.answer.set_result(decision)
