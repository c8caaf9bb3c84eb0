"""Views rebuilt apart and put in place whole: a rebuild that fails leaves the old views serving.

A rebuild writes into views of their own (`LogLocation(rebuilding=True)`: another SQLite file,
another PostgreSQL schema). Only when it finished do they replace the current views:
- SQLite: the online backup API copies the new file into the current one in one step, under
  SQLite's own locks, so running servers keep their connections and see either the old views or
  the new ones, never half; a current file too damaged to take a backup is replaced instead.
- PostgreSQL: in one transaction the current view tables are dropped and the new ones moved into
  the municipality's schema; readers see the old tables until the commit.
"""

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial

import psycopg
from psycopg import sql

from events.store import LogLocation

# SQLite's result codes for a file that is not, or no longer, a database.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


# How often a process waiting to build views apart looks whether the other builder is done.
_POLL = 0.05


def apart(location: LogLocation) -> LogLocation:
    """Where views being rebuilt live until they replace the current ones."""
    return replace(location, rebuilding=True)


def is_damaged(error: BaseException) -> bool:
    """Whether an error says a SQLite file is damaged (not a database, or malformed)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, sqlite3.DatabaseError) and getattr(seen, "sqlite_errorcode", None) in (
            _SQLITE_CORRUPT,
            _SQLITE_NOTADB,
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@contextlib.contextmanager
def building(location: LogLocation, timeout: float = -1) -> Iterator[None]:
    """The right to build the views of `location` apart: one builder per municipality across
    processes and servers (they would share the place apart). Waits for another builder (up to
    `timeout` seconds; -1: as long as it takes); raises TimeoutError, in Dutch, when it gives up.
    SQLite: an exclusive `flock` on a file beside the place apart; PostgreSQL: a session's
    advisory lock on another key than the projector's transaction lock."""
    fresh = apart(location)
    deadline = None if timeout < 0 else time.monotonic() + timeout
    with contextlib.ExitStack() as held:
        try_lock: Callable[[], bool]
        if location.backend == "sqlite":
            lock = held.enter_context(open(f"{fresh.views_file}.lock", "a+b"))
            try_lock = partial(_try_flock, lock.fileno())
        else:
            assert location.server is not None
            conn = held.enter_context(psycopg.connect(location.server.conninfo(), autocommit=True))
            try_lock = partial(_try_advisory, conn, f"bouw:{fresh.views_schema}")
        while not try_lock():
            if deadline is not None and time.monotonic() >= deadline:
                msg = "De overzichten worden elders opgebouwd; probeer het zo opnieuw."
                raise TimeoutError(msg)
            time.sleep(_POLL)
        yield  # the flock goes with the file, the advisory lock with the connection


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _try_advisory(conn: psycopg.Connection[tuple[object, ...]], key: str) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()
    return bool(row and row[0])


def sqlite_files(path: os.PathLike[str] | str) -> list[str]:
    """A SQLite database and the files its WAL mode keeps beside it."""
    return [os.fspath(path) + suffix for suffix in ("", "-wal", "-shm")]


def discard(location: LogLocation) -> None:
    """Remove views of this location entirely (a rebuild's leftovers, or damaged views)."""
    if location.backend == "sqlite":
        for name in sqlite_files(location.views_file):
            with contextlib.suppress(FileNotFoundError):
                os.remove(name)
        return
    assert location.server is not None
    with psycopg.connect(location.server.conninfo(), autocommit=True) as conn:
        if location.rebuilding:
            drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
            conn.execute(drop.format(sql.Identifier(location.views_schema)))
            return
        with conn.transaction():
            _drop_view_tables(conn, location.views_schema)


def put_in_place(fresh: LogLocation) -> bool:
    """Make the views built at `fresh` the current ones; True when the current SQLite file was
    replaced (not copied into), so connections to it must be opened again."""
    current = replace(fresh, rebuilding=False)
    if fresh.backend == "sqlite":
        return _sqlite_put_in_place(fresh, current)
    _postgres_put_in_place(fresh, current)
    return False


def _sqlite_put_in_place(fresh: LogLocation, current: LogLocation) -> bool:
    replaced = False
    source = sqlite3.connect(fresh.views_file)
    try:
        target = sqlite3.connect(current.views_file, timeout=30)
        try:
            source.backup(target)
        except sqlite3.DatabaseError as error:
            if not is_damaged(error):
                raise
            replaced = True
        finally:
            target.close()
    finally:
        source.close()
    if replaced:
        for name in sqlite_files(current.views_file):
            with contextlib.suppress(FileNotFoundError):
                os.remove(name)
        os.replace(fresh.views_file, current.views_file)
    discard(fresh)
    return replaced


def _drop_view_tables(conn: psycopg.Connection[tuple[object, ...]], schema: str) -> None:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = %s AND table_name LIKE 'views\\_%%'",
        (schema,),
    ).fetchall()
    for (table,) in rows:
        drop = sql.SQL("DROP TABLE IF EXISTS {}.{} CASCADE")
        conn.execute(drop.format(sql.Identifier(schema), sql.Identifier(str(table))))


def _postgres_put_in_place(fresh: LogLocation, current: LogLocation) -> None:
    assert current.server is not None
    with (
        psycopg.connect(current.server.conninfo(), autocommit=True) as conn,
        conn.transaction(),
    ):
        # The projector of the current views waits until the new ones are in place.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (current.views_schema,))
        _drop_view_tables(conn, current.views_schema)
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (fresh.views_schema,),
        ).fetchall()
        for (table,) in tables:
            move = sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}")
            conn.execute(
                move.format(
                    sql.Identifier(fresh.views_schema),
                    sql.Identifier(str(table)),
                    sql.Identifier(current.views_schema),
                )
            )
        drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
        conn.execute(drop.format(sql.Identifier(fresh.views_schema)))
