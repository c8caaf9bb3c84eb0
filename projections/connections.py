"""Plain read connections, one per thread: autocommit, so a query is one statement and one round
trip (no pooled BEGIN/ROLLBACK around it), and no lock shared between the threads."""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, Generic, Protocol, TypeVar


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


# The views' tracked position (the library's tracking table) and the log's last position.
_POSITIONS = (
    "SELECT (SELECT notification_id FROM main.tracking WHERE application_name = ?), "
    "(SELECT MAX(rowid) FROM log.stored_events)"
)


class ViewsAndLog:
    """SQLite: per thread, a read connection to a views file with its log file attached (as
    `log`), both read-only, so one statement reads both positions; in autocommit each statement
    sees every commit of either file made before it, by any process."""

    def __init__(self, views_file: Path, events_file: Path, tracked: str) -> None:
        self._files = (views_file, events_file)
        self._tracked = (tracked,)
        self._conns: PerThread[sqlite3.Connection] = PerThread(self._open)
        self._log_seen = False  # once the log file exists, it stays

    def _open(self) -> sqlite3.Connection:
        views, events = self._files
        conn = sqlite3.connect(
            f"file:{views}?mode=ro", uri=True, timeout=10, check_same_thread=False
        )
        try:
            conn.execute("ATTACH DATABASE ? AS log", (f"file:{events}?mode=ro",))
        except BaseException:
            conn.close()
            raise
        return conn

    def positions(self) -> tuple[int, int] | None:
        """The views' position, then the log's last; None while there is no log to attach (a
        municipality nothing was recorded for yet: a read-only open of a missing file fails)."""
        if not self._log_seen:
            if not self._files[1].exists():
                return None
            self._log_seen = True
        try:
            row = self._conns.get().execute(_POSITIONS, self._tracked).fetchone()
        except sqlite3.Error as error:
            self._conns.discard()  # reopened by the next call
            if "no such table" in str(error):
                return None  # the log file is being created: its table is not there yet
            raise
        return int(row[0] or 0), int(row[1] or 0)

    def close(self) -> None:
        self._conns.close()


# What `prepare_writer` last set on a connection (bulk, rebuilding): set again only when it moves.
_PREPARED: Final = "_adviesspoor_views_pragmas"


def prepare_writer(conn: Any, bulk: bool, rebuilding: bool) -> None:
    """A views writer connection's settings (SQLite), outside a transaction as SQLite requires;
    once per connection and kind of work, not per transaction.

    - `synchronous = NORMAL`: the views hold nothing the log does not, and a page's rows commit
      with its tracking position; a commit lost to a power cut takes both back and the next
      catch-up does it again. So no fsync per commit (WAL with NORMAL keeps the file
      consistent): it was most of a one-event catch-up. A rebuild apart (`rebuilding`, bulk)
      has no journal either: `OFF`, nothing to sync.
    - `secure_delete = FAST`: Debian and others build SQLite with SECURE_DELETE, which
      overwrites every freed page with zeros: a rebuild's reset then wrote the whole old views
      file again, twice (WAL and checkpoint). Zero freed content only where that costs no I/O.
    - `cache_size`: a rebuild's pages touch the same index pages again and again: 16 MiB, not
      SQLite's 2, writes each fewer times; 64 MiB wrote a quarter less but took the peak RSS at
      1,000,000 events over 300 MB (docs/performance.md).
    """
    wanted = (bulk, rebuilding)
    if getattr(conn, _PREPARED, None) == wanted:
        return
    cursor = conn.cursor()
    cursor.execute(f"PRAGMA synchronous = {'OFF' if bulk and rebuilding else 'NORMAL'}")
    cursor.execute("PRAGMA secure_delete = FAST")
    cursor.execute(f"PRAGMA cache_size = {-16384 if bulk else -2000}")
    setattr(conn, _PREPARED, wanted)
