"""Shared fixtures. Which to use:

- `settings`  Settings pointing at a cache shared by the whole test session (and by xdist workers), and
              at a fresh data dir per test session. Use it when you call library functions yourself.
- `kg`        The loaded knowledge graph (built once per session, then reused from the cache). Read-only:
              tests that add data or decisions take `fresh_kg` instead.
- `fresh_kg`  A knowledge graph of its own for one test (a new in-memory copy of the cached build).
- `run_cli`   Runs `eckg ...` in a subprocess with the session's settings; returns CompletedProcess.
- `live_server` A factory: `live_server(*serve_args, env=...)` starts `eckg serve` (uvicorn, 127.0.0.1, a free
              port, its own data dir) and returns its base URL; the server stops at the end of the test.
- `module_server` The same, for servers shared by a whole test module.

Rule cases live in tests/rules/cases/*.test.ttl; query goldens in tests/queries/golden/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bench.http import free_port
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
    def run(
        *args: str, env: dict[str, str] | None = None, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        environment = {
            **os.environ,
            "ECKG_CACHE_DIR": str(settings.cache_dir),
            "ECKG_DATA_DIR": str(settings.data_dir),
            "COLUMNS": "200",
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "graph.cli", *args],
            capture_output=True,
            text=True,
            env=environment,
            input=input,
            timeout=300,
            cwd=ROOT,
        )

    return run


class ServerFactory:
    """Starts `eckg serve` subprocesses on free ports; stops them all on close()."""

    def __init__(self, settings: Settings, directory: Path) -> None:
        self.settings, self.directory, self.processes = settings, directory, []  # type: ignore[var-annotated]

    def start(self, *args: str, env: dict[str, str] | None = None) -> str:
        port, index = free_port(), len(self.processes)
        data_dir = self.directory / f"server-{index}"
        environment = {
            **os.environ,
            "ECKG_CACHE_DIR": str(self.settings.cache_dir),
            "ECKG_DATA_DIR": str(data_dir),
            **(env or {}),
        }
        log_path = self.directory / f"server-{index}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "graph.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                *args,
            ],
            env=environment,
            cwd=ROOT,
            stdout=log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"eckg serve exited: {log_path.read_text()}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    return url
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("eckg serve did not come up within 120 s")

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def live_server(settings: Settings, tmp_path: Path):
    factory = ServerFactory(settings, tmp_path)
    yield factory.start
    factory.close()


@pytest.fixture(scope="module")
def module_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """Like live_server, but the servers live for the whole test module."""
    factory = ServerFactory(settings, tmp_path_factory.mktemp("servers"))
    yield factory.start
    factory.close()
