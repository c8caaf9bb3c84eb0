"""The key table of personal data: one AES key per data subject, OUTSIDE the event store.

The ledger writes it (keys made, destroyed); the views read it (projections/keys.py), as they
read the log the ledger writes.

Subjects: a resident body (kind `body`, its id) and an actor (kind `actor`, an opaque id, found
by the actor's name, kept here only). Where: SQLite, the file `<municipality>.keys.sqlite` beside
the events file (rollback journal, `secure_delete`: a destroyed key or name is overwritten, not
left in a free page or a WAL); PostgreSQL, tables of the schema `adviesspoor`. Forgetting a body
keeps its row without a key (nothing may be written for it again); forgetting an actor deletes
its row, name and all. Every forgetting raises a counter, by which the in-memory copies of keys
of every process expire within `TTL_SECONDS`.
"""

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import psycopg

from events.sealing import Keys, new_key
from events.store import SHARED_SCHEMA, LogLocation

TTL_SECONDS: Final = 1.0
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

_BUMP_POSTGRES: Final = (
    f"INSERT INTO {SCHEMA}.personal_generation AS g (municipality, value) VALUES (?, 1) "  # noqa: S608
    "ON CONFLICT (municipality) DO UPDATE SET value = g.value + 1"
)


class ForgottenError(Exception):
    """The subject's data was forgotten: nothing may be recorded for it any more."""


@dataclass(frozen=True)
class Subject:
    """A data subject: its id, and its key (None once forgotten)."""

    id: str
    kind: str
    key: bytes | None


def _now() -> str:
    return datetime.now(tz=UTC).isoformat()


