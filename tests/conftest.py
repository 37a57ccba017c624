"""Shared fixtures. Which to use:

- `settings`  Settings pointing at a cache shared by the whole test session (and by xdist workers), and
              at a fresh data dir per test session. Use it when you call library functions yourself.
- `kg`        The loaded knowledge graph (built once per session, then reused from the cache). Read-only:
              tests that add data or decisions take `fresh_kg` instead.
- `fresh_kg`  A knowledge graph of its own for one test (a new in-memory copy of the cached build).
- `run_cli`   Runs `eckg ...` in a subprocess with the session's settings; returns CompletedProcess.

Rule cases live in tests/rules/cases/*.test.ttl; query goldens in tests/queries/golden/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.kg import KnowledgeGraph, load_graph
from graph.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory shared by all xdist workers of this run (the parent of each worker's base temp)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def settings(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(cache_dir=shared_dir / "eckg-cache", data_dir=tmp_path_factory.mktemp("eckg-data"))


@pytest.fixture(scope="session")
def kg(settings: Settings) -> KnowledgeGraph:
    return load_graph(settings)


@pytest.fixture
def fresh_kg(settings: Settings, tmp_path: Path) -> KnowledgeGraph:
    return load_graph(settings.model_copy(update={"data_dir": tmp_path / "data"}))


@pytest.fixture
def run_cli(settings: Settings):
    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
        environment = {
            **os.environ,
            "ECKG_CACHE_DIR": str(settings.cache_dir),
            "ECKG_DATA_DIR": str(settings.data_dir),
            "COLUMNS": "200",
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "graph.cli", *args],
            capture_output=True, text=True, env=environment, input=input, timeout=300, cwd=ROOT,
        )

    return run
