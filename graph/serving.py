"""Running the API: one uvicorn process, or several worker processes sharing the port.

Screening is Python work, and one interpreter runs Python on one core at a time: a server answering many
clients uses one core whatever the machine has. `serve(..., workers=N)` starts N processes that each load
the graph (from the build cache, in a fraction of a second) and serve the app on the same port. Each binds
its own socket with SO_REUSEPORT, so the kernel spreads new connections across them (a socket shared by
all would leave most long-lived connections with whichever process woke first: 23 of 32 in a measured run).

The processes share the audit log (appends are locked and fsync'd) and the data directory; each keeps its
own copy of the SPARQL endpoint's store (graph.endpoint), so SPARQL Update needs a single process. The
parent only watches: on SIGTERM or SIGINT it stops every worker (each finishes what it was answering); if a
worker exits on its own, it stops the others and fails, for the service manager to restart the server.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing as mp
import os
import signal
import socket
from collections.abc import Sequence
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

from graph.errors import EckgError, InputError

APP = "api.app:create_app"  # named, not imported: the library (graph/) never imports the API (api/)
STOP_TIMEOUT = 30.0  # seconds a worker has to finish what it is answering once told to stop
_PR_SET_PDEATHSIG = 1
log = logging.getLogger("eckg.serve")


def serve(host: str, port: int, log_level: str = "info", workers: int = 1) -> None:
    """Serve the app on host:port until stopped, in this process or in `workers` processes."""
    if workers < 1:
        raise InputError(f"--workers {workers}: serve with one worker process or more")
    if workers == 1:
        uvicorn.run(APP, factory=True, host=host, port=port, log_level=log_level)
        return
    _check_free(host, port)
    context = mp.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(host, port, log_level, os.getpid()), name=f"eckg-serve-{n}")
        for n in range(workers)
    ]
    stopping: list[int] = []

    def stop(number: int, _: FrameType | None) -> None:
        stopping.append(number)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for process in processes:
            process.start()
        log.info("serving on http://%s:%d with %d worker processes", host, port, workers)
        while not stopping and all(p.is_alive() for p in processes):
            wait([p.sentinel for p in processes], timeout=0.5)
    finally:
        _stop(processes)
        for number, handler in previous.items():
            signal.signal(number, handler)
    failed = [p for p in processes if p.exitcode not in (0, -signal.SIGTERM)]
    if not stopping and failed:
        raise EckgError(
            f"worker process {failed[0].name} exited with {failed[0].exitcode}; the other workers were "
            "stopped (its log above says why)"
        )


def _check_free(host: str, port: int) -> None:
    """InputError if something listens on host:port already: with SO_REUSEPORT the workers would otherwise
    share the port with another server of the same user and silently split its traffic."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            raise InputError(f"cannot serve on {host}:{port}: {e.strerror or e}") from None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _worker(host: str, port: int, log_level: str, parent: int) -> None:
    os.setsid()  # a terminal's Ctrl-C reaches the parent only, which then stops each worker once
    with contextlib.suppress(OSError, AttributeError):  # Linux: the worker stops if the parent dies
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before that was asked for
        return
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    config = uvicorn.Config(APP, factory=True, host=host, port=port, log_level=log_level)
    uvicorn.Server(config).run(sockets=[sock])


def _stop(processes: Sequence[BaseProcess]) -> None:
    started = [p for p in processes if p.pid is not None]
    for process in started:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn's graceful shutdown (the app's lifespan closes)
    for process in started:
        process.join(STOP_TIMEOUT)
        if process.is_alive():
            process.kill()
            process.join()
