"""A PostgreSQL commit of one command in one round trip, when the tree the last commit left is
known (ledger/recorder_postgres.py).

The usual transaction takes three round trips: `BEGIN` with the lock, the `NOTIFY` and the read of
the last event; the events with their nodes; `COMMIT`. The read is only needed to number the
events and move their moments on, and the recorder's `Frontier` (ledger/tree.py) already knows
the last event as its last commit left it. So a command alone in its batch, with the frontier
known, is sent as ONE simple-protocol query holding the whole transaction:

    BEGIN; SET LOCAL lock_timeout …; LOCK TABLE events IN EXCLUSIVE MODE; NOTIFY …;
    SELECT 1 / CASE WHEN <last position> IS DISTINCT FROM <frontier size> THEN 0 ELSE 1 END …;
    WITH events AS (INSERT INTO events …) INSERT INTO merkle_nodes …;
    [INSERT INTO idempotency_keys …;] COMMIT

Under the lock, the guard fails the transaction (division by zero) unless the log's last position
is still the frontier's size, so the positions stay dense and the leaves right; then nothing was
written, and the recorder writes the command the usual way, reading the last event. A version
conflict, or a key already stored (a plain INSERT here: its unique violation fails the
transaction), rolls back the whole transaction, which held only this command, and is that
command's outcome, as in the usual way.

The simple protocol takes no parameters: the values are written into the text as literals, every
one of a form that cannot end its literal: integers, UUIDs as their canonical text, bytes as hex
(`decode('…', 'hex')`), and text (the event's topic, the key's scope and hash, which come from the
request) quoted by libpq's own `PQescapeLiteral`.

The group commits write on a connection of their own (`WriteConnection`), made as the library's
pool makes its connections and kept, not checked out of the pool per batch: one batch writes at a
time. It does not count against the pool's size; a connection that failed is closed, and the next
batch (the recorder's retry, too) opens a new one.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing import persistence
from psycopg import pq

from ledger.log_sql import LogTables
from ledger.recorders import Command
from ledger.tree import NewNodes


class OneTrip:
    """The text of a command's whole transaction, for one recorder's tables."""

    def __init__(self, tables: LogTables, keys: str, begin: str) -> None:
        self._tables = tables
        self._keys = keys
        # The usual transaction's start without its read of the last event.
        self._begin = begin
        # The divisor is the log's last position compared, not a constant: PostgreSQL folds a
        # constant `1 / 0` when it plans the query, whichever branch runs.
        self._guard = (
            "SELECT 1 / CASE WHEN last IS DISTINCT FROM {} THEN 0 ELSE 1 END FROM (SELECT "  # noqa: S608
            f"MAX(notification_id) AS last FROM {tables.events}) AS log"
        )
        self._topics: dict[str, str] = {}

    def text(
        self,
        conn: psycopg.Connection[Any],
        command: Command,
        after: int,
        states: Sequence[bytes],
        nodes: NewNodes,
    ) -> str:
        """The transaction storing `command` at positions `after` + 1, … with `states`."""
        escaping = _Quoting(pq.Escaping(conn.pgconn), conn.info.encoding)
        rows = ", ".join(
            f"('{_uuid(e.originator_id)}', {int(e.originator_version)}, "
            f"{self._topic(escaping, e.topic)}, decode('{state.hex()}', 'hex'), {position})"
            for position, (e, state) in enumerate(
                zip(command.events, states, strict=True), after + 1
            )
        )
        insert = (
            f"INSERT INTO {self._tables.events} "  # noqa: S608 (literals as above)
            f"(originator_id, originator_version, topic, state, notification_id) VALUES {rows}"
        )
        if nodes:
            values = ", ".join(
                f"({(idx + 1) << level}, {level}, decode('{value.hex()}', 'hex'))"
                for (level, idx), value in nodes
            )
            insert = (
                f"WITH events AS ({insert}) INSERT INTO {self._tables.nodes} "  # noqa: S608
                f"(tree_size, level, hash) VALUES {values}"
            )
        parts = [self._begin, self._guard.format(after), insert]
        key = command.key
        if key is not None:
            scope = _literal(escaping, key.scope)
            request_hash = _literal(escaping, key.request_hash)
            parts.append(
                f"INSERT INTO {self._keys} (scope, request_hash, position) "  # noqa: S608
                f"VALUES ({scope}, {request_hash}, {after + len(states)})"
            )
        parts.append("COMMIT")
        return "; ".join(parts)

    def _topic(self, escaping: "_Quoting", topic: str) -> str:
        literal = self._topics.get(topic)
        if literal is None:
            literal = self._topics[topic] = _literal(escaping, topic)
        return literal


# psycopg's errors as the library's `get_connection` translates them, most specific first.
_TRANSLATED: tuple[tuple[type[psycopg.Error], type[persistence.PersistenceError]], ...] = (
    (psycopg.InterfaceError, persistence.InterfaceError),
    (psycopg.OperationalError, persistence.OperationalError),
    (psycopg.DataError, persistence.DataError),
    (psycopg.IntegrityError, persistence.IntegrityError),
    (psycopg.InternalError, persistence.InternalError),
    (psycopg.ProgrammingError, persistence.ProgrammingError),
    (psycopg.NotSupportedError, persistence.NotSupportedError),
    (psycopg.DatabaseError, persistence.DatabaseError),
    (psycopg.Error, persistence.PersistenceError),
)


class WriteConnection:
    """The group commits' own connection, from the library's pool's factory (autocommit, its
    row factory and settings), kept between batches."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._conn: psycopg.Connection[Any] | None = None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        conn = self._conn
        if conn is None or conn.closed:
            conn = self._conn = self._pool._connect()
        try:
            yield conn
        except psycopg.Error as error:
            if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
                conn.close()
            raise next(ours for theirs, ours in _TRANSLATED if isinstance(error, theirs))(
                str(error)
            ) from error

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class _Quoting:
    """libpq's quoting of a text literal, in the connection's encoding (that of the query)."""

    def __init__(self, escaping: Any, encoding: str) -> None:
        self.escaping, self.encoding = escaping, encoding


def _literal(quoting: _Quoting, text: str) -> str:
    return bytes(quoting.escaping.escape_literal(text.encode(quoting.encoding))).decode(
        quoting.encoding
    )


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
