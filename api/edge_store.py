"""Durable state of the HTTP edge: access tokens (hashed).

Idempotency keys are kept by the ledger itself, in the transaction of the event they recorded.

They live in the store `ADVIESSPOOR_DATABASE_URL` names, beside the ledgers: the SQLite file
`<directory>/adviesspoor.sqlite` (WAL, synchronous FULL) or the PostgreSQL schema `adviesspoor`.
Only the SHA-256 of a token is kept; the token itself is shown once, when it is made.
"""

import hashlib
import secrets
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID, uuid4

import psycopg

from events import Role
from events.store import StoreUrl
from projections.connections import PerThread

SQLITE_FILE: Final = "adviesspoor.sqlite"
POSTGRES_SCHEMA: Final = "adviesspoor"
_KEPT_TOKENS: Final = 1000  # per thread; beyond it, tokens are looked up each time

_TABLES: Final = (
    "CREATE TABLE IF NOT EXISTS {s}tokens ("
    " id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL UNIQUE, municipality TEXT NOT NULL,"
    " role TEXT NOT NULL, body_id TEXT, name TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT)",
)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class TokenRecord:
    """A token as stored: never the secret itself."""

    id: str
    municipality: str
    role: Role
    body_id: UUID | None
    name: str
    created: datetime


def _now() -> str:
    return datetime.now(tz=UTC).isoformat()


def _token(row: tuple[Any, ...]) -> TokenRecord:
    token_id, municipality, role, body_id, name, created = row
    return TokenRecord(
        id=token_id,
        municipality=municipality,
        role=Role(role),
        body_id=UUID(body_id) if body_id else None,
        name=name,
        created=datetime.fromisoformat(created),
    )


