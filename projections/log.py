"""The one place where a municipality's event log is read: raw rows in pages, decoded by orjson."""

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
import psycopg
from psycopg import sql

from events.sealing import MARK_BYTES, revealer
from events.store import LogLocation
from projections.connections import PerThread
from projections.fold import moment
from projections.keys import KeyReader

RawRow = tuple[int, Any, int, str, bytes]

_SQLITE_PAGE = (
    "SELECT rowid, originator_id, originator_version, topic, state "
    "FROM stored_events WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?"
)
# One record's events: the library's primary key (originator_id, originator_version) finds them.
_SQLITE_RECORD = (
    "SELECT rowid, originator_id, originator_version, topic, state "
    "FROM stored_events WHERE originator_id = ? AND rowid <= ? ORDER BY originator_version"
)
_SQLITE_STATE = "SELECT state FROM stored_events WHERE rowid = ?"
# The class name of a topic `module:Class`, in SQL.
_SQLITE_TYPE = "substr(topic, instr(topic, ':') + 1)"
_POSTGRES_TYPE = "substr(topic, strpos(topic, ':') + 1)"


def canonical_id(value: Any) -> str:
    """Record ids as the events write them: SQLite keeps 32 hex digits, PostgreSQL a uuid."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


@dataclass(frozen=True, slots=True)
class LogRow:
    """One stored event as the log holds it: position, record, version, type and plain-JSON data."""

    position: int
    aggregate_id: str
    version: int
    topic: str
    state: dict[str, Any]

    @property
    def type(self) -> str:
        """The event class name, e.g. `ResponseRecorded`."""
        return self.topic.rpartition(":")[2]


class LogReader:
    """Reads one municipality's log in position order, a page at a time, never all at once.

    It keeps a plain read connection per thread and reopens it after an error.
    """

    def __init__(self, location: LogLocation) -> None:
        self.location = location
        self._sqlite: PerThread[sqlite3.Connection] = PerThread(self._open_sqlite)
        self._postgres: PerThread[psycopg.Connection[tuple[Any, ...]]] = PerThread(
            self._open_postgres
        )
        self._log_exists = False
        self._personal_lock = threading.Lock()
        self._personal: KeyReader | None = None

    def read(self, after: int, limit: int, upto: int | None = None) -> list[LogRow]:
        """Rows with position > `after` (and ≤ `upto`), oldest first, at most `limit`; their
        sealed personal texts opened (`[verwijderd]` once forgotten). `raw` gives the bytes."""
        return [
            LogRow(position, canonical_id(aggregate_id), version, topic, self._state(state))
            for position, aggregate_id, version, topic, state in self.raw(after, limit, upto)
        ]

    def _state(self, data: bytes) -> Any:
        state = orjson.loads(data)
        if MARK_BYTES not in data:
            return state
        with self._personal_lock:
            if self._personal is None:
                self._personal = KeyReader(self.location)
            keys = self._personal
        return revealer(keys.keys)(state)

    def pages(self, after: int = 0, page_size: int = 5000) -> Iterator[list[LogRow]]:
        while True:
            page = self.read(after, page_size)
            if not page:
                return
            yield page
            after = page[-1].position

    def raw(self, after: int, limit: int, upto: int | None = None) -> list[RawRow]:
        """Undecoded rows: what a rebuild pays for before any projection work."""
        stop = upto if upto is not None else 2**62
        if self.location.backend == "sqlite":
            return self._query_sqlite(_SQLITE_PAGE, (after, stop, limit))
        rows = self._query_postgres(self._postgres_page(), (after, stop, limit))
        return [(p, i, v, t, bytes(s)) for p, i, v, t, s in rows]

    def of_record(self, aggregate_id: str, upto: int | None = None) -> list[RawRow]:
        """Undecoded rows of one record up to `upto`, oldest first (by the library's key)."""
        stop = upto if upto is not None else 2**62
        try:
            key = UUID(aggregate_id)
        except ValueError:
            return []
        if self.location.backend == "sqlite":
            return self._query_sqlite(_SQLITE_RECORD, (key.hex, stop))
        query = sql.SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {}.{} WHERE originator_id = %s AND notification_id <= %s "
            "ORDER BY originator_version"
        ).format(sql.Identifier(self.location.schema), sql.Identifier(self.location.events_table))
        rows = self._query_postgres(query, (key, stop))
        return [(p, i, v, t, bytes(s)) for p, i, v, t, s in rows]

    def of_types(
        self, types: Sequence[str], upto: int | None = None, newest: int | None = None
    ) -> list[RawRow]:
        """Undecoded rows whose class is one of `types`, up to `upto`: all of them oldest first,
        or (`newest`) at most that many, newest first."""
        stop = upto if upto is not None else 2**62
        if not types:
            return []
        marks = ", ".join(["?"] * len(types))
        order = "DESC LIMIT ?" if newest is not None else "ASC"
        limit = (newest,) if newest is not None else ()
        if self.location.backend == "sqlite":
            # Only "?" marks and constant SQL are interpolated; the types travel as parameters.
            query = (
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "  # noqa: S608
                f"WHERE rowid <= ? AND {_SQLITE_TYPE} IN ({marks}) ORDER BY rowid {order}"
            )
            return self._query_sqlite(query, (stop, *types, *limit))
        composed = sql.SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{} "  # noqa: S608
            f"WHERE notification_id <= %s AND {_POSTGRES_TYPE} IN ({marks.replace('?', '%s')}) "
            f"ORDER BY notification_id {order.replace('?', '%s')}"
        ).format(sql.Identifier(self.location.schema), sql.Identifier(self.location.events_table))
        rows = self._query_postgres(composed, (stop, *types, *limit))
        return [(p, i, v, t, bytes(s)) for p, i, v, t, s in rows]

    def moment_of(self, position: int) -> str | None:
        """The recorded moment of the event at `position` (RFC 3339 UTC, `Z`), None if none."""
        if self.location.backend == "sqlite":
            rows = self._query_sqlite(_SQLITE_STATE, (position,))
        else:
            query = sql.SQL("SELECT state FROM {}.{} WHERE notification_id = %s").format(
                sql.Identifier(self.location.schema), sql.Identifier(self.location.events_table)
            )
            rows = self._query_postgres(query, (position,))
        if not rows:
            return None
        return moment(str(orjson.loads(bytes(rows[0][0]))["timestamp"]))

    def position_at(self, at: str) -> int:
        """The last position recorded at or before moment `at` (RFC 3339 UTC, `Z`), 0 if none.

        Recorded moments rise with positions (docs/design.md: a later position never has an
        earlier moment), so a binary search over positions finds it in about 20 point reads of
        the log's own primary key, with no index on moments.
        """
        low, high = 0, self.last_position()  # moment_of(low) <= at (0: before the log)
        while low < high:
            middle = (low + high + 1) // 2
            found = self.moment_of(middle)
            if found is None:  # a gap (never in a dense log): look below it
                high = middle - 1
            elif found <= at:
                low = middle
            else:
                high = middle - 1
        return low

    def last_position(self) -> int:
        if self.location.backend == "sqlite":
            rows = self._query_sqlite("SELECT MAX(rowid) FROM stored_events", ())
        else:
            query = sql.SQL("SELECT MAX(notification_id) FROM {}.{}").format(
                sql.Identifier(self.location.schema), sql.Identifier(self.location.events_table)
            )
            rows = self._query_postgres(query, ())
        return int(rows[0][0] or 0) if rows else 0

    def close(self) -> None:
        self._sqlite.close()
        self._postgres.close()
        with self._personal_lock:
            if self._personal is not None:
                self._personal.close()
            self._personal = None

    def _open_sqlite(self) -> sqlite3.Connection:
        uri = f"file:{self.location.events_file}?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=10, check_same_thread=False)

    def _open_postgres(self) -> psycopg.Connection[tuple[Any, ...]]:
        assert self.location.server is not None
        return psycopg.connect(self.location.server.conninfo(), autocommit=True)

    def _query_sqlite(self, query: str, params: tuple[Any, ...]) -> list[Any]:
        if not self._log_exists:
            if not self.location.events_file.exists():
                return []  # no log yet: nothing recorded (a read-only open would fail)
            self._log_exists = True
        try:
            return self._sqlite.get().execute(query, params).fetchall()
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return []
            self._sqlite.discard()
            raise

    def _query_postgres(self, query: sql.Composed | str, params: tuple[Any, ...]) -> list[Any]:
        try:
            return self._postgres.get().execute(query, params).fetchall()
        except psycopg.errors.UndefinedTable:
            return []
        except psycopg.Error:
            self._postgres.discard()
            raise

    def _postgres_page(self) -> sql.Composed:
        return sql.SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {}.{} WHERE notification_id > %s AND notification_id <= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(sql.Identifier(self.location.schema), sql.Identifier(self.location.events_table))
