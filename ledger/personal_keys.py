"""The key table of personal data: one AES key per data subject, OUTSIDE the event store.

The ledger writes it (keys made, destroyed); the views read it (projections/keys.py), as they
read the log the ledger writes.

Subjects: a resident body (kind `body`, its id) and an actor (kind `actor`, an opaque id, found
by the actor's name, kept here only). Where: SQLite, the file `<municipality>.keys.sqlite` beside
the events file (rollback journal, `secure_delete`: a destroyed key or name is overwritten, not
left in a free page or a WAL); PostgreSQL, tables of the schema `adviesspoor`; both spoken to in
ledger/key_table.py. Forgetting a body keeps its row without a key (nothing may be written for
it again); forgetting an actor deletes its row, name and all. Every forgetting raises a counter,
by which the in-memory copies of keys of every process expire within `TTL_SECONDS`.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from events.key_cache import TTL_SECONDS as TTL_SECONDS  # how long a process may keep a key
from events.key_cache import Generation
from events.sealing import Keys, new_key
from events.store import LogLocation
from ledger.key_table import SCHEMA, KeyTable

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


class PersonalKeys(KeyTable):
    """One municipality's key table; thread-safe, with keys cached for at most TTL_SECONDS
    after any process forgot anything."""

    def __init__(self, location: LogLocation) -> None:
        super().__init__(location)
        self._cache: dict[str, Subject] = {}
        self._actors: dict[str, Subject] = {}
        self._generation = Generation()

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
            self._generation.recheck()
            self._expire()

    def generation(self) -> int:
        with self._lock:
            self._expire()
            return self._generation.value

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
            self._generation.recheck()
            self._expire()

    def _expire(self) -> None:
        """Drop every cached key once another forgetting happened (checked once a TTL)."""
        if not self._generation.due():
            return
        if self.location.backend == "sqlite":
            rows = self._rows("SELECT value FROM generation WHERE id = 1", [])
        else:
            rows = self._rows(
                f"SELECT value FROM {SCHEMA}.personal_generation WHERE municipality = ?",  # noqa: S608
                [self.location.municipality],
            )
        if self._generation.moved(rows):
            self._cache.clear()
            self._actors.clear()


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