class EdgeStore:
    """Tokens; synchronous, so call it from a worker thread.

    Connections open on first use; call `prepare()` once before the first use of a new store.
    """

    def __init__(self, store: StoreUrl) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: psycopg.Connection[tuple[Any, ...]] | None = None
        self._prefix = "" if store.backend == "sqlite" else POSTGRES_SCHEMA + "."
        # Every request looks its token up: on a plain connection of its own thread.
        self._readers: PerThread[Any] = PerThread(self._open_reader)
        self._kept = threading.local()  # tokens found, per thread (see find_token)

    # Tokens ---------------------------------------------------------------------------------

    def create_token(
        self,
        municipality: str,
        role: Role,
        body_id: UUID | None,
        name: str,
        token_id: UUID | None = None,
    ) -> tuple[TokenRecord, str]:
        """A new token (with the id its issue was recorded under): its record, and the secret to
        hand out once."""
        secret = secrets.token_urlsafe(32)
        record = TokenRecord(
            str(token_id or uuid4()), municipality, role, body_id, name, datetime.now(tz=UTC)
        )
        self._execute(
            "INSERT INTO {s}tokens (id, secret_hash, municipality, role, body_id, name, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                secret_hash(secret),
                municipality,
                role.value,
                str(body_id) if body_id else None,
                name,
                record.created.isoformat(),
            ),
        )
        return record, secret

    def find_token(self, secret: str) -> TokenRecord | None:
        """The valid token of this secret, or None (unknown or revoked).

        On SQLite a token found is kept, per thread, for as long as the file is unchanged: its
        `PRAGMA data_version` moves with every commit by any other connection, of this process
        or another (a revocation, a new token, a forgotten name), and then all is looked up
        again. So a revoked token is refused by the first request after the revocation.
        """
        if self._store.backend != "sqlite":
            return self._find_token(secret_hash(secret))
        conn = self._readers.get()
        try:
            version = conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            self._readers.discard()
            raise
        kept = self._kept
        if getattr(kept, "conn", None) is not conn or kept.version != version:
            kept.conn, kept.version, kept.tokens = conn, version, {}
        hashed = secret_hash(secret)
        found: TokenRecord | None = kept.tokens.get(hashed)
        if found is None:
            found = self._find_token(hashed)
            if found is not None and len(kept.tokens) < _KEPT_TOKENS:
                kept.tokens[hashed] = found
        return found

    def _find_token(self, hashed: str) -> TokenRecord | None:
        rows = self._read(
            "SELECT id, municipality, role, body_id, name, created FROM {s}tokens"
            " WHERE secret_hash = ? AND revoked IS NULL",
            (hashed,),
        )
        return _token(rows[0]) if rows else None

    def valid_tokens(self, token_ids: Iterable[str]) -> set[str]:
        """Which of these token ids exist and are not revoked (one query for all)."""
        ids = list(token_ids)
        if not ids:
            return set()
        marks = ", ".join("?" * len(ids))
        rows = self._read(
            # Only "?" marks are interpolated; the ids travel as parameters.
            f"SELECT id FROM {{s}}tokens WHERE revoked IS NULL AND id IN ({marks})",  # noqa: S608
            tuple(ids),
        )
        return {row[0] for row in rows}

    def tokens(self) -> list[TokenRecord]:
        """Every token still valid, oldest first."""
        rows = self._execute(
            "SELECT id, municipality, role, body_id, name, created FROM {s}tokens"
            " WHERE revoked IS NULL ORDER BY created",
            (),
        )[1]
        return [_token(row) for row in rows]

    def revoke_token(self, token_id: str) -> bool:
        """True when a valid token with this id existed; it is refused from now on."""
        count, _ = self._execute(
            "UPDATE {s}tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
            (_now(), token_id),
        )
        return count == 1

    def forget_name(self, municipality: str, name: str) -> int:
        """Wipe a forgotten actor's name from the municipality's tokens, and rewrite the store
        so that no old page keeps it; how many tokens carried it."""
        count, _ = self._execute(
            "UPDATE {s}tokens SET name = ? WHERE municipality = ? AND name = ?",
            ("[verwijderd]", municipality, name),
        )
        if self._store.backend == "sqlite":
            with self._lock:
                assert self._sqlite is not None
                self._sqlite.execute("VACUUM")
                self._sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            self._execute(f"VACUUM FULL {POSTGRES_SCHEMA}.tokens", ())
        return count

    # Storage --------------------------------------------------------------------------------

    def close(self) -> None:
        self._readers.close()
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
            if self._postgres is not None:
                self._postgres.close()
            self._sqlite = self._postgres = None

    def prepare(self) -> None:
        """Create the tables if they are missing; safe to call from several processes at once."""
        statements = [table.replace("{s}", self._prefix) for table in _TABLES]
        if self._store.backend == "sqlite":
            for statement in statements:
                self._execute(statement, ())
            return
        with self._lock:
            conn = self._postgres_connection()
            with conn.transaction():
                # Two processes creating the same tables at once would collide in the catalog.
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('adviesspoor.edge_store'))")
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {POSTGRES_SCHEMA}")
                for statement in statements:
                    conn.execute(statement)

    def _execute(self, query: str, params: tuple[Any, ...]) -> tuple[int, list[tuple[Any, ...]]]:
        """Rows changed and rows returned; a broken connection is reopened next time."""
        query = query.replace("{s}", self._prefix)
        with self._lock:
            if self._store.backend == "sqlite":
                return self._sqlite_execute(query, params)
            conn = self._postgres_connection()
            try:
                cursor = conn.execute(query.replace("?", "%s"), params)
                rows = cursor.fetchall() if cursor.description else []
                return cursor.rowcount, rows
            except psycopg.OperationalError:
                conn.close()
                self._postgres = None
                raise

    def _read(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Rows of one query, on this thread's read connection (no lock, no transaction)."""
        query = query.replace("{s}", self._prefix)
        if self._store.backend == "postgresql":
            query = query.replace("?", "%s")
        try:
            rows: list[tuple[Any, ...]] = self._readers.get().execute(query, params).fetchall()
        except (sqlite3.Error, psycopg.Error):
            self._readers.discard()
            raise
        return rows

    def _open_reader(self) -> Any:
        if self._store.backend == "sqlite":
            assert self._store.directory is not None
            path = self._store.directory / SQLITE_FILE
            return sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        assert self._store.server is not None
        return psycopg.connect(self._store.server.conninfo(), autocommit=True)

    def _sqlite_execute(
        self, query: str, params: tuple[Any, ...]
    ) -> tuple[int, list[tuple[Any, ...]]]:
        if self._sqlite is None:
            assert self._store.directory is not None
            self._store.directory.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self._store.directory / SQLITE_FILE,
                timeout=10,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            self._sqlite = conn
        cursor = self._sqlite.execute(query, params)
        return cursor.rowcount, cursor.fetchall()

    def _postgres_connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._postgres is None or self._postgres.closed:
            assert self._store.server is not None
            self._postgres = psycopg.connect(self._store.server.conninfo(), autocommit=True)
        return self._postgres
