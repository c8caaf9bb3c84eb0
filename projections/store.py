"""Where the views live: tables next to the library's tracking table, in one store per municipality.

The view tables are created by subclasses of the library's tracking recorders, so a page of view
changes and its tracking position are written in one transaction (exactly once): a repeated
position is refused by the tracking table, and the whole page rolls back.
"""

import sqlite3
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    InternalError,
    Tracking,
)
from psycopg.rows import tuple_row

from events.store import LEDGER_NAME, LogLocation
from projections import counts, recorders, search, writes
from projections.connections import PerThread, immediate_sqlite, prepare_writer
from projections.fold import Doc
from projections.statements import Cursor
from projections.tables import Row, ViewTables

__all__ = ["SEARCHED", "VIEWS_VERSION", "Cursor", "Row", "ViewStore", "ViewTables"]

TRACKED_LOG = LEDGER_NAME
# The shape of the view tables and documents. Raise it whenever the fold or the tables change:
# a store holding views of another version drops them and the next catch-up rebuilds from the log.
# Version 4: no copy of the log in the views (history and time travel read the log itself).
# Version 5: the points view's rows, term changes, which decisions name an advice, answer dates.
# Version 6: each point's outcome now in its points view row, and the counts per outcome too.
# Version 7: the due date in force after every term change in each points view row, the
# unanswered points counted per body and that date, and the horizon of answers and term changes.
VIEWS_VERSION = 7

SEARCHED = ("advice", "decision")  # the kinds of document that make points findable


