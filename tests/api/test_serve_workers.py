"""`eckg serve --workers N`: worker processes share the port, the audit log and the data directory, each
with its own copy of the endpoint's store (graph.serving, graph.endpoint.claim_store)."""

from __future__ import annotations

import os
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bench.http import free_port, process_tree
from graph.audit import AuditLog
from graph.endpoint import claim_store
from graph.errors import InputError, StoreUnavailable
from graph.kg import KnowledgeGraph
from graph.namespaces import GRAPH_DECISIONS
from graph.serving import _check_free

from ..screening.test_engines import generated_requests


def _descendants(pid: int) -> list[int]:
    children = [
        int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()
    ]
    return children + [d for c in children for d in _descendants(c)]


@pytest.mark.slow
def test_workers_share_the_port_the_audit_log_and_stop_together(
    live_server, kg: KnowledgeGraph, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    url = live_server("--workers", "2", env={"ECKG_DATA_DIR": str(data)})
    server = live_server.__self__.processes[-1]
    bodies = [r.model_dump(mode="json", exclude_none=True) for r in generated_requests(kg, 48, seed=5)]

    def screen(body: dict) -> str:  # type: ignore[type-arg]
        response = httpx.post(f"{url}/screen", json=body, timeout=60)  # a connection of its own each
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        answered = list(pool.map(screen, bodies))
    logged = [record["id"] for _, record in AuditLog(data / "audit.jsonl").records()]
    assert sorted(logged) == sorted(answered), "every worker's decisions, once each, in the one audit log"
    for decision in answered[:16]:  # new connections: a worker finds what the other recorded
        assert httpx.get(f"{url}/decisions/{decision}").json()["id"] == decision

    count = f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ GRAPH <{GRAPH_DECISIONS}> {{ ?d ?p ?o }} }}"
    for _ in range(8):  # new connections: both workers answer, each from its own copy of the store
        response = httpx.get(f"{url}/sparql", params={"query": count}, headers={"Accept": "application/json"})
        assert response.status_code == 200, response.text
    assert (data / "endpoint" / "store").is_dir() and (data / "endpoint" / "store-1").is_dir()

    processes = process_tree(server.pid)[1:]
    assert len(processes) >= 4  # two workers, each with its SPARQL worker
    server.send_signal(signal.SIGTERM)
    assert server.wait(60) == 0
    deadline = time.monotonic() + 10  # (multiprocessing's resource tracker leaves when it sees the end)
    while (left := [p for p in processes if _running(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"no worker outlives the server: {[_command(p) for p in left]}"


@pytest.mark.slow
def test_workers_stop_when_the_server_is_killed(live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    live_server("--workers", "2", env={"ECKG_DATA_DIR": str(tmp_path / "data")})
    server = live_server.__self__.processes[-1]
    processes = process_tree(server.pid)[1:]
    server.send_signal(signal.SIGKILL)  # no chance to stop its workers: the kernel tells them
    server.wait(10)
    deadline = time.monotonic() + 60
    while (left := [p for p in processes if _running(p)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"workers outlive a killed server: {[_command(p) for p in left]}"


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except FileNotFoundError:
        return f"{pid} (gone)"


@pytest.mark.slow
def test_a_worker_that_fails_stops_the_server(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n")  # no object: the workers cannot load the graph
    port = free_port()
    result = run_cli("serve", "--workers", "2", "--port", str(port), "--data", str(broken))
    assert result.returncode == 3
    assert "exited with" in result.stderr and "the other workers were stopped" in result.stderr
    _check_free("127.0.0.1", port)  # nothing is left listening


def test_updates_need_a_single_worker(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("serve", "--workers", "2", "--allow-anonymous-update", "--port", "1")
    assert result.returncode == 2
    assert "--workers 2 with SPARQL Update enabled" in result.stderr


def test_a_port_in_use_is_refused_before_any_worker_starts() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError, match=f"cannot serve on 127.0.0.1:{port}"):
            _check_free("127.0.0.1", port)


def test_each_server_claims_a_store_of_its_own(tmp_path: Path) -> None:
    first = tmp_path / "endpoint" / "store"
    path_a, held_a = claim_store(first)
    path_b, held_b = claim_store(first)
    assert (path_a, path_b) == (first, first.with_name("store-1"))
    with pytest.raises(StoreUnavailable, match="with SPARQL Update enabled a server must have it"):
        claim_store(first, first_only=True)
    os.close(held_a)  # the first server stops: its store is free again
    path_c, held_c = claim_store(first, first_only=True)
    assert path_c == first
    os.close(held_b)
    os.close(held_c)
