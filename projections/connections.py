"""Plain read connections, one per thread: autocommit, so a query is one statement and one round
trip (no pooled BEGIN/ROLLBACK around it), and no lock shared between the threads."""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, Protocol, TypeVar


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


class PerThread(Generic[C]):
    """A connection per thread, opened on its first use there."""

    def __init__(self, open_: Callable[[], C]) -> None:
        self._open = open_
        self._local = threading.local()
        self._opened: list[C] = []
        self._lock = threading.Lock()

    def get(self) -> C:
        conn: C | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
            with self._lock:
                self._opened.append(conn)
        return conn

    def discard(self) -> None:
        """Close this thread's connection (after an error): the next use opens a new one."""
        conn: C | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                if conn in self._opened:
                    self._opened.remove(conn)
            conn.close()

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            opened, self._opened = self._opened, []
            self._local = threading.local()
        for conn in opened:
            conn.close()


@contextmanager
def immediate_sqlite(path: Path | str) -> Iterator[sqlite3.Cursor]:
    """A SQLite write transaction that holds the write lock from its start. Another process may be
    writing: a transaction that began by reading could not take the lock later, so this one takes
    it first (waiting its turn, up to 10 s)."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn.cursor()
        conn.execute("COMMIT")
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
