"""The bench's server processes: `adviesspoor serve` (this tree, or an older checkout for the
before figures) and an aiohttp hello world, each on a free loopback port, stopped at the end;
the CPU a server spent, its child processes included (`--workers`)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from aiohttp import web

ROOT: Final = Path(__file__).resolve().parents[2]
HOST: Final = "127.0.0.1"
_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port nobody listens on, and not one already given to a server that is still starting."""
    while True:
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port: int = probe.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system time of a process, all its threads and its living child processes so far
    (Linux; zeros elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    user, system = int(fields[11]) / tick, int(fields[12]) / tick
    for child in _children(pid):
        child_user, child_system = cpu_seconds(child)
        user, system = user + child_user, system + child_system
    return user, system


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


@dataclass
class Server:
    """A server process of our own, stopped with SIGTERM (then SIGKILL) when the bench ends."""

    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    ready_path: str
    log: Path

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.log.read_text(errors="replace").strip()[-600:]
                msg = f"{self.name} stopped with code {self.process.returncode}: {said}"
                raise RuntimeError(msg)
            try:
                with urllib.request.urlopen(self.base_url + self.ready_path, timeout=1):  # noqa: S310 - our own loopback URL
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cpu(self) -> tuple[float, float]:
        return cpu_seconds(self.process.pid)


def start_server(
    stack: ExitStack,
    name: str,
    args: Sequence[str],
    ready: str,
    env: dict[str, str],
    log: Path,
    root: Path = ROOT,
) -> Server:
    """A server process run from `root` (this tree, or another checkout of the project)."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - this interpreter running our own modules
            [sys.executable, *args, "--port", str(port)],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,  # Ctrl-C reaches the bench only, which stops it in order
        )
    server = Server(name, process, f"http://{HOST}:{port}", ready, log)
    stack.callback(server.stop)
    return server


def hello_app() -> web.Application:
    async def hello(_request: web.Request) -> web.Response:
        return web.json_response({"hallo": "wereld"})

    app = web.Application()
    app.router.add_get("/", hello)
    return app


def serve_hello(port: int) -> int:
    """The baseline server: aiohttp's own hello world, on the same event loop kind as ours."""
    web.run_app(hello_app(), host=HOST, port=port, print=None, access_log=None)
    return 0
