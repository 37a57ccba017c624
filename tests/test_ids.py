"""Decision and transaction ids: version-4 UUIDs, unique."""

from __future__ import annotations

import uuid

import pytest

from graph import ids
from graph.ids import new_uuid


def test_ids_are_distinct_version_4_uuids() -> None:
    made = [new_uuid() for _ in range(10_000)]  # more than one draw from the random source
    assert len(set(made)) == len(made)
    assert all(uuid.UUID(i).version == 4 for i in made[:100] + made[-100:])


def test_ids_are_the_text_uuid_gives_for_the_same_random_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The version and variant bits are set by hand: the same id as uuid.UUID(bytes=..., version=4)."""
    # ids whose bytes are all one value: each value in the bytes that hold the version and the variant
    raw = b"".join(bytes([value]) * 16 for value in range(256))
    monkeypatch.setattr(ids, "_pool", raw.hex())  # the pool holds the bytes as hexadecimal text
    monkeypatch.setattr(ids, "_at", 0)
    for at in range(0, len(raw), 16):
        made = new_uuid()
        assert made == str(uuid.UUID(bytes=raw[at : at + 16], version=4))
        assert uuid.UUID(made).variant == uuid.RFC_4122