class ViewStore:
    """Reads and writes the view tables of one municipality."""

    def __init__(self, location: LogLocation) -> None:
        self.location = location
        self.tables = ViewTables(location)
        self._bulk = False  # a rebuild is loading: no search index upkeep, a larger cache
        self._readers: PerThread[Any] = PerThread(self._open_reader)
        with recorders.schema_prepared(location):
            factory = InfrastructureFactory.construct(recorders.environment(location))
            self.factory = factory
            recorder_class = recorders.recorder_class(location, self.tables)
            for attempt in range(3):
                try:
                    self.recorder: Any = factory.tracking_recorder(recorder_class)
                    break
                except (IntegrityError, InternalError):
                    # Another process created the tables at the same moment and wrote the
                    # library's migration marker first (or PostgreSQL's catalog row: "tuple
                    # concurrently updated"); the tables are there, so opening again succeeds.
                    if attempt == 2:
                        raise
        # After the DDL lock: dropping views of another version takes the projector's own lock.
        self._check_version()

    def close(self) -> None:
        self._readers.close()
        self.factory.close()

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Cursor]:
        datastore = self.recorder.datastore
        if self.location.backend == "sqlite":
            with datastore.get_connection(commit=commit) as conn:
                if commit:
                    prepare_writer(conn, self._bulk, self.location.rebuilding)
                with conn.transaction(commit=commit) as cursor:
                    if commit:
                        # Take the write lock first (waiting for it), so another process's
                        # projector that committed meanwhile is seen, not met as a stale
                        # snapshot ("locked").
                        cursor.execute(self.tables.sql("UPDATE {meta} SET value = value WHERE 0"))
                    yield cursor
            return
        with datastore.get_connection() as conn, conn.transaction(force_rollback=not commit):
            if commit:
                # One projector per municipality at a time, across processes and servers.
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))", (self.location.views_schema,)
                )
                # As on SQLite: a commit lost in a server crash takes its tracking position with
                # it, so the views need not wait for the WAL flush.
                conn.execute("SET LOCAL synchronous_commit TO OFF")
            yield conn.cursor(row_factory=tuple_row)

    def tracked_position(self, cursor: Cursor) -> int:
        cursor.execute(
            self.tables.sql("SELECT notification_id FROM {tracking} WHERE application_name = ?"),
            (TRACKED_LOG,),
        )
        row = cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def position(self) -> int:
        rows = self.query(
            "SELECT notification_id FROM {tracking} WHERE application_name = ?", [TRACKED_LOG]
        )
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    def write_page(
        self,
        cursor: Cursor,
        docs: Sequence[Doc],
        position: int,
        fresh: Collection[str] = (),
        stored: Mapping[str, bytes] | None = None,
    ) -> None:
        """One page of the log: the documents it changed, each once (with what their points are
        found by and their rows in the public list), and the new position. Documents in `fresh`
        are new: they have no rows yet, so there is nothing of theirs to replace. `stored`: the
        others as the views held them before the page, when the caller has them at hand (else
        they are read here; a rebuild needs none: it replaces rows whole)."""
        searched = [d for d in docs if d["kind"] in SEARCHED]
        older = [(d["id"],) for d in searched if d["id"] not in fresh]
        before = None
        if not self._bulk:
            ids = [i for (i,) in older]
            if stored is None or not all(i in stored for i in ids):
                stored = dict(self.load_docs(cursor, ids))  # before the upsert below
            before = [orjson.loads(stored[i]) for i in ids if i in stored]
        cursor.executemany(
            self.tables.sql(
                "INSERT INTO {docs} VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
                "SET position = excluded.position, body_id = excluded.body_id, doc = excluded.doc"
            ),
            # Generators here and below: each row is encoded as it is inserted, so a rebuild's
            # large page never holds all its encoded rows at once.
            ((d["id"], d["kind"], d["position"], d.get("body_id"), orjson.dumps(d)) for d in docs),
        )
        writes.replace_search_rows(self.tables, cursor, searched, older, before)
        writes.replace_list_rows(self.tables, cursor, searched, older, before)
        writes.replace_point_rows(self.tables, cursor, searched, older, before)
        try:
            self.recorder._insert_tracking(cursor, Tracking(TRACKED_LOG, position))
        except (sqlite3.IntegrityError, psycopg.IntegrityError) as error:
            raise IntegrityError(error) from error

    def search(self, query: str) -> set[search.Found]:
        """The points a Dutch full-text query finds, from the index."""
        if self.location.backend == "sqlite":
            match = search.fts_query(query)
            if match is None:
                return set()
            rows = self.query(
                "SELECT p.advice_id, p.point FROM view_search_v2 s "
                "JOIN {points} p ON p.id = s.rowid WHERE view_search_v2 MATCH ?",
                [match],
            )
        else:
            rows = self.query(
                "SELECT advice_id, point FROM {points} WHERE words @@ plainto_tsquery('dutch', ?)",
                [query],
            )
        return {(str(advice_id), int(point)) for advice_id, point in rows}

    def load_docs(self, cursor: Cursor, ids: Sequence[str]) -> list[tuple[str, bytes]]:
        found: list[tuple[str, bytes]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cursor.execute(
                # Only "?" marks are interpolated; the ids travel as parameters.
                self.tables.sql(f"SELECT id, doc FROM {{docs}} WHERE id IN ({marks})"),  # noqa: S608
                chunk,
            )
            found.extend((row[0], bytes(row[1])) for row in cursor.fetchall())
        return found

    def query(self, text: str, params: Sequence[Any] = ()) -> list[Row]:
        """A read on this thread's own read connection: queries need no pool, nor a transaction
        of more than one statement (each sees one committed state)."""
        statement = self.tables.sql(text)
        reader = self._readers.get()
        try:
            return [tuple(row) for row in reader.execute(statement, params).fetchall()]
        except (sqlite3.Error, psycopg.Error):
            self._readers.discard()
            raise

    def _open_reader(self) -> Any:
        if self.location.backend == "sqlite":
            uri = f"file:{self.location.views_file}?mode=ro"
            return sqlite3.connect(uri, uri=True, timeout=10, check_same_thread=False)
        assert self.location.server is not None
        return psycopg.connect(self.location.server.conninfo(), autocommit=True)

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """A rebuild loading these (new, apart) views: without the query indexes and the search
        index for a while, then with each built in one pass at the end.

        Keeping them current row by row made up about 40 % of a rebuild's writes. Queries give
        the same answers without them, only slower; a process that stops in between gets them
        back from the create statements the next time a view store opens (and a rebuild that
        stops is discarded whole, swap.py).
        """
        with self.transaction(commit=True) as cursor:
            for statement in self.tables.drop_index_statements():
                cursor.execute(statement)
        # Views apart on SQLite are written without a journal: every page went into the WAL and
        # again into the file at the checkpoint, and a rebuild that fails is discarded whole.
        unjournaled = self.location.backend == "sqlite" and self.location.rebuilding
        if unjournaled:
            self._journal("OFF")
        self._bulk = True
        try:
            yield
        finally:
            self._bulk = False
        with self.transaction(commit=True) as cursor:
            if self.location.backend == "sqlite":
                # One pass over {points}: the FTS5 index of every stem, built from scratch.
                cursor.execute("INSERT INTO view_search_v2 (view_search_v2) VALUES ('rebuild')")
            # Every point's outcome with the answers' index back, and before the points view's
            # indexes are built: the update rewrites every row, and would move their entries.
            cursor.execute(self.tables.answers_index_statement())
            counts.all_outcomes(self.tables, cursor)
            for statement in self.tables.create_statements():
                cursor.execute(statement)
        if unjournaled:
            self._journal("WAL")  # as every views file is, before it is copied into place

    def _journal(self, mode: str) -> None:
        """Switch the SQLite journal mode (`OFF` or `WAL`: fixed words, never input); leaving
        WAL needs the only connection, so the read connections are closed first."""
        self._readers.close()
        with self.recorder.datastore.get_connection(commit=False) as conn:
            cursor = conn.cursor()
            cursor.execute(f"PRAGMA journal_mode = {mode}")
            found = cursor.fetchone()[0]
        if str(found).upper() != mode:
            msg = (
                f"SQLite kon de journal-modus van {self.location.views_file} niet op {mode} zetten"
            )
            raise RuntimeError(msg)

    def reset(self) -> None:
        """Drop every view and the tracking position; the next catch-up rebuilds from the log."""
        with self.transaction(commit=True) as cursor:
            self._empty(cursor)

    def _empty(self, cursor: Cursor) -> None:
        for table in self.tables.views:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table names
        if self.location.backend == "sqlite":
            cursor.execute("INSERT INTO view_search_v2 (view_search_v2) VALUES ('delete-all')")
        cursor.execute(
            self.tables.sql("DELETE FROM {tracking} WHERE application_name = ?"), (TRACKED_LOG,)
        )

    def _check_version(self) -> None:
        """Views of another version (an older fold) are dropped, to be rebuilt from the log."""
        found = self.query("SELECT value FROM {meta} WHERE name = ?", ["version"])
        if found and found[0][0] == str(VIEWS_VERSION):
            return
        with self._exclusive() as cursor:
            for table in self.tables.old:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            self._empty(cursor)
            cursor.execute(
                self.tables.sql(
                    "INSERT INTO {meta} VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
                    "SET value = excluded.value"
                ),
                ("version", str(VIEWS_VERSION)),
            )

    @contextmanager
    def _exclusive(self) -> Iterator[Cursor]:
        """A write transaction that holds the write lock from its start (connections.py)."""
        if self.location.backend != "sqlite":
            with self.transaction(commit=True) as cursor:
                yield cursor
            return
        with immediate_sqlite(self.location.views_file) as cursor:
            yield cursor
