"""Where the views live: tables next to the library's tracking table, in one store per municipality.

The view tables are created by subclasses of the library's tracking recorders, so a page of view
changes and its tracking position are written in one transaction (exactly once): a repeated
position is refused by the tracking table, and the whole page rolls back.
"""

import contextlib
import sqlite3
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import orjson
import psycopg
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    InternalError,
    Tracking,
    TrackingRecorder,
)
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import Environment
from psycopg.rows import tuple_row
from psycopg.sql import SQL

from events.store import LEDGER_NAME, LogLocation, library_settings
from projections import search
from projections.connections import PerThread
from projections.fold import Doc

TRACKED_LOG = LEDGER_NAME
VIEWS_NAME = "views"
# The shape of the view tables and documents. Raise it whenever the fold or the tables change:
# a store holding views of another version drops them and the next catch-up rebuilds from the log.
# Version 4: no copy of the log in the views (history and time travel read the log itself).
VIEWS_VERSION = 4

# Placeholders: {docs} {points} {tracking} {meta} {listed} {answers} are table names, `?` a
# parameter.
_TABLES = (
    "CREATE TABLE IF NOT EXISTS {meta} (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {docs} (id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
    "position BIGINT NOT NULL, body_id TEXT, doc {blob} NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {docs_index} ON {docs} (kind, body_id)",
    # What a point is found by (projections/search.py), one row per point and document that
    # contributes text to it (its advice; a decision's deviation). `text` is what the engine
    # indexes: Dutch stems on SQLite (FTS5 below), the text itself on PostgreSQL (dutch tsvector).
    "CREATE TABLE IF NOT EXISTS {points} (id {serial}, doc_id TEXT NOT NULL, "
    "advice_id TEXT NOT NULL, point INTEGER NOT NULL, text TEXT NOT NULL)",
    # Not deferred during a rebuild: a document written by an earlier page and changed again has
    # its rows replaced, found by this index.
    "CREATE INDEX IF NOT EXISTS {points_index} ON {points} (doc_id)",
    # The public list, paged and filtered in SQL (api/pages): one row per advice, and one per
    # answer of a point (position 0: the point itself, unanswered), so a point's outcome is the
    # outcome of its row with the highest position (projections/public.py).
    "CREATE TABLE IF NOT EXISTS {listed} (id TEXT PRIMARY KEY, body_id TEXT NOT NULL, "
    "submitted_on TEXT NOT NULL, year INTEGER NOT NULL, created_at TEXT NOT NULL, "
    "withdrawn INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {listed_index} ON {listed} (submitted_on, created_at)",
    "CREATE TABLE IF NOT EXISTS {answers} (doc_id TEXT NOT NULL, advice_id TEXT NOT NULL, "
    "point INTEGER NOT NULL, position BIGINT NOT NULL, outcome TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {answers_index} ON {answers} (advice_id, point, position)",
    "CREATE INDEX IF NOT EXISTS {answers_doc_index} ON {answers} (doc_id)",
)
# The FTS5 index of the stems in {points} (external content: it stores no copy). write_page keeps
# it current, except during a rebuild, which builds it in one pass at the end (`bulk_load`); no
# triggers, as creating one takes the write lock even when it exists already.
_SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS view_search_v2 USING fts5(text, content='view_points_v2', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
)
_POSTGRES_SEARCH = (
    "ALTER TABLE {points} ADD COLUMN IF NOT EXISTS words tsvector "
    "GENERATED ALWAYS AS (to_tsvector('dutch', text)) STORED",
    "CREATE INDEX IF NOT EXISTS {search_index} ON {points} USING GIN (words)",
)
# The secondary indexes, which only queries use: a rebuild builds them once at the end.
_INDEXES = {
    "docs_index": "view_docs_kind_v2",
    "listed_index": "view_listed_order_v3",
    "answers_index": "view_answers_point_v3",
}
# The search index on PostgreSQL, also built once at the end of a rebuild.
_POSTGRES_SEARCH_INDEX = "views_points_words_v2"
# Tables of earlier versions, dropped when a store moves to this one (`events_v2`: the copy of
# the log the views held up to version 3).
_OLD_TABLES = ("docs", "events", "events_v2")

