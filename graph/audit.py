"""The audit trail: every screening decision (CLI, API, batch) appended to a JSON Lines file.

Why a JSON Lines file: it is the simplest durable record that survives anything — each append is one
write(2) of whole lines to a file opened O_APPEND, under an exclusive lock, followed by fsync(2), and only
then is the decision reported as made. The lock is let go before the fsync: it keeps lines whole, and two
writers (server workers) then wait for each other's write, not for each other's flush (fsync makes durable
whatever the file holds when it is called, so ours too). A crash (even SIGKILL) can at worst leave one
partial last line, which readers skip and report; no completed line is ever rewritten. Anyone can read it
with grep or jq, and the RDF view (decisions as PROV-O, graph.screening.record) is derived from it, so it
can be rebuilt at any time.

Each line is a decision as `Decision.as_dict()` plus "recorded_at" and "source" (cli, api, batch).

Every answer waits for its fsync, so the disk's slowest flushes are the service's slowest answers: on the
shared virtual disk of docs/benchmarks.md, fsync usually takes ~0.3 ms but stalls for 100-500 ms several
times a minute, whoever writes. A flush slower than SLOW_FSYNC is logged (a warning of the logger
"eckg.audit"), so that an operator sees which slow answers the disk made; keep the data directory on a disk
whose flushes are bounded.

The log may be rotated while processes use it: renamed away, the next append starts a new file at the path
(every append opens the path; one already writing finishes its lines in the renamed file, whole). Lookups
by id then read the new file, indexed anew, so a decision that moved away is not found rather than another
read in its place; the SPARQL endpoint rebuilds its decisions graph from the new file (graph.endpoint).
Copying the file and cutting it short (logrotate's copytruncate) would lose the lines appended in between:
rename it instead.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import pyoxigraph as ox

from graph.errors import AuditUnavailable, FieldError, NotFound
from graph.screening.decision import Decision, utc_now
from graph.screening.record import decision_quads

SLOW_FSYNC = 0.1  # seconds: a flush of the audit log slower than this is logged
log = logging.getLogger("eckg.audit")

SHORT_ID = 8  # characters of a decision id that `eckg audit` shows, and `eckg audit verify` takes
_WHOLE_ID = 36  # characters of a whole decision id (a UUID)

ORDER_SLACK = timedelta(hours=1)
"""How far out of order the log's lines may be by when they were recorded, at most. A writer stamps its
lines (`recorded_at`) before it takes the lock, so a line may follow one stamped a little later (by the time
it took to make its lines and wait for the lock: milliseconds). A decision is recorded after it is made,
so a line recorded more than this before a moment ends the reading of a log, backwards, for the decisions
made since then: every line before it was recorded, and so made, before that moment. A clock set back by
more than this, or writers on machines whose clocks differ by more, would break that."""


@dataclass
class AuditLog:
    path: Path
    _index: dict[str, int] = field(default_factory=dict)  # decision id -> byte offset of its line
    _indexed_to: int = 0
    _indexed_file: str | None = None  # which file the index is of ("device:inode", as mark gives it)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, decisions: Iterable[Decision], source: str) -> None:
        """Write the decisions durably (fsync) before returning."""
        recorded_at = utc_now()
        data = b"".join(
            orjson.dumps(
                {**d.as_dict(), "recorded_at": recorded_at, "source": source},
                option=orjson.OPT_APPEND_NEWLINE,
            )
            for d in decisions
        )
        if not data:
            return
        try:
            self._write(data)
        except OSError as error:  # no decision is reported as made unless it is recorded
            raise AuditUnavailable(
                f"cannot record in the audit log {self.path}: {error.strerror or error}; no decision was "
                "given (set ECKG_DATA_DIR to a directory this process can write)"
            ) from error

    def _write(self, data: bytes) -> None:
        """One write(2) of whole lines under the lock, then fsync."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if (
                size and os.pread(fd, 1, size - 1) != b"\n"
            ):  # a torn line from a crash: end it, keep ours whole
                data = b"\n" + data
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            fcntl.flock(fd, fcntl.LOCK_UN)  # our lines are whole in the file: others may write while we flush
            start = time.perf_counter()
            os.fsync(fd)
            took = time.perf_counter() - start
            if took > SLOW_FSYNC:
                log.warning(
                    "slow audit fsync: %.0f ms for %d bytes; the decisions it records waited for the disk",
                    took * 1000,
                    len(data),
                )
        finally:
            os.close(fd)

    def records(self, start: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
        """(offset, record) for every complete line from byte `start`; a torn last line is skipped."""
        with self._opened() as f:
            if f is not None:
                yield from _records(f, start)

    def end(self) -> int:
        return self.mark()[1]

    def mark(self) -> tuple[str | None, int]:
        """Which file is at the log's path now ("device:inode"; None: none is; another one once the log
        has been rotated), and its length."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None, 0
        return _identity(stat), stat.st_size

    def get(self, decision_id: str) -> dict[str, Any]:
        """The record of one decision; NotFound if the log does not hold it."""
        self._catch_up()
        offset = self._index.get(decision_id)
        record = None if offset is None else next((r for _, r in self.records(offset)), None)
        if record is None or record.get("id") != decision_id:  # the file was replaced since: not in it
            whole = (
                "" if len(decision_id) >= _WHOLE_ID else "; give its whole id (`eckg audit` shortens them)"
            )
            raise NotFound(f"no decision {decision_id!r} in the audit log{whole}")
        return record

    def find(self, prefix: str) -> dict[str, Any]:
        """The record of the one decision whose id starts with `prefix` (a whole id, or at least its first
        SHORT_ID characters, as `eckg audit` shows it): NotFound if none does, FieldError if several do or
        the prefix is shorter. For the command line only: over HTTP a decision is asked for by its whole
        id, which is what makes it unguessable."""
        prefix = prefix.strip().lower()
        if len(prefix) < SHORT_ID:
            raise FieldError(
                f"decision id {prefix!r}: give the whole id or at least its first {SHORT_ID} characters",
                errors=[{"field": "id", "message": f"shorter than {SHORT_ID} characters"}],
            )
        self._catch_up()
        if prefix in self._index:
            return self.get(prefix)
        matches = sorted(i for i in self._index if i.startswith(prefix))
        if not matches:
            raise NotFound(f"no decision whose id starts with {prefix!r} in the audit log")
        if len(matches) > 1:
            raise FieldError(
                f"decision id {prefix!r} is the start of {len(matches)} ids ({', '.join(matches[:3])}"
                f"{', ...' if len(matches) > 3 else ''}); give more of it",
                errors=[{"field": "id", "message": "ambiguous"}],
            )
        return self.get(matches[0])

    def _catch_up(self) -> None:
        """Index the lines added since the last call. A log replaced (rotated: renamed away and started
        anew) or cut short since is indexed anew: offsets into the file it replaced mean nothing in it."""
        with self._lock, self._opened() as f:
            if f is None:
                self._index, self._indexed_to, self._indexed_file = {}, 0, None
                return
            stat = os.fstat(f.fileno())
            identity, end = _identity(stat), stat.st_size
            if identity != self._indexed_file or end < self._indexed_to:
                self._index, self._indexed_to, self._indexed_file = {}, 0, identity
            f.seek(self._indexed_to)
            offset = self._indexed_to
            for line in f:
                if offset >= end:
                    break
                if line.endswith(b"\n") and (decision_id := _line_id(line)) is not None:
                    self._index[decision_id] = offset
                offset += len(line)
            self._indexed_to = end

    def select(
        self, *, since: str | None = None, decision: str | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Records decided at or after `since` (an ISO 8601 day or time, see `moment`) with outcome
        `decision`, newest last, as they are read (the log may hold millions: none is kept that is not
        asked for). With `limit`, the log is read from its end, and only as far back as the last `limit`
        matches; with `since`, no further back than a line recorded ORDER_SLACK before it. FieldError, at
        once, if `since` is not a day or time of the calendar."""
        wanted = _Filter(moment(since) if since is not None else None, decision)
        if limit:
            return iter(self._last(wanted, limit))
        return (r for line in self._lines(wanted) if (r := wanted(line)) is not None)

    @contextmanager
    def _opened(self) -> Iterator[BinaryIO | None]:
        """The log open for reading, or None when there is none (not yet, or just rotated away)."""
        try:
            f = self.path.open("rb")
        except FileNotFoundError:
            yield None
            return
        with f:
            yield f

    def _lines(self, wanted: _Filter) -> Iterator[bytes]:
        """Every complete line `wanted` may keep, oldest first: from a line recorded long enough before its
        `since` that none before it can be kept (found by bisecting the file), else from the start."""
        with self._opened() as f:
            if f is not None:
                f.seek(_start_for(f, wanted))
                yield from (line for line in f if line.endswith(b"\n"))

    def _last(self, wanted: _Filter, limit: int) -> list[dict[str, Any]]:
        """The last `limit` records `wanted` keeps, oldest first, reading the file backwards in blocks."""
        found: list[dict[str, Any]] = []
        with self._opened() as f:
            for line in _lines_backwards(f) if f is not None else ():
                if wanted.ends(line):
                    break
                if (record := wanted(line)) is not None:
                    found.append(record)
                    if len(found) == limit:
                        break
        return found[::-1]


def moment(text: str, field_name: str = "since") -> datetime:
    """An ISO 8601 day (its first moment) or time as a UTC datetime; without an offset, UTC is meant."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise FieldError(
            f"{field_name}: {text!r} is not an ISO 8601 day or time of the calendar (2026-03-01, "
            "2026-03-01T09:00:00+09:00)",
            errors=[{"field": field_name, "message": "not an ISO 8601 day or time of the calendar"}],
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def decision_of(record: dict[str, Any]) -> Decision:
    return Decision.from_dict(record)


VIEW_BATCH = 2_000
"""Decisions made into quads and written at a time when the RDF view of the log is brought up to date:
memory holds this many decisions' quads, never the log's (500,000 decisions are 15 million quads)."""


def decision_quad_batches(
    log: AuditLog, graph: str, start: int = 0, end: int | None = None, size: int | None = None
) -> Iterator[tuple[list[Any], int]]:
    """The RDF quads of the decisions recorded from byte `start` up to `end` (the log's length when
    called), `size` decisions at a time, each batch with the offset it reaches: where the next starts, and
    `end` for the last (which may hold none). `size` is VIEW_BATCH unless given."""
    end = log.end() if end is None else end
    size = size or VIEW_BATCH
    node = ox.NamedNode(graph)
    quads: list[Any] = []
    count = 0
    for offset, record in log.records(start):
        if offset >= end:
            break
        if count == size:
            yield quads, offset
            quads, count = [], 0
        quads += decision_quads(decision_of(record), node)
        count += 1
    yield quads, end


def _identity(stat: os.stat_result) -> str:
    return f"{stat.st_dev}:{stat.st_ino}"


def _records(f: BinaryIO, start: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """(offset, record) for every complete line of an open log from byte `start`."""
    f.seek(start)
    offset = start
    for line in f:
        if line.endswith(b"\n"):
            record = _parse(line)
            if record is not None:  # a line can only be torn by a crash mid-write: not a decision
                yield offset, record
        offset += len(line)


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        record = orjson.loads(line)
    except ValueError:  # orjson.JSONDecodeError is one
        return None
    return record if isinstance(record, dict) else None


# Reading a long log. A line is a decision as append writes it (orjson, Decision.as_dict's key order):
# `{"id":"…","decision":"…",…,"decided_at":"…",…}`. Its id, outcome and time can be read from the bytes
# without parsing the line (a third of a millisecond for a long one): an id to index it, an outcome or time
# to pass it over. Such a key, quote colon quote, cannot be inside a JSON string, where every quote is
# escaped, and no nested object has these keys. A line written otherwise (by hand, or torn by a crash) is
# parsed as JSON, and whatever is read by peeking is checked again on the parsed record.
_ID_START = b'{"id":"'
_DECISION = b'"decision":"'
_DECIDED_AT = b'"decided_at":"'
_RECORDED_AT = b'"recorded_at":"'
_BLOCK = 1 << 20  # bytes read at a time when reading a log backwards
_EARLIEST = datetime.min.replace(tzinfo=UTC) + ORDER_SLACK  # a `since` before it ends no reading


@dataclass(frozen=True)
class _Filter:
    """Which lines `AuditLog.select` keeps: their records, parsed, or None."""

    start: datetime | None
    decision: str | None

    def __call__(self, line: bytes) -> dict[str, Any] | None:
        if self.start is not None and (when := _peek(line, _DECIDED_AT)) is not None:
            at = _moment_or_none(when)
            if at is not None and at < self.start:
                return None  # ruled out unparsed: a long log read for a short time
        if self.decision is not None and _peek(line, _DECISION) not in (None, self.decision):
            return None
        record = _parse(line)
        if record is None:
            return None
        if self.start is not None and moment(record["decided_at"]) < self.start:
            return None
        return record if self.decision is None or record["decision"] == self.decision else None

    def ends(self, line: bytes) -> bool:
        """Whether the line was recorded more than ORDER_SLACK before `start`: neither it nor any line
        before it was decided since `start`."""
        if self.start is None or self.start < _EARLIEST or (when := _peek(line, _RECORDED_AT)) is None:
            return False
        at = _moment_or_none(when)
        return at is not None and at < self.start - ORDER_SLACK


def _start_for(f: BinaryIO, wanted: _Filter) -> int:
    """Where to read a log from for the lines `wanted` may keep: the start of a line that ends its reading
    (`_Filter.ends`: none before it can be kept), as late as bisecting the file finds, else 0."""
    if wanted.start is None:
        return 0
    low, high = 0, f.seek(0, os.SEEK_END)  # low: a line start none before which is kept
    while high - low > _BLOCK:
        middle = (low + high) // 2
        f.seek(middle)
        f.readline()  # the rest of the line `middle` is in
        start = f.tell()
        line = f.readline()
        if line.endswith(b"\n") and wanted.ends(line):
            low = start
        else:
            high = middle
    return low


def _line_id(line: bytes) -> str | None:
    """The decision id of a complete line: read from its start, else from the parsed line."""
    if line.startswith(_ID_START):
        end = line.find(b'"', len(_ID_START))
        if end > 0:
            return line[len(_ID_START) : end].decode("utf-8", "replace")
    record = _parse(line)
    return record.get("id") if record is not None else None


def _peek(line: bytes, key: bytes) -> str | None:
    """The string value of a top-level key of a line as append writes it, without parsing the line;
    None if the line does not hold it so (it is then parsed)."""
    at = line.find(key)
    if at < 0:
        return None
    start = at + len(key)
    end = line.find(b'"', start)
    return None if end < 0 else line[start:end].decode("utf-8", "replace")


def _moment_or_none(text: str) -> datetime | None:
    try:
        return moment(text)
    except FieldError:
        return None


def _lines_backwards(f: BinaryIO) -> Iterator[bytes]:
    """The complete lines of an open file, last first, without their newlines (a torn last line, with no
    newline after it, is not one)."""
    end = f.seek(0, os.SEEK_END)
    pending = b""  # the end of a line whose start is in a block not read yet, with its newline
    torn = True  # until the file's last newline is found: what follows it is a torn line, left out
    while end > 0:
        start = max(0, end - _BLOCK)
        f.seek(start)
        data = f.read(end - start) + pending
        end = start
        if torn:
            cut = data.rfind(b"\n")
            if cut < 0:
                pending = b""
                continue
            data, torn = data[: cut + 1], False
        parts = data.split(b"\n")  # data ends with a newline: the last part is empty
        pending = parts[0] + b"\n" if start > 0 else b""
        yield from reversed(parts[1:-1] if start > 0 else parts[:-1])
