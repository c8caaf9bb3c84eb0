"""What the fault proofs run on: stores of their own (a SQLite directory or a PostgreSQL database),
`adviesspoor serve` and `adviesspoor project` as real processes, and the command line.
tests/faults/client.py talks to them.

Nothing here imports our packages at module level (typeguard, see tests/conftest.py); the store
names come from `events.store`, imported where they are needed.
"""

import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from tests.integration.cli_support import cli_stdout, free_port

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL_SETTING = "ADVIESSPOOR_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
START_SECONDS = 30.0


def postgres_url() -> str:
    """The PostgreSQL server the tests use, as tests/conftest.py names it."""
    return os.environ.get(POSTGRES_URL_SETTING) or DEFAULT_POSTGRES_URL


def tail(path: Path, lines: int = 30) -> str:
    """The end of a process's log, to show with a failure."""
    if not path.exists():
        return "(geen log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Store:
    """One store of our own: `sqlite:///<directory>`, or a PostgreSQL database made for it."""

    url: str
    directory: Path | None = None  # SQLite
    database: str | None = None  # PostgreSQL: the database's name
    maintenance: str | None = None  # PostgreSQL: conninfo of a database to administer it from

    @property
    def backend(self) -> str:
        return "sqlite" if self.directory is not None else "postgresql"

    @classmethod
    def sqlite(cls, directory: Path) -> "Store":
        directory.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{directory}", directory=directory)

    @classmethod
    def postgresql(cls, base_url: str, purpose: str) -> "Store":
        """A fresh database `adviesspoor_<purpose>_<random>` on the server of `base_url`."""
        parts = urlsplit(base_url)
        name = f"adviesspoor_{purpose}_{secrets.token_hex(4)}"
        maintenance = _conninfo(base_url)
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = parts._replace(path=f"/{name}").geturl()
        return cls(url, database=name, maintenance=maintenance)

    def env(self) -> dict[str, str]:
        return {**os.environ, "ADVIESSPOOR_DATABASE_URL": self.url}

    def conninfo(self) -> str:
        return _conninfo(self.url)

    # The command line ------------------------------------------------------------------------

    def cli(self, *argv: str) -> str:
        """`adviesspoor <argv>` on this store; its stdout, or AssertionError with its stderr."""
        return cli_stdout(self.env(), *argv)

    def token(self, municipality: str, role: str, body: str | None = None) -> str:
        """A token made with `adviesspoor token create`."""
        more = ["--adviesorgaan", body] if body else []
        return self.cli("token", "create", "--gemeente", municipality, "--rol", role, *more)

    def quick_token(self, municipality: str, role: str) -> str:
        """A token made in this process the way `token create` makes it (the same EdgeStore),
        without starting a process for it: for proofs that need many municipalities."""
        from api.edge_store import EdgeStore
        from api.vocabulary import ROLES
        from events.store import StoreUrl

        edge = EdgeStore(StoreUrl.parse(self.url))
        try:
            edge.prepare()
            _, secret = edge.create_token(municipality, ROLES.english(role), None, role)
        finally:
            edge.close()
        return secret

    # Looking inside ------------------------------------------------------------------------

    def sqlite_files(self) -> list[Path]:
        assert self.directory is not None
        return sorted(self.directory.glob("*.sqlite"))

    def integrity(self) -> dict[str, str]:
        """`PRAGMA integrity_check` of every SQLite file: file name → the answer ("ok")."""
        answers = {}
        for path in self.sqlite_files():
            conn = sqlite3.connect(path, timeout=30)
            try:
                rows = conn.execute("PRAGMA integrity_check").fetchall()
            except sqlite3.DatabaseError as error:
                rows = [(f"{type(error).__name__}: {error}",)]
            finally:
                conn.close()
            answers[path.name] = "; ".join(str(row[0]) for row in rows)
        return answers

    def positions(self, municipality: str) -> list[int]:
        """Every log position of a municipality, read straight from the store, in order."""
        from events.store import StoreUrl

        location = StoreUrl.parse(self.url).location(municipality)
        if location.backend == "sqlite":
            if not location.events_file.exists():
                return []
            uri = f"file:{location.events_file}?mode=ro"
            reader = sqlite3.connect(uri, uri=True, timeout=30)
            try:
                rows = reader.execute(
                    f"SELECT rowid FROM {location.events_table} ORDER BY rowid"  # noqa: S608 - a constant
                ).fetchall()
            finally:
                reader.close()
            return [int(row[0]) for row in rows]
        query = sql.SQL("SELECT notification_id FROM {}.{} ORDER BY notification_id").format(
            sql.Identifier(location.schema), sql.Identifier(location.events_table)
        )
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            try:
                return [int(row[0]) for row in conn.execute(query).fetchall()]
            except psycopg.errors.UndefinedTable:
                return []

    # Copies and clean-up ---------------------------------------------------------------------

    def copy(self, target: Path | None = None) -> "Store":
        """A copy of the whole store as it is now (nothing may be writing to it)."""
        if self.directory is not None:
            assert target is not None
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            for path in self.directory.iterdir():
                # The shared-memory index is rebuilt from the WAL; copying it would only go stale.
                if path.is_file() and not path.name.endswith("-shm"):
                    shutil.copy2(path, target / path.name)
            return Store.sqlite(target)
        assert self.database is not None
        assert self.maintenance is not None
        name = f"{self.database}_kopie"
        with psycopg.connect(self.maintenance, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            # A template may have no other sessions: the killed server's backends may linger.
            for _ in range(50):
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (self.database,),
                )
                try:
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                            sql.Identifier(name), sql.Identifier(self.database)
                        )
                    )
                    break
                except psycopg.errors.ObjectInUse:
                    time.sleep(0.1)
            else:
                msg = f"Kon {self.database} niet kopiëren: er blijven sessies open."
                raise AssertionError(msg)
        url = urlsplit(self.url)._replace(path=f"/{name}").geturl()
        return Store(url, database=name, maintenance=self.maintenance)

    def drop(self) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            return
        assert self.database is not None
        assert self.maintenance is not None
        with psycopg.connect(self.maintenance, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.database)
                )
            )