Row = tuple[Any, ...]
SEARCHED = ("advice", "decision")  # the kinds of document that make points findable


def _answer_rows(doc: Doc) -> Iterator[Row]:
    """(document, advice, point, position, outcome): every point of an advice (position 0,
    pending) and every answer its responses and a decision's deviations gave."""
    if doc["kind"] == "decision":
        for d in doc["deviations"]:
            yield doc["id"], d["advice_id"], d["point"], doc["position"], d["outcome"]
        return
    for point in doc["points"]:
        yield doc["id"], doc["id"], point["number"], 0, "pending"
        for r in point["responses"]:
            yield doc["id"], doc["id"], point["number"], r["position"], r["outcome"]


def _listed_row(doc: Doc) -> Row:
    """An advice's row in the public list: id, body, date, year, moment, withdrawn."""
    return (
        doc["id"],
        doc["body_id"],
        doc["submitted_on"],
        int(doc["submitted_on"][:4]),
        doc["created_at"],
        int(doc["withdrawal"] is not None),
    )


# The rows documents have, for a catch-up that writes only what changed (`{marks}`: the ids).
_POINTS_OF = "SELECT id, doc_id, advice_id, point, text FROM {points} WHERE doc_id IN ({marks})"
_LISTED_OF = "SELECT * FROM {listed} WHERE id IN ({marks})"
_ANSWERS_OF = (
    "SELECT doc_id, advice_id, point, position, outcome FROM {answers} WHERE doc_id IN ({marks})"
)


class Cursor(Protocol):
    def execute(self, query: Any, params: Any = ..., /) -> Any: ...
    def executemany(self, query: Any, params_seq: Any, /) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...


class ViewTables:
    """SQL for the view tables, written once with `?` and adapted per backend."""

    def __init__(self, location: LogLocation) -> None:
        self.backend = location.backend
        # PostgreSQL keeps an index in its table's schema, so dropping one names the schema.
        self.index_schema = "" if location.backend == "sqlite" else f'"{location.views_schema}".'
        if location.backend == "sqlite":
            self.names = {
                "docs": "view_docs_v2",
                "points": "view_points_v2",
                "meta": "view_meta",
                "tracking": "tracking",
                "listed": "view_listed_v3",
                "answers": "view_answers_v3",
            }
            self.old = [f"view_{name}" for name in _OLD_TABLES]
            self.blob = "BLOB"
            self.serial = "INTEGER PRIMARY KEY"
        else:
            schema = location.views_schema  # from a checked slug: letters, digits, underscores
            self.names = {
                "docs": f'"{schema}"."views_docs_v2"',
                "points": f'"{schema}"."views_points_v2"',
                "meta": f'"{schema}"."views_meta"',
                "tracking": f'"{schema}"."views_tracking"',
                "listed": f'"{schema}"."views_listed_v3"',
                "answers": f'"{schema}"."views_answers_v3"',
            }
            self.old = [f'"{schema}"."views_{name}"' for name in _OLD_TABLES]
            self.blob = "BYTEA"
            self.serial = "BIGSERIAL PRIMARY KEY"

    def sql(self, text: str) -> str:
        filled = text.format(
            blob=self.blob,
            serial=self.serial,
            points_index="view_points_doc_v2",
            answers_doc_index="view_answers_doc_v3",
            search_index=_POSTGRES_SEARCH_INDEX,
            **_INDEXES,
            **self.names,
        )
        return filled if self.backend == "sqlite" else filled.replace("?", "%s")

    def create_statements(self) -> list[str]:
        search = _SQLITE_SEARCH if self.backend == "sqlite" else _POSTGRES_SEARCH
        return [self.sql(statement) for statement in (*_TABLES, *search)]

    def drop_index_statements(self) -> list[str]:
        names = list(_INDEXES.values())
        if self.backend != "sqlite":
            names.append(_POSTGRES_SEARCH_INDEX)
        return [f"DROP INDEX IF EXISTS {self.index_schema}{name}" for name in names]


