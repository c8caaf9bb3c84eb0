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
the transaction holds then. A batch of one command needs no savepoint.

What a command's transaction need not read again: the tree as the recorder's last commit left it
(`Frontier`, ledger/tree.py: its size, the last event's stored state, its perfect subtrees). It is
used only while the log's last position, seen after taking the write lock, is still its size;
otherwise the previous state and the nodes are read as before.

This module holds what both stores share; the recorders are ledger/recorder_sqlite.py and
ledger/recorder_postgres.py.
"""

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

import orjson
import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent

from ledger.group_commit import GroupCommitter, Outcome
from ledger.log_sql import LogSql, StoredRow
from ledger.tree import Frontier, append_after

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
COMMAND_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError, KeyTakenError)


def alone(error: Exception) -> BaseException:
    """A command's own error as the library raises it (a conflict is its IntegrityError)."""
    if isinstance(error, KeyTakenError):
        return error
    translated = IntegrityError(str(error))
    translated.__cause__ = error
    return translated


def rows_of(
    positions: Sequence[int], stored_events: Sequence[StoredEvent], states: Sequence[bytes]
) -> list[StoredRow]:
    """The events being inserted, in position order, with the states as stored (their moments
    made to rise), as the tree's leaves need them."""
    return [
        StoredRow(position, UUID(str(e.originator_id)), e.originator_version, e.topic, state)
        for position, e, state in zip(positions, stored_events, states, strict=True)
    ]


class _Stored(threading.local):
    states: Sequence[bytes] = ()


class GroupCommits:
    """What both recorders add to the library's: commands queued for the next group commit, the
    states each thread's last command stored, and the tree as the last commit left it.

    `frontier` (ledger/tree.py) lets a command skip reading the previous event and the nodes its
    leaves merge with: it is used only while the log's last position is still its size (checked
    in the transaction, after taking the write lock), set only after a commit, and cleared when a
    batch begins, so a failed or uncertain commit leaves nothing to trust.
    """

    writes_leaves = True  # False only in bench/integrity.py, to measure what the leaves cost
    _stored = _Stored()
    frontier: Frontier | None = None
    committer: GroupCommitter[Command, Inserted]

    def _start_group_commits(self) -> None:
        self.committer = GroupCommitter(self._write_batch)
        self.frontier = None

    def _write_batch(self, commands: Sequence[Command]) -> list[Outcome[Inserted]]:
        raise NotImplementedError

    def close(self) -> None:
        """Close what the recorder holds beside the library's pool (the application closes the
        pool itself)."""

    def stored_states(self) -> Sequence[bytes]:
        """The states this thread's last insert stored, as stored."""
        return self._stored.states

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Queue the events for the next group commit; their positions once it committed."""
        if not stored_events:
            return []
        key = kwargs.get(KEY_ARGUMENT)
        assert key is None or isinstance(key, IdempotencyKey)
        inserted = self.committer.submit(Command(stored_events, key))
        self._stored.states = inserted.states
        return inserted.positions

    def _take_frontier(self) -> Frontier | None:
        """The tree as the last commit left it, forgotten until this batch commits."""
        known, self.frontier = self.frontier, None
        return known

    def _append_tree(
        self, sql: LogSql, rows: Sequence[StoredRow], known: Frontier | None
    ) -> Frontier | None:
        return append_after(sql, rows, known) if self.writes_leaves else None
