"""The full-disk proof's fallback where no tmpfs can be mounted: `adviesspoor` with every SQLite
connection capped by `PRAGMA max_page_count`, which the test lowers and raises through a file.

    ADVIESSPOOR_TEST_PAGE_LIMIT=<file> python -m tests.faults.page_limit serve --port N

When the file says `vol`, no SQLite file of the process may grow by one more page (SQLite answers
SQLITE_FULL, "database or disk is full", as on a full disk); otherwise there is no cap. The cap
is applied before every statement, so the server notices a change at once, as it would notice a
disk filling up. Only the sqlite3 module is wrapped; our own code runs unchanged.
"""

import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

CONTROL = Path(os.environ.get("ADVIESSPOOR_TEST_PAGE_LIMIT", "/nonexistent"))
NO_CAP = 1073741823  # SQLite's own default maximum


def disk_full() -> bool:
    try:
        return CONTROL.read_text().strip() == "vol"
    except OSError:
        return False


class CappedConnection(sqlite3.Connection):
    """A connection that applies the current cap before each statement."""

    _full: bool | None = None

    def _cap(self) -> None:
        full = disk_full()
        if full != self._full:
            # Asking for 1 page caps the file at its current size: SQLite never goes below it.
            sqlite3.Connection.execute(self, f"PRAGMA max_page_count = {1 if full else NO_CAP}")
            self._full = full

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        self._cap()
        return super().cursor(*args, **kwargs)

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        self._cap()
        return super().execute(*args, **kwargs)

    def executemany(self, *args: Any, **kwargs: Any) -> Any:
        self._cap()
        return super().executemany(*args, **kwargs)


_connect = sqlite3.connect


def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    kwargs.setdefault("factory", CappedConnection)
    connection: sqlite3.Connection = _connect(*args, **kwargs)
    return connection


if __name__ == "__main__":
    # The one change: every connection of this process, the library's too, is a capped one.
    sqlite3.connect = connect  # type: ignore[assignment]  # one keyword defaulted
    from api.cli.main import main

    sys.exit(main(sys.argv[1:]))
