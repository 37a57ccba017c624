"""Decision and transaction ids: version-4 UUIDs, unique."""

from __future__ import annotations

import uuid

from graph.ids import new_uuid


def test_ids_are_distinct_version_4_uuids() -> None:
    ids = [new_uuid() for _ in range(10_000)]  # more than one draw from the random source
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 4 for i in ids[:100] + ids[-100:])
