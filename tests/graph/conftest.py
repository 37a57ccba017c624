"""Fixtures shared by the graph tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.audit import AuditLog
from graph.screening.decision import Decision


@pytest.fixture
def log(decisions: list[Decision], tmp_path: Path) -> AuditLog:
    """An audit log holding the module's `decisions`, one append each, as the CLI records them."""
    log = AuditLog(tmp_path / "audit.jsonl")
    for d in decisions:
        log.append([d], source="cli")
    return log
