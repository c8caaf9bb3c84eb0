"""Turning a log location into the library's persistence settings, preparing the store, and
telling a store that cannot work (full, locked, gone, damaged) from a command that is wrong."""

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from eventsourcing import persistence
from psycopg import sql

from events.store import LogLocation, StoreUrl, library_settings

# What the store raises when it cannot do its work now (disk full, locked, connection lost):
# the library's own classes (it wraps the drivers' errors) and the drivers' (our direct reads).
STORAGE_FAILURES = (
    persistence.OperationalError,
    persistence.InterfaceError,
    persistence.InternalError,
    sqlite3.OperationalError,
    sqlite3.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def application_env(location: LogLocation) -> dict[str, str]:
    """The `eventsourcing` environment for one municipality's ledger."""
    if location.backend == "sqlite":
        location.events_file.parent.mkdir(parents=True, exist_ok=True)
        return library_settings(location, location.events_file)
    return library_settings(location)


@contextmanager
def store_prepared(location: LogLocation) -> Iterator[None]:
    """Make sure the municipality's schema exists (PostgreSQL), and hold a lock while the
    tables, types and functions of its log are created or checked inside this block.

    Several servers opening one municipality's log at once ran the library's DDL side by side
    (`CREATE OR REPLACE FUNCTION`, indexes) and failed with "tuple concurrently updated" or
    deadlocks; they now take turns.
    """
    if location.backend != "postgresql":
        yield
        return
    assert location.server is not None
    key = "adviesspoor-ddl:" + location.schema
    with psycopg.connect(location.server.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            with contextlib.suppress(psycopg.errors.UniqueViolation):
                conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        sql.Identifier(location.schema)
                    )
                )
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))


def is_storage_failure(error: BaseException) -> bool:
    """The store could not do its work (disk full, locked, unreachable): nobody's input is wrong,
    nothing was stored, and the same request may well succeed a moment later."""
    return isinstance(error, STORAGE_FAILURES)


def check_sqlite_file(path: Path, seconds: float = 10.0) -> str | None:
    """Why a SQLite file is not a sound database, in Dutch; None when `PRAGMA quick_check` finds
    nothing wrong (or ran out of its `seconds`: a big file is then checked only in part)."""
    deadline = time.monotonic() + seconds
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as error:
        return f"{path} kan niet worden geopend ({error})."
    # SQLite calls this every 10,000 steps; a true answer stops the check.
    conn.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError as error:
        if "interrupted" in str(error):
            return None
        return f"{path} is beschadigd ({error})."
    except sqlite3.DatabaseError as error:
        return f"{path} is beschadigd ({error})."
    finally:
        conn.close()
    found = [str(row[0]) for row in rows]
    if found == ["ok"]:
        return None
    return f"{path} is beschadigd: {'; '.join(found[:3])}."


def damaged_logs(store: StoreUrl, seconds: float = 10.0) -> list[str]:
    """Every event log (and the token store) of a SQLite store that is not a sound database;
    PostgreSQL checks its own pages."""
    if store.backend != "sqlite" or store.directory is None or not store.directory.exists():
        return []
    files = sorted(store.directory.glob("*.events.sqlite"))
    files += [p for p in [store.directory / "adviesspoor.sqlite"] if p.exists()]
    found = (check_sqlite_file(path, seconds) for path in files)
    return [problem for problem in found if problem is not None]
