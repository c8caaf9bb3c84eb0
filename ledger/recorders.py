"""The ledger's own event recorders: gap-free positions, and idempotency keys committed with events.

Both stores keep, beside the events, a table `idempotency_keys` (scope, request hash, position).
A command saved with an `IdempotencyKey` writes its key row in the SAME transaction as its events,
so after a crash at any moment either both are stored or neither: a retry finds the key and the
position of the first answer, never a half-done claim.

PostgreSQL numbers events from a sequence, and a transaction that loses a conflict (or dies) burns
its numbers: the log would have gaps, which an auditor reads as deletions. Here positions are
assigned explicitly as MAX + 1, under the library's table lock that already serialises writers,
so positions count 1, 2, 3, … whatever fails. SQLite's rowid is MAX + 1 already.

Both also write, in the same transaction, each event's Merkle leaf and the new perfect subtrees
(ledger/tree.py), and keep the signed checkpoints beside the events (ledger/log_sql.py).

Recorded moments (`timestamp`, `vastgelegdOp`) never go backwards in the log, also when several
processes write it: each process's clock is monotonic (events/base.py), and inside the insert
transaction, holding the write lock, an event whose moment is not after the previous event's is
moved to 1 µs after it (max(own moment, previous + 1 µs)). The stored bytes are the truth:
`stored_states()` hands them to the ledger for its answer.

Inserts go through a group committer (ledger/group_commit.py): the commands of one process that
wait at the same time share one transaction, each in its own savepoint, in queue order. A command
that loses a conflict (its record's version, its key) rolls back to its savepoint: the positions
and moments it had taken were never committed, so the next command takes them and the log stays
dense; its leaves and nodes went with it, and the next command's leaves are computed from what
the transaction holds then.
"""

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

import orjson
import psycopg
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from ledger.group_commit import GroupCommitter, Outcome
from ledger.log_sql import CHECKPOINTS, NODES, LogSql, LogTables, StoredRow, create_statements
from ledger.tree import append_leaves

KEYS_TABLE: Final = "idempotency_keys"
KEY_ARGUMENT: Final = "idempotency"


@dataclass(frozen=True)
class IdempotencyKey:
    """An `Idempotency-Key` as the ledger keeps it: its scope and the hash of the request body."""

    scope: str
    request_hash: str


@dataclass(frozen=True)
class KeyRecord:
    """A key whose command was stored: which request it was, and where its last event is."""

    request_hash: str
    position: int


class KeyTakenError(Exception):
    """The key was stored by an earlier (or concurrent) command; this transaction rolled back."""


_MICROSECOND: Final = timedelta(microseconds=1)


def _moment(state: bytes) -> datetime:
    return datetime.fromisoformat(orjson.loads(state)["timestamp"])


def later_moments(previous: bytes | None, states: Sequence[bytes]) -> list[bytes]:
    """The states with moments that rise after `previous`'s state: each at least 1 µs after the
    one before it (a state already so is returned as it is, byte for byte)."""
    last = _moment(previous) if previous is not None else None
    result: list[bytes] = []
    for state in states:
        moment = _moment(state)
        if last is not None and moment <= last:
            moment = last + _MICROSECOND
            decoded = orjson.loads(state)
            decoded["timestamp"] = moment
            state = orjson.dumps(decoded)
        result.append(state)
        last = moment
    return result


class _Stored(threading.local):
    states: Sequence[bytes] = ()


@dataclass(frozen=True)
class Command:
    """One command's events as the group committer queues them, with its idempotency key."""

    events: Sequence[StoredEvent]
    key: IdempotencyKey | None


@dataclass(frozen=True)
class Inserted:
    """Where one command's events were stored, and their states as stored."""

    positions: list[int]
    states: list[bytes]


# What rolls back one command's savepoint and fails that command alone; anything else the store
# raises fails the whole transaction, and with it every command in it.
_COMMAND_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError, KeyTakenError)


def _alone(error: Exception) -> BaseException:
    """A command's own error as the library raises it (a conflict is its IntegrityError)."""
    if isinstance(error, KeyTakenError):
        return error
    translated = IntegrityError(str(error))
    translated.__cause__ = error
    return translated


def _key_of(kwargs: dict[str, Any]) -> IdempotencyKey | None:
    key = kwargs.get(KEY_ARGUMENT)
    assert key is None or isinstance(key, IdempotencyKey)
    return key