class SQLiteViewRecorder(SQLiteTrackingRecorder):
    """The library's SQLite tracking table, plus the view tables in the same file."""

    view_tables: ViewTables

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.view_tables.create_statements()]


class PostgresViewRecorder(PostgresTrackingRecorder):
    """The library's PostgreSQL tracking table, plus the view tables in the same schema."""

    view_tables: ViewTables

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.extend(
            SQL(s).format() for s in self.view_tables.create_statements()
        )


def _recorder_class(location: LogLocation, tables: ViewTables) -> type[TrackingRecorder]:
    base: type[Any] = SQLiteViewRecorder if location.backend == "sqlite" else PostgresViewRecorder
    return type(base.__name__, (base,), {"view_tables": tables})


def _environment(location: LogLocation) -> Environment:
    if location.backend == "sqlite":
        location.views_file.parent.mkdir(parents=True, exist_ok=True)
        return Environment(VIEWS_NAME, library_settings(location, location.views_file))
    return Environment(VIEWS_NAME, library_settings(location, schema=location.views_schema))


@contextmanager
def _schema_prepared(location: LogLocation) -> Iterator[None]:
    """Hold the municipality's projector lock while its view tables are created or checked.

    Several servers opening the views of one municipality at once ran their DDL (create, add
    column, create index) side by side and deadlocked on the tables' locks. The session lock
    here is the same key as the projector's transaction lock (`transaction`), so DDL and
    projection take turns. A municipality without a ledger yet still gets its schema, so reads
    can answer.
    """
    if location.backend != "postgresql":
        yield
        return
    assert location.server is not None
    with psycopg.connect(location.server.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (location.views_schema,))
        try:
            # Another process may create it at the same moment.
            with contextlib.suppress(psycopg.errors.UniqueViolation):
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{location.views_schema}"')
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (location.views_schema,))