class PersonalKeys:
    """One municipality's key table; thread-safe, with keys cached for at most TTL_SECONDS
    after any process forgot anything."""

    def __init__(self, location: LogLocation) -> None:
        self.location = location
        self._lock = threading.RLock()
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: psycopg.Connection[tuple[Any, ...]] | None = None
        self._cache: dict[str, Subject] = {}
        self._actors: dict[str, Subject] = {}
        self._generation = -1
        self._checked = 0.0

    # Reading ----------------------------------------------------------------------------------

    def keys(self, subjects: Iterable[str]) -> Keys:
        """The key of each subject (None: forgotten, or never known here)."""
        wanted = set(subjects)
        with self._lock:
            self._expire()
            missing = [s for s in wanted if s not in self._cache]
            if missing:
                marks = ", ".join(["?"] * len(missing))
                rows = self._rows(
                    f"SELECT id, kind, key FROM {{subjects}} WHERE {{mine}} id IN ({marks})",  # noqa: S608 - marks only
                    missing,
                )
                for subject_id, kind, key in rows:
                    self._cache[subject_id] = Subject(subject_id, kind, _bytes(key))
            return {s: self._cache[s].key if s in self._cache else None for s in wanted}

    def body(self, body_id: str) -> Subject | None:
        """The subject of a resident body, if the body is one."""
        return self._subject(body_id)

    def of_record(self, record_id: str) -> Subject | None:
        """The subject whose words a record (an advice of a resident) holds."""
        rows = self._rows("SELECT subject FROM {records} WHERE {mine} record_id = ?", [record_id])
        return self._subject(rows[0][0]) if rows else None

    def actor_id(self, name: str) -> str | None:
        """The opaque id of the actor with this name, if it ever acted here."""
        rows = self._rows("SELECT id FROM {subjects} WHERE {mine} label = ?", [name])
        return rows[0][0] if rows else None

    def refresh(self) -> None:
        """Check now (not only once a TTL) whether anything was forgotten since keys were read."""
        with self._lock:
            self._checked = 0.0
            self._expire()

    def generation(self) -> int:
        with self._lock:
            self._expire()
            return self._generation

    # Writing ----------------------------------------------------------------------------------

    def body_subject(self, body_id: str) -> Subject:
        """A key for a resident body (made once, when it is registered)."""
        self._insert(body_id, "body", None)
        subject = self._subject(body_id)
        assert subject is not None
        return subject

    def actor(self, name: str) -> Subject:
        """The subject of an actor by name, made on its first act."""
        with self._lock:
            self._expire()
            known = self._actors.get(name)
            if known is not None:
                return known
        subject_id = self.actor_id(name)
        if subject_id is None:
            self._insert(str(uuid.uuid4()), "actor", name)
            subject_id = self.actor_id(name)
        assert subject_id is not None
        subject = self._subject(subject_id)
        assert subject is not None
        with self._lock:
            self._actors[name] = subject
        return subject

    def link(self, record_id: str, subject_id: str) -> None:
        """Note that a record (an advice) holds the words of this subject."""
        self._execute(
            "INSERT INTO {records} ({cols}record_id, subject) VALUES ({vals}?, ?) "
            "ON CONFLICT DO NOTHING",
            [record_id, subject_id],
        )

    def forget_body(self, body_id: str) -> bool:
        """Destroy a resident body's key (its row stays, without key); False if it had none."""
        count = self._execute(
            "UPDATE {subjects} SET key = NULL, forgotten = ? WHERE {mine} id = ? "
            "AND kind = 'body' AND key IS NOT NULL",
            [_now(), body_id],
        )
        self._bump()
        return count == 1

    def forget_actor(self, name: str) -> str | None:
        """Destroy an actor's key and name; its opaque id, or None if it never acted here."""
        subject_id = self.actor_id(name)
        if subject_id is None:
            return None
        self._execute("DELETE FROM {subjects} WHERE {mine} id = ?", [subject_id])
        self._bump()
        return subject_id

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

    # Plumbing ---------------------------------------------------------------------------------

    def _subject(self, subject_id: str) -> Subject | None:
        self.keys([subject_id])
        with self._lock:
            return self._cache.get(subject_id)

    def _insert(self, subject_id: str, kind: str, label: str | None) -> None:
        self._execute(
            "INSERT INTO {subjects} ({cols}id, kind, label, key, created) "
            "VALUES ({vals}?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [subject_id, kind, label, new_key(), _now()],
        )

    def _bump(self) -> None:
        if self.location.backend == "sqlite":
            self._execute("UPDATE generation SET value = value + 1 WHERE id = 1", [])
        else:
            self._execute(_BUMP_POSTGRES, [self.location.municipality])
        with self._lock:
            self._checked = 0.0
            self._expire()

    def _expire(self) -> None:
        """Drop every cached key once another forgetting happened (checked once a TTL)."""
        if time.monotonic() - self._checked < TTL_SECONDS:
            return
        if self.location.backend == "sqlite":
            rows = self._rows("SELECT value FROM generation WHERE id = 1", [])
        else:
            rows = self._rows(
                f"SELECT value FROM {SCHEMA}.personal_generation WHERE municipality = ?",  # noqa: S608
                [self.location.municipality],
            )
        generation = int(rows[0][0]) if rows else 0
        if generation != self._generation:
            self._cache.clear()
            self._actors.clear()
            self._generation = generation
        self._checked = time.monotonic()

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


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


def dump(keys: PersonalKeys) -> dict[str, Any]:
    """Every subject (with its key, None once forgotten) and every record link, to move a store."""
    subjects = keys._rows(
        "SELECT id, kind, label, key, created, forgotten FROM {subjects} WHERE {mine} 1 = 1", []
    )
    records = keys._rows("SELECT record_id, subject FROM {records} WHERE {mine} 1 = 1", [])
    return {
        "subjects": [
            [sid, kind, label, None if key is None else bytes(key).hex(), created, forgotten]
            for sid, kind, label, key, created, forgotten in subjects
        ],
        "records": [list(row) for row in records],
    }


def load(keys: PersonalKeys, data: dict[str, Any]) -> int:
    """Put a dump into an empty key table; how many subjects. ValueError when it is not empty."""
    if keys._rows("SELECT 1 FROM {subjects} WHERE {mine} 1 = 1 LIMIT 1", []):
        msg = "de sleuteltabel van deze gemeente is niet leeg"
        raise ValueError(msg)
    for sid, kind, label, key, created, forgotten in data["subjects"]:
        keys._execute(
            "INSERT INTO {subjects} ({cols}id, kind, label, key, created, forgotten) "
            "VALUES ({vals}?, ?, ?, ?, ?, ?)",
            [sid, kind, label, None if key is None else bytes.fromhex(key), created, forgotten],
        )
    for record_id, subject in data["records"]:
        keys.link(record_id, subject)
    keys.refresh()
    return len(data["subjects"])
