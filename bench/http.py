"""HTTP for the benchmarks: start `eckg serve` on 127.0.0.1, and drive it with an asyncio client.

The client speaks HTTP/1.1 over raw keep-alive connections (one per client), so that what is measured is
the server, not the client library: each client sends its next request when the previous answer is in
(closed loop), or, at a fixed rate, on a schedule whatever the answers do (open loop: latency then includes
any queueing, as an order system calling us would see it).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

Request = tuple[str, str, dict[str, str], bytes]  # method, path, headers, body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    *args: str, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[Server]:
    """`eckg serve` in a subprocess on a free port of 127.0.0.1, until the block ends, with a data dir of
    its own (audit log, endpoint store) that is removed afterwards, unless `env` names one."""
    port = free_port()
    command = [sys.executable, "-m", "graph.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    output = log.open("wb") if log else subprocess.DEVNULL
    with tempfile.TemporaryDirectory(prefix="eckg-bench-") as scratch:
        env = {"ECKG_DATA_DIR": scratch, **(env or {})}
        process = subprocess.Popen(
            [*command, "--log-level", "warning", *args],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        server = Server("127.0.0.1", port, process, Path(env["ECKG_DATA_DIR"]))
        try:
            server.wait_until_up()
            yield server
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


@dataclass
class Server:
    host: str
    port: int
    process: subprocess.Popen[bytes]
    data_dir: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def wait_until_up(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"eckg serve exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"eckg serve did not come up within {timeout} s")

    def rss_mb(self) -> float:
        """The resident memory now of the server and its children (the SPARQL endpoint's worker), Linux."""
        return sum(self.rss_mb_by_process())

    def rss_mb_by_process(self) -> list[float]:
        """The resident memory of the server process, then of each of its descendants (MB)."""
        return [_rss_kb(pid) / 1024 for pid in process_tree(self.process.pid)]

    def decisions_recorded(self) -> int:
        """How many decisions the server's audit log holds."""
        audit = self.data_dir / "audit.jsonl"
        return sum(1 for _ in audit.open("rb")) if audit.exists() else 0


def process_tree(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return [pid, *(p for child in children for p in process_tree(child))]


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:  # exited since it was listed
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)


@dataclass
class Latencies:
    seconds: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def add_error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    @property
    def count(self) -> int:
        return len(self.seconds)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000 if self.seconds else float("nan")

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0


def encode(request: Request, host: str) -> bytes:
    method, path, headers, body = request
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes
) -> tuple[int, bytes]:
    writer.write(data)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    body = b""
    while (size := int((await reader.readline()).strip(), 16)) > 0:
        body += await reader.readexactly(size)
        await reader.readline()
    await reader.readline()
    return status, body


async def _client(
    server: Server,
    next_request: Callable[[], Request],
    until: float,
    out: Latencies,
    check: Callable[[int, bytes], str | None],
    schedule: asyncio.Queue[float] | None,
) -> None:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        while time.perf_counter() < until:
            start = await schedule.get() if schedule is not None else time.perf_counter()
            if start >= until:
                return
            wait = start - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                status, body = await _exchange(reader, writer, encode(next_request(), server.host))
            except (ConnectionError, asyncio.IncompleteReadError) as e:
                out.add_error(type(e).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection(server.host, server.port)
                continue
            out.seconds.append(time.perf_counter() - start)  # from when it was due, queueing included
            problem = check(status, body)
            if problem:
                out.add_error(problem)
    finally:
        writer.close()


async def _drive(
    server: Server,
    next_request: Callable[[], Request],
    clients: int,
    duration: float,
    rate: float | None,
    check: Callable[[int, bytes], str | None],
) -> Latencies:
    out = Latencies()
    start = time.perf_counter()
    until = start + duration
    schedule: asyncio.Queue[float] | None = None
    if rate is not None:
        schedule = asyncio.Queue()
        for i in range(int(duration * rate)):
            schedule.put_nowait(start + i / rate)
        for _ in range(clients):
            schedule.put_nowait(until)
    await asyncio.gather(
        *(_client(server, next_request, until, out, check, schedule) for _ in range(clients))
    )
    out.elapsed = time.perf_counter() - start
    return out


def ok_status(status: int, body: bytes) -> str | None:
    return None if status == 200 else f"HTTP {status}"


def drive(
    server: Server,
    next_request: Callable[[], Request],
    *,
    clients: int,
    duration: float,
    rate: float | None = None,
    check: Callable[[int, bytes], str | None] = ok_status,
) -> Latencies:
    """Latencies of `clients` concurrent keep-alive clients for `duration` seconds: closed loop, or open
    loop at `rate` requests per second in total."""
    return asyncio.run(_drive(server, next_request, clients, duration, rate, check))
