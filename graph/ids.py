"""Identifiers for transactions and decisions: random (version 4) UUIDs from the operating system's
random source — unguessable, since a decision holds a company's order — drawn 4,096 at a time (one
system call per 4,096 ids rather than one per id: a 100,000-transaction run makes 200,000 of them)."""

from __future__ import annotations

import os
import threading

_BATCH = 4096
_lock = threading.Lock()
_pool = b""
_at = 0


def new_uuid() -> str:
    global _pool, _at
    with _lock:
        if _at >= len(_pool):
            _pool, _at = os.urandom(16 * _BATCH), 0
        raw = bytearray(_pool[_at : _at + 16])
        _at += 16
    # the version (4) and variant (RFC 4122) bits set as uuid.UUID(bytes=raw, version=4) sets them, and the
    # same text, in a third of the time
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _after_fork() -> None:  # a forked child must not hand out its parent's ids
    global _pool, _at
    _pool, _at = b"", 0


os.register_at_fork(after_in_child=_after_fork)
