"""Where the key table of personal data is stored, and how it is spoken to: SQLite or PostgreSQL.

SQLite: the file `<municipality>.keys.sqlite` beside the events file (rollback journal,
`secure_delete`: a destroyed key or name is overwritten, not left in a free page or a WAL).
PostgreSQL: tables of the schema `adviesspoor`, one municipality's rows by its column. Every query
is written once with `{subjects}`, `{records}`, `{mine}`, `{cols}`, `{vals}` and `?`, and filled in
for the store. What the table means is in ledger/personal_keys.py.
"""

import sqlite3
import threading
from collections.abc import Sequence
from typing import Any, Final

import psycopg

from events.store import SHARED_SCHEMA, LogLocation

SCHEMA: Final = SHARED_SCHEMA
_SQLITE: Final = (
    "CREATE TABLE IF NOT EXISTS subjects (id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
    "label TEXT UNIQUE, key BLOB, created TEXT NOT NULL, forgotten TEXT)",
    "CREATE TABLE IF NOT EXISTS record_subjects (record_id TEXT PRIMARY KEY, "
    "subject TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS generation (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO generation (id, value) VALUES (1, 0)",
)
_POSTGRES: Final = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"CREATE TABLE IF NOT EXISTS {SCHEMA}.personal_subjects (municipality TEXT NOT NULL, "
    "id TEXT NOT NULL, kind TEXT NOT NULL, label TEXT, key BYTEA, created TEXT NOT NULL, "
    "forgotten TEXT, PRIMARY KEY (municipality, id), UNIQUE (municipality, label))",
    f"CREATE TABLE IF NOT EXISTS {SCHEMA}.personal_records (municipality TEXT NOT NULL, "
    "record_id TEXT NOT NULL, subject TEXT NOT NULL, PRIMARY KEY (municipality, record_id))",
    f"CREATE TABLE IF NOT EXISTS {SCHEMA}.personal_generation (municipality TEXT PRIMARY KEY, "
    "value BIGINT NOT NULL)",
)


class KeyTable:
    """One municipality's key table on its store: one connection, opened on first use."""

    def __init__(self, location: LogLocation) -> None:
        self.location = location
        self._lock = threading.RLock()
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: psycopg.Connection[tuple[Any, ...]] | None = None

    def compact(self) -> None:
        """Rewrite the SQLite file so nothing deleted is left in it (PostgreSQL: VACUUM)."""
        with self._lock:
            if self.location.backend == "sqlite":
                self._connection_sqlite().execute("VACUUM")
                return
            conn = self._connection_postgres()
            for table in ("personal_subjects", "personal_records"):
                conn.execute(f"VACUUM {SCHEMA}.{table}")

    def close(self) -> None:
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
            if self._postgres is not None:
                self._postgres.close()
            self._sqlite = self._postgres = None

    def _sql(self, text: str) -> str:
        if self.location.backend == "sqlite":
            return text.format(
                subjects="subjects", records="record_subjects", mine="", cols="", vals=""
            )
        # The municipality is a checked slug (letters, digits, "-"): safe as a literal.
        slug = self.location.municipality
        return text.format(
            subjects=f"{SCHEMA}.personal_subjects",
            records=f"{SCHEMA}.personal_records",
            mine=f"municipality = '{slug}' AND",
            cols="municipality, ",
            vals=f"'{slug}', ",
        ).replace("?", "%s")

    def _rows(self, text: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            if self.location.backend == "sqlite":
                return self._connection_sqlite().execute(self._sql(text), list(params)).fetchall()
            cursor = self._connection_postgres().execute(self._sql(text).encode(), list(params))
            return cursor.fetchall()

    def _execute(self, text: str, params: Sequence[Any]) -> int:
        with self._lock:
            if self.location.backend == "sqlite":
                return self._connection_sqlite().execute(self._sql(text), list(params)).rowcount
            done = self._connection_postgres().execute(self._sql(text).encode(), list(params))
            return done.rowcount

    def _connection_sqlite(self) -> sqlite3.Connection:
        if self._sqlite is None:
            assert self.location.directory is not None
            self.location.directory.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.location.keys_file, timeout=10, isolation_level=None, check_same_thread=False
            )
            # A rollback journal (deleted at each commit) rather than a WAL that keeps old pages,
            # and deleted rows overwritten with zeros: a destroyed key leaves nothing in the file.
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("PRAGMA synchronous=FULL")
            for statement in _SQLITE:
                conn.execute(statement)
            self._sqlite = conn
        return self._sqlite

    def _connection_postgres(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._postgres is None or self._postgres.closed:
            server = self.location.server
            assert server is not None
            conn = psycopg.connect(server.conninfo(), autocommit=True)
            with conn.transaction():
                # The edge store creates the schema under this lock too (api/edge_store.py).
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('adviesspoor.edge_store'))")
                for statement in _POSTGRES:
                    conn.execute(statement.encode())
            self._postgres = conn
        return self._postgres
