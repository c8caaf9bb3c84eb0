"""Running the command line in this process, and a PostgreSQL database of a test's own, for the
tests of the log commands (export, import, verify, checkpoints, tokens, forget)."""

import secrets
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson
import psycopg
import pytest
from psycopg import sql

if TYPE_CHECKING:
    from events.store import StoreUrl


ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in self.out.splitlines()]


Run = Callable[..., Result]


def runner(
    store: "StoreUrl", monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """`adviesspoor ARGS` in this process on `store`, with what it printed."""
    from api.cli.main import main

    def run(*args: str) -> Result:
        monkeypatch.setenv("ADVIESSPOOR_DATABASE_URL", store.url)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse refuses bad arguments by exiting
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@contextmanager
def own_database(store_url: "StoreUrl", prefix: str = "log") -> Iterator["StoreUrl"]:
    """A database of its own on the test server (dropped afterwards), for a store that must be
    empty while the test's municipality already exists in the shared one (or whose
    municipalities have fixed names, as the demo's)."""
    from events.store import StoreUrl

    server = store_url.server
    assert server is not None
    name = f"adviesspoor_{prefix}_" + secrets.token_hex(4)
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield StoreUrl.parse(urlsplit(store_url.url)._replace(path=f"/{name}").geturl())
    finally:
        with psycopg.connect(server.conninfo(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def cli_process(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m api ARGS` as a process of its own, with `env`; what it printed, as text."""
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def cli_stdout(env: dict[str, str], *args: str) -> str:
    """`python -m api ARGS` as a process of its own, with `env`; its stdout, or AssertionError
    with its stderr."""
    done = cli_process(env, *args)
    if done.returncode != 0:
        msg = f"adviesspoor {' '.join(args)} gaf code {done.returncode}: {done.stderr.strip()}"
        raise AssertionError(msg)
    return done.stdout.strip()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now) for a server of a test."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