class ViewStore:
    """Reads and writes the view tables of one municipality."""

    def __init__(self, location: LogLocation) -> None:
        self.location = location
        self.tables = ViewTables(location)
        self._bulk = False  # a rebuild is loading: no search index upkeep, a larger cache
        self._readers: PerThread[Any] = PerThread(self._open_reader)
        with _schema_prepared(location):
            factory = InfrastructureFactory.construct(_environment(location))
            self.factory = factory
            recorder_class = _recorder_class(location, self.tables)
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
                    # The views hold nothing the log does not, and a page's rows commit with its
                    # tracking position: a commit lost to a power cut takes both back, and the
                    # next catch-up does it again. So no fsync per commit (WAL with NORMAL keeps
                    # the file consistent): it was most of a one-event catch-up. Set before the
                    # transaction begins, as SQLite requires.
                    conn.cursor().execute("PRAGMA synchronous = NORMAL")
                with conn.transaction(commit=commit) as cursor:
                    if commit:
                        self._sqlite_write_prelude(cursor)
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

    def _sqlite_write_prelude(self, cursor: Cursor) -> None:
        # Debian and others build SQLite with SECURE_DELETE, which overwrites every freed page
        # with zeros: a rebuild's reset then wrote the whole old views file again, twice (WAL
        # and checkpoint). The views repeat what the log keeps anyway, so zero freed content only
        # where that costs no extra I/O.
        cursor.execute("PRAGMA secure_delete = FAST")
        if self._bulk:
            # A rebuild's pages touch the same index pages again and again: a larger page cache
            # (16 MiB, not SQLite's 2) writes each fewer times; 64 MiB wrote a quarter less but
            # took the peak RSS at 1,000,000 events over 300 MB (docs/performance.md).
            cursor.execute("PRAGMA cache_size = -16384")
        # Take the write lock first (waiting for it), so another process's projector that
        # committed meanwhile is seen, not met as a stale snapshot ("locked").
        cursor.execute(self.tables.sql("UPDATE {meta} SET value = value WHERE 0"))

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
    ) -> None:
        """One page of the log: the documents it changed, each once (with what their points are
        found by and their rows in the public list), and the new position. Documents in `fresh`
        are new: they have no rows yet, so there is nothing of theirs to replace."""
        cursor.executemany(
            self.tables.sql(
                "INSERT INTO {docs} VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
                "SET position = excluded.position, body_id = excluded.body_id, doc = excluded.doc"
            ),
            # Generators here and below: each row is encoded as it is inserted, so a rebuild's
            # large page never holds all its encoded rows at once.
            ((d["id"], d["kind"], d["position"], d.get("body_id"), orjson.dumps(d)) for d in docs),
        )
        searched = [d for d in docs if d["kind"] in SEARCHED]
        older = [(d["id"],) for d in searched if d["id"] not in fresh]
        self._replace_search_rows(cursor, searched, older)
        self._replace_list_rows(cursor, searched, older)
        try:
            self.recorder._insert_tracking(cursor, Tracking(TRACKED_LOG, position))
        except (sqlite3.IntegrityError, psycopg.IntegrityError) as error:
            raise IntegrityError(error) from error

    def _replace_search_rows(self, cursor: Cursor, docs: Sequence[Doc], older: list[Row]) -> None:
        """The search rows of these documents, replaced (`older`: the ids that have rows)."""
        insert = self.tables.sql(
            "INSERT INTO {points} (doc_id, advice_id, point, text) VALUES (?, ?, ?, ?)"
        )
        if self._bulk:
            # A rebuild: the FTS5 index is left alone (`bulk_load` builds it once at the end),
            # and a document written by an earlier page has its rows replaced whole.
            cursor.executemany(self.tables.sql("DELETE FROM {points} WHERE doc_id = ?"), older)
            cursor.executemany(insert, (row for doc in docs for row in self._search_rows(doc)))
            return
        # A catch-up changes a point or two of a document: only rows whose text changed are
        # replaced, in the table and in the FTS5 index (a response used to rewrite them all).
        wanted = Counter(row for doc in docs for row in self._search_rows(doc))
        stale: list[tuple[int, str]] = []
        for found in self._rows_of(cursor, _POINTS_OF, [i for (i,) in older]):
            key = tuple(found[1:])
            if wanted[key] > 0:
                wanted[key] -= 1  # unchanged: kept as it is
            else:
                stale.append((found[0], key[3]))
        added = list(wanted.elements())
        sqlite = self.location.backend == "sqlite"
        if sqlite:
            cursor.executemany(
                "INSERT INTO view_search_v2 (view_search_v2, rowid, text) VALUES ('delete', ?, ?)",
                stale,
            )
        cursor.executemany(
            self.tables.sql("DELETE FROM {points} WHERE id = ?"), [(i,) for i, _ in stale]
        )
        if not sqlite:
            cursor.executemany(insert, added)
            return
        indexed = []
        for row in added:
            cursor.execute(insert + " RETURNING id", row)
            indexed.append((cursor.fetchone()[0], row[3]))
        cursor.executemany("INSERT INTO view_search_v2 (rowid, text) VALUES (?, ?)", indexed)

    def _replace_list_rows(self, cursor: Cursor, docs: Sequence[Doc], older: list[Row]) -> None:
        """The public list's rows of these advice and decision documents, replaced (`older`:
        the ids that have rows)."""
        listed = [_listed_row(doc) for doc in docs if doc["kind"] == "advice"]
        answers = [row for doc in docs for row in _answer_rows(doc)]
        insert_listed = self.tables.sql("INSERT INTO {listed} VALUES (?, ?, ?, ?, ?, ?)")
        insert_answers = self.tables.sql("INSERT INTO {answers} VALUES (?, ?, ?, ?, ?)")
        if self._bulk or not older:
            cursor.executemany(self.tables.sql("DELETE FROM {listed} WHERE id = ?"), older)
            cursor.executemany(insert_listed, listed)
            cursor.executemany(self.tables.sql("DELETE FROM {answers} WHERE doc_id = ?"), older)
            cursor.executemany(insert_answers, answers)
            return
        # A catch-up: an answer adds a row or two to a document's; only the changes are written.
        ids = [i for (i,) in older]
        have = {row[0]: row for row in self._rows_of(cursor, _LISTED_OF, ids)}
        changed = [row for row in listed if have.get(row[0]) != row]
        cursor.executemany(
            self.tables.sql("DELETE FROM {listed} WHERE id = ?"),
            [(row[0],) for row in changed if row[0] in have],
        )
        cursor.executemany(insert_listed, changed)
        wanted = Counter(answers)
        stale = []
        for row in self._rows_of(cursor, _ANSWERS_OF, ids):
            if wanted[row] > 0:
                wanted[row] -= 1  # unchanged: kept as it is
            else:
                stale.append(row)
        cursor.executemany(
            self.tables.sql(
                "DELETE FROM {answers} WHERE doc_id = ? AND advice_id = ? AND point = ? "
                "AND position = ? AND outcome = ?"
            ),
            stale,
        )
        cursor.executemany(insert_answers, list(wanted.elements()))

    def _rows_of(self, cursor: Cursor, select: str, ids: Sequence[str]) -> list[Row]:
        """The rows a `select` (with `{marks}` for the ids) finds for these documents."""
        found: list[Row] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            # Only "?" marks are interpolated; the ids travel as parameters.
            cursor.execute(
                self.tables.sql(select.replace("{marks}", ",".join("?" * len(chunk)))), chunk
            )
            found.extend(tuple(row) for row in cursor.fetchall())
        return found

    def _search_rows(self, doc: Doc) -> Iterator[Row]:
        stemmed = self.location.backend == "sqlite"
        if doc["kind"] == "advice":
            for number, parts in search.advice_parts(doc):
                text = search.stemmed_parts(parts) if stemmed else "\n".join(parts)
                yield doc["id"], doc["id"], number, text
            return
        for advice_id, number, text in search.decision_texts(doc):
            yield doc["id"], advice_id, number, search.stemmed(text) if stemmed else text

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
        self._bulk = True
        try:
            yield
        finally:
            self._bulk = False
        with self.transaction(commit=True) as cursor:
            if self.location.backend == "sqlite":
                # One pass over {points}: the FTS5 index of every stem, built from scratch.
                cursor.execute("INSERT INTO view_search_v2 (view_search_v2) VALUES ('rebuild')")
            for statement in self.tables.create_statements():
                cursor.execute(statement)

    def reset(self) -> None:
        """Drop every view and the tracking position; the next catch-up rebuilds from the log."""
        with self.transaction(commit=True) as cursor:
            self._empty(cursor)

    def _empty(self, cursor: Cursor) -> None:
        for statement in (
            "DELETE FROM {docs}",
            "DELETE FROM {points}",
            "DELETE FROM {listed}",
            "DELETE FROM {answers}",
        ):
            cursor.execute(self.tables.sql(statement))
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
        """A write transaction that holds the write lock from its start. On SQLite another
        process's view store may be writing: a transaction that began by reading could not take
        the lock later, so this one takes it first (waiting its turn)."""
        if self.location.backend != "sqlite":
            with self.transaction(commit=True) as cursor:
                yield cursor
            return
        conn = sqlite3.connect(self.location.views_file, timeout=10, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn.cursor()
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()
