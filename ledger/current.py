"""The current aggregates a ledger keeps in memory between commands, and the lock of its commands.

A command loads its aggregate from here in constant time: no replay, no copy. What is kept is
never trusted on its own. A load outside a command, or inside one that cannot run again, first
asks the store for the aggregate's last version (one indexed query, `StoredVersions`) and applies
the events stored after the version kept, so another process's writes are applied before any rule
runs.

On PostgreSQL, where that question is a round trip (tens of µs of the client's CPU), a command
that can run again (`rerun_if_stale` below: it saves once, at its end) skips it,
and the store answers it after the rules instead (`Trust`): the write of an aggregate kept behind
the store is refused by the store's unique (id, version), since another process wrote that
version first. Then, and whenever such a command is refused (a rule, an If-Match, a conflict)
while it built on kept aggregates, their versions are asked of the store; any one behind it is
dropped, and the whole command runs again on what the store holds, every load asking the store as
above — its rules checked on fresh state, its outcome what it would have been. A kept aggregate
the command read but does not write is asked of the store before the save. A command that lost a
race it could not have seen at its load (the other write came after) runs again too: on the
store's state then, as if it had come a moment later. SQLite asks in under 10 µs on a connection
of its own: there every load asks, as before.

Commands of one process build their events one at a time (`CommandGate`, ledger/group_commit.py),
so the aggregate kept is handed to the command itself and changed in place. When the outermost
command ends, an aggregate it was handed is dropped when the command failed (an exception: a rule
refused after an event, or the save was refused) or when it still holds events that were not
saved; a record whose commit failed is dropped before anyone may load it again; one found ahead
of the store is replayed. The next command then loads it from the store, which is the truth.
"""

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from events.store import LogLocation
from ledger.errors import LedgerError

L = TypeVar("L")
P = ParamSpec("P")
R = TypeVar("R")


class CurrentAggregates:
    """At most `maxsize` aggregates by id, the least recently used dropped first."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._kept: OrderedDict[UUID, Aggregate] = OrderedDict()
        # A command that committed puts its aggregates back without holding the command gate.
        self._lock = threading.Lock()

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        with self._lock:
            aggregate = self._kept.get(aggregate_id)
            if aggregate is not None:
                self._kept.move_to_end(aggregate_id)
            return aggregate

    def put(self, aggregate: Aggregate) -> None:
        with self._lock:
            self._kept[aggregate.id] = aggregate
            self._kept.move_to_end(aggregate.id)
            while len(self._kept) > self.maxsize:
                self._kept.popitem(last=False)

    def drop(self, aggregate_id: UUID) -> None:
        with self._lock:
            self._kept.pop(aggregate_id, None)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


class Trust(threading.local):
    """Per thread: whether its command builds on kept aggregates without asking the store first,
    those it so built on (id → the version kept), and whether it committed anything yet (then it
    never runs again)."""

    depth = 0
    trusting = False
    committed = False

    def __init__(self) -> None:
        self.unchecked: dict[UUID, int] = {}

    def start(self, *, trusting: bool) -> None:
        self.trusting, self.committed, self.unchecked = trusting, False, {}


def rerun_if_stale(command: Callable[Concatenate[L, P], R]) -> Callable[Concatenate[L, P], R]:
    """A ledger's command that loads, checks its rules and saves once, at its end: on PostgreSQL
    it builds on kept aggregates without asking the store first, and runs once more, every load
    asking the store, when it was refused while one of them was behind the store."""

    @wraps(command)
    def run(ledger: L, /, *args: P.args, **kwargs: P.kwargs) -> R:
        own: Any = ledger  # a LedgerBase (ledger/ledger_base.py)
        if not own._trusts_kept:
            return command(ledger, *args, **kwargs)
        trust = own._trust
        if trust.depth:  # inside another command: that one runs again, if need be
            return command(ledger, *args, **kwargs)
        trust.depth = 1
        try:
            trust.start(trusting=True)
            try:
                return command(ledger, *args, **kwargs)
            except LedgerError:
                unchecked = trust.unchecked
                if trust.committed or not unchecked or not own._any_stale(unchecked):
                    raise
            trust.start(trusting=False)
            return command(ledger, *args, **kwargs)
        finally:
            trust.depth = 0
            trust.start(trusting=False)

    return run


class StoredVersions:
    """The last stored version of an aggregate, asked of the store in one indexed query.

    On SQLite the query runs on a connection of its own, in autocommit (every read sees the last
    commit of any process): the library's pooled read costs some 60 µs a call, this one under 10.
    Elsewhere `elsewhere` asks (the PostgreSQL recorder's prepared query on its pool); without
    it `last` answers None, and the caller asks the library for the newer events.
    """

    def __init__(
        self, location: LogLocation, elsewhere: Callable[[UUID], int | None] | None = None
    ) -> None:
        self._location = location
        self._elsewhere = elsewhere
        self._conn: sqlite3.Connection | None = None
        self._query = (
            f"SELECT MAX(originator_version) FROM {location.events_table} "  # noqa: S608
            "WHERE originator_id = ?"
        )

    def last(self, aggregate_id: UUID) -> int | None:
        if self._location.backend != "sqlite":
            return None if self._elsewhere is None else self._elsewhere(aggregate_id)
        if self._conn is None:
            # Opened on first use, when the store exists; only used under the command lock.
            self._conn = sqlite3.connect(
                self._location.events_file, isolation_level=None, check_same_thread=False
            )
        row = self._conn.execute(self._query, (aggregate_id.hex,)).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
