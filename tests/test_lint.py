"""The code passes the project's linters (make lint: ruff, and mypy's type checks), at the versions
pyproject.toml pins, in every test run: CI runs `make test` only, and a type error once went through it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", "graph", "api", "tests", "bench")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_finds_nothing() -> None:
    done = _run("mypy")  # what it checks, and how strictly: [tool.mypy] in pyproject.toml
    assert done.returncode == 0, done.stdout + done.stderr