def _conninfo(url: str) -> str:
    from events.store import StoreUrl

    server = StoreUrl.parse(url).server
    assert server is not None
    return server.conninfo()


@dataclass
class Process:
    """`adviesspoor serve` (or `project`) as a process of its own, with its output in files."""

    store: Store
    logs: Path
    name: str = "server"
    command: str = "serve"
    module: str = "api"  # what `python -m` runs: our command line, or a wrapper around it
    port: int = field(default_factory=free_port)
    popen: subprocess.Popen[bytes] | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    starts: int = 0
    _offset: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stderr_path(self) -> Path:
        return self.logs / f"{self.name}.stderr.log"

    @property
    def stdout_path(self) -> Path:
        return self.logs / f"{self.name}.stdout.log"

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def start(self) -> None:
        """Start, and for `serve` return once it says it listens (its first line on stdout)."""
        self.spawn()
        self.ready()

    def spawn(self) -> None:
        """Start the process without waiting for it (start several, then `ready` each)."""
        self.logs.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        argv = [sys.executable, "-m", self.module, self.command]
        if self.command == "serve":
            argv += ["--port", str(self.port)]
        # Appending keeps the output of every start (and every crash) in one file.
        with self.stdout_path.open("ab") as out, self.stderr_path.open("ab") as err:
            self._offset = out.tell()
            self.popen = subprocess.Popen(
                argv, cwd=ROOT, env={**self.store.env(), **self.extra_env}, stdout=out, stderr=err
            )

    def ready(self) -> None:
        """Wait until `serve` says it listens; AssertionError with its log when it does not."""
        assert self.popen is not None
        if self.command != "serve":
            return
        deadline = time.monotonic() + START_SECONDS
        while True:
            with self.stdout_path.open("rb") as out:
                out.seek(self._offset)
                if b"luistert op" in out.read():
                    return
            if self.popen.poll() is not None or time.monotonic() > deadline:
                code = self.popen.poll()
                self.kill()
                msg = f"{self.name} start niet (code {code}):\n{tail(self.stderr_path)}"
                raise AssertionError(msg)
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as a power cut or the OOM killer would do it."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait()

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, and SIGKILL when it does not stop in time; the exit code."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.popen.returncode

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None