def _rows(
    positions: Sequence[int], stored_events: Sequence[StoredEvent], states: Sequence[bytes]
) -> list[StoredRow]:
    """The events being inserted, in position order, with the states as stored (their moments
    made to rise), as the tree's leaves need them."""
    return [
        StoredRow(position, UUID(str(e.originator_id)), e.originator_version, e.topic, state)
        for position, e, state in zip(positions, stored_events, states, strict=True)
    ]


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, plus the key table and the Merkle tree written in the
    events' transaction, and moments that never go backwards."""

    writes_leaves = True  # False only in bench/ledger.py, to measure what the leaves cost
    _stored = _Stored()

    def stored_states(self) -> Sequence[bytes]:
        """The states this thread's last insert stored, as stored."""
        return self._stored.states

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} (scope TEXT PRIMARY KEY, "
            "request_hash TEXT NOT NULL, position INTEGER NOT NULL)",
            *create_statements("sqlite"),
        ]

    @property
    def tables(self) -> LogTables:
        return LogTables("sqlite", self.events_table_name, "rowid", NODES, CHECKPOINTS)

    @contextmanager
    def log_transaction(self, *, write: bool) -> Iterator[LogSql]:
        """One transaction on the log's tables; `write` takes the writers' lock at once, so what
        is read is what the writes build on (a reader sees one snapshot throughout)."""
        with self.datastore.get_connection(commit=write) as conn:
            cursor = conn.cursor()
            cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield LogSql(cursor, self.tables)
            except BaseException:
                conn.rollback()
                raise
            if write:
                conn.commit()
            else:
                conn.rollback()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.committer: GroupCommitter[Command, Inserted] = GroupCommitter(self._write_batch)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Queue the events for the next group commit; their positions once it committed."""
        if not stored_events:
            return []
        inserted = self.committer.submit(Command(stored_events, _key_of(kwargs)))
        self._stored.states = inserted.states
        return inserted.positions

    def _write_batch(self, commands: Sequence[Command]) -> list[Outcome[Inserted]]:
        """One transaction: every command in a savepoint of its own, then one commit."""
        outcomes: list[Outcome[Inserted]] = []
        with self.datastore.transaction(commit=True) as c:
            for command in commands:
                c.execute("SAVEPOINT command")
                try:
                    outcomes.append(self._insert_command(c, command))
                except _COMMAND_ERRORS as error:
                    c.execute("ROLLBACK TO command")
                    outcomes.append(_alone(error))
                c.execute("RELEASE command")
        return outcomes

    def _insert_command(self, c: SQLiteCursor, command: Command) -> Inserted:
        stored_events = command.events
        positions = list(super()._insert_events(c, stored_events) or [])
        # The INSERT took the write lock: no other process can commit before this transaction.
        c.execute(
            "SELECT state FROM stored_events WHERE rowid < ? ORDER BY rowid DESC LIMIT 1",
            (positions[0],),
        )
        row = c.fetchone()
        states = [e.state for e in stored_events]
        final = later_moments(row[0] if row else None, states)
        for position, state, given in zip(positions, final, states, strict=True):
            if state is not given:
                c.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (state, position))
        if self.writes_leaves:
            append_leaves(LogSql(c, self.tables), _rows(positions, stored_events, final))
        key = command.key
        if key is not None:
            c.execute(
                "INSERT INTO idempotency_keys (scope, request_hash, position) VALUES (?, ?, ?) "
                "ON CONFLICT (scope) DO NOTHING",
                (key.scope, key.request_hash, positions[-1]),
            )
            c.execute("SELECT changes()")
            if c.fetchone()[0] != 1:
                raise KeyTakenError(key.scope)
        return Inserted(positions, final)

    def find_key(self, scope: str) -> KeyRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT request_hash, position FROM idempotency_keys WHERE scope = ?", (scope,)
            )
            row = c.fetchone()
        return None if row is None else KeyRecord(row[0], int(row[1]))


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder with dense positions, the key table, the tree, and
    moments that never go backwards."""

    writes_leaves = True  # False only in bench/ledger.py, to measure what the leaves cost
    _stored = _Stored()

    def stored_states(self) -> Sequence[bytes]:
        """The states this thread's last insert stored, as stored."""
        return self._stored.states

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{keys} (scope text PRIMARY KEY, "
                "request_hash text NOT NULL, position bigint NOT NULL)"
            ).format(schema=schema, keys=Identifier(KEYS_TABLE))
        )
        self.tables = LogTables(
            "postgresql",
            f'"{self.datastore.schema}"."{self.events_table_name}"',
            "notification_id",
            f'"{self.datastore.schema}".{NODES}',
            f'"{self.datastore.schema}".{CHECKPOINTS}',
        )
        self.sql_create_statements.extend(
            # The names come from a checked slug (letters, digits, underscores), quoted.
            SQL(statement).format()
            for statement in create_statements("postgresql", self.tables.prefix())
        )
        self._last_event = SQL(
            "SELECT notification_id, state FROM {}.{} ORDER BY notification_id DESC LIMIT 1"
        ).format(schema, table)
        self._insert_numbered = SQL(
            "INSERT INTO {}.{} (originator_id, originator_version, topic, state, notification_id) "
            "VALUES (%s, %s, %s, %s, %s)"
        ).format(schema, table)
        self._insert_key = SQL(
            "INSERT INTO {}.{} (scope, request_hash, position) VALUES (%s, %s, %s) "
            "ON CONFLICT (scope) DO NOTHING"
        ).format(schema, Identifier(KEYS_TABLE))
        self._select_key = SQL("SELECT request_hash, position FROM {}.{} WHERE scope = %s").format(
            schema, Identifier(KEYS_TABLE)
        )
        self.committer: GroupCommitter[Command, Inserted] = GroupCommitter(self._write_batch)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Queue the events for the next group commit; their positions once it committed."""
        if not stored_events:
            return []
        inserted = self.committer.submit(Command(stored_events, _key_of(kwargs)))
        self._stored.states = inserted.states
        return inserted.positions

    @retry((OperationalError,), max_attempts=10, wait=0.2)
    def _write_batch(self, commands: Sequence[Command]) -> list[Outcome[Inserted]]:
        """One transaction: lock, then every command in a savepoint of its own, numbered MAX + 1
        on from what the commands before it stored, then one commit.

        A connection lost before the commit rolls everything back and is retried on a new one;
        a conflict (same record version, or same key) rolls back that command's savepoint
        without using up a position.
        """
        outcomes: list[Outcome[Inserted]] = []
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._lock_table(curs)
            self._notify_channel(curs)
            row = curs.execute(self._last_event).fetchone()
            last = int(row["notification_id"]) if row else 0
            previous = bytes(row["state"]) if row else None
            for command in commands:
                try:
                    with conn.transaction():
                        inserted = self._insert_command(curs, command, last, previous)
                except _COMMAND_ERRORS as error:
                    outcomes.append(_alone(error))
                    continue
                outcomes.append(inserted)
                last, previous = inserted.positions[-1], inserted.states[-1]
        return outcomes

    def _insert_command(
        self, curs: Any, command: Command, last: int, previous: bytes | None
    ) -> Inserted:
        stored_events = command.events
        final = later_moments(previous, [e.state for e in stored_events])
        positions = list(range(last + 1, last + 1 + len(stored_events)))
        curs.executemany(
            self._insert_numbered,
            [
                (e.originator_id, e.originator_version, e.topic, state, position)
                for e, state, position in zip(stored_events, final, positions, strict=True)
            ],
        )
        if self.writes_leaves:
            append_leaves(LogSql(curs, self.tables), _rows(positions, stored_events, final))
        key = command.key
        if key is not None:
            curs.execute(self._insert_key, (key.scope, key.request_hash, positions[-1]))
            if curs.rowcount != 1:
                raise KeyTakenError(key.scope)
        return Inserted(positions, final)

    @contextmanager
    def log_transaction(self, *, write: bool) -> Iterator[LogSql]:
        """One transaction on the log's tables; `write` takes the writers' table lock first, and
        a reader sees one snapshot throughout (REPEATABLE READ)."""
        with self.datastore.get_connection() as conn:
            if not write:
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            try:
                with conn.transaction(force_rollback=not write), conn.cursor() as curs:
                    if write:
                        self._lock_table(curs)
                    yield LogSql(curs, self.tables)
            finally:
                conn.isolation_level = None

    @retry((OperationalError,), max_attempts=10, wait=0.2)
    def find_key(self, scope: str) -> KeyRecord | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            row = curs.execute(self._select_key, (scope,)).fetchone()
        if row is None:
            return None
        return KeyRecord(row["request_hash"], int(row["position"]))
