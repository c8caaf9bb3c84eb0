"""Several server processes on one port (`serve --workers N`): SO_REUSEPORT lets the kernel hand
each new connection to one of them; each has its own event loop, thread pool, ledgers and views.

Safe on SQLite and PostgreSQL alike: writes meet the store's lock and the ledger's version check
(one wins, the other is a 409), recorded moments are taken inside the insert transaction
(ledger/recorders.py), and every GET first brings the shared views up to the log position
committed before it arrived, so a write answered by one process is read back by every other.
SIGTERM or SIGINT to the parent is passed on; each process finishes its requests, then stops.
"""

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
from multiprocessing.synchronize import Event
from types import FrameType
from typing import Final

from api.http import server
from api.http.app import create_app
from api.logging import configure_logging
from api.settings import Settings

# A fresh interpreter per process (not a fork of this one with its threads and connections).
_CONTEXT = multiprocessing.get_context("spawn")


_PR_SET_PDEATHSIG: Final = 1


def _die_with_parent(parent: int) -> None:
    """A server process must not outlive its parent: killed with SIGKILL (a crash, `kill -9`),
    the parent could not stop it, and it would hold the port and the stores of a restart. Linux
    sends this process SIGKILL when the parent dies; elsewhere nothing is done."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _serve(settings: Settings, host: str, port: int, ready: Event, parent: int) -> None:
    """One server process: until SIGTERM or SIGINT, or its parent's death."""
    _die_with_parent(parent)
    configure_logging(fast=True)
    app = create_app(settings.store, settings=settings)
    server.run(
        app,
        host,
        port,
        shutdown_timeout=settings.shutdown_seconds,
        announce=ready.set,
        reuse_port=True,
    )


def workers_run(settings: Settings, host: str, port: int, workers: int, announcement: str) -> int:
    """Start `workers` server processes, say `announcement` once all listen, and wait for them;
    the first non-zero exit code, else 0."""
    ready = [_CONTEXT.Event() for _ in range(workers)]
    processes = [
        _CONTEXT.Process(
            target=_serve,
            args=(settings, host, port, event, os.getpid()),
            name=f"adviesspoor-{n + 1}",
        )
        for n, event in enumerate(ready)
    ]

    def stop(signum: int, _frame: FrameType | None) -> None:
        # Ctrl-C on a terminal reaches every process of the group already; a signal sent to the
        # parent alone is passed on.
        for process in processes:
            if process.pid is not None and process.exitcode is None:
                os.kill(process.pid, signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for process in processes:
            process.start()
        while not all(event.wait(0.1) for event in ready):
            if any(process.exitcode is not None for process in processes):
                stop(signal.SIGTERM, None)
                break
        else:
            print(announcement, flush=True)
        for process in processes:
            process.join()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    codes = [process.exitcode or 0 for process in processes]
    return next((code for code in codes if code != 0), 0)
