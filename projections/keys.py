"""The read side's view of the key table of personal data: which key opens which subject's texts.

The ledger writes the table (`ledger/personal_keys.py`: keys made, keys destroyed); the read side
only reads it here, as `projections/log.py` reads the log the ledger writes. Keys are kept in
memory until any process forgets anything: a counter in the table, checked at most once per
`TTL_SECONDS`, then drops them all, so a forgotten subject's texts read `[verwijderd]` everywhere
within that time.
"""

import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

import psycopg
from psycopg import sql

from events.key_cache import Generation
from events.sealing import Keys
from events.store import SHARED_SCHEMA, LogLocation


class KeyReader:
    """One municipality's keys, read only; thread-safe."""

    def __init__(self, location: LogLocation) -> None:
        self.location = location
        self._lock = threading.Lock()
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: psycopg.Connection[tuple[Any, ...]] | None = None
        self._cache: dict[str, bytes | None] = {}
        self._generation = Generation()

    def keys(self, subjects: Iterable[str]) -> Keys:
        """The key of each subject (None: forgotten, or not known here)."""
        wanted = set(subjects)
        with self._lock:
            self._expire()
            missing = [s for s in wanted if s not in self._cache]
            if missing:
                for subject, key in self._select_keys(missing):
                    self._cache[subject] = None if key is None else bytes(key)
            return {s: self._cache.get(s) for s in wanted}

    def refresh(self) -> None:
        """Check now, not only once a TTL, whether anything was forgotten."""
        with self._lock:
            self._generation.recheck()
            self._expire()

    def close(self) -> None:
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
            if self._postgres is not None:
                self._postgres.close()
            self._sqlite = self._postgres = None

    def _expire(self) -> None:
        if not self._generation.due():
            return
        if self.location.backend == "sqlite":
            rows = self._query("SELECT value FROM generation WHERE id = 1", ())
        else:
            rows = self._query(
                sql.SQL("SELECT value FROM {}.personal_generation WHERE municipality = %s").format(
                    sql.Identifier(SHARED_SCHEMA)
                ),
                (self.location.municipality,),
            )
        if self._generation.moved(rows):
            self._cache.clear()

    def _select_keys(self, subjects: list[str]) -> list[tuple[Any, ...]]:
        if self.location.backend == "sqlite":
            marks = ", ".join("?" * len(subjects))
            return self._query(
                f"SELECT id, key FROM subjects WHERE id IN ({marks})",  # noqa: S608 - marks only
                tuple(subjects),
            )
        return self._query(
            sql.SQL(
                "SELECT id, key FROM {}.personal_subjects WHERE municipality = %s AND id = ANY(%s)"
            ).format(sql.Identifier(SHARED_SCHEMA)),
            (self.location.municipality, subjects),
        )

    def _query(self, query: str | sql.Composed, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Rows of a read; none while the ledger has not made the table yet."""
        if self.location.backend == "sqlite":
            assert isinstance(query, str)
            if self._sqlite is None:
                if not self.location.keys_file.exists():
                    return []
                # rw, not ro: a reader may have to roll back a journal left by a crash.
                uri = f"file:{self.location.keys_file}?mode=rw"
                self._sqlite = sqlite3.connect(uri, uri=True, timeout=10, check_same_thread=False)
            try:
                return self._sqlite.execute(query, params).fetchall()
            except sqlite3.OperationalError as error:
                if "no such table" in str(error):
                    return []
                raise
        if self._postgres is None or self._postgres.closed:
            assert self.location.server is not None
            self._postgres = psycopg.connect(self.location.server.conninfo(), autocommit=True)
        try:
            return self._postgres.execute(query, params).fetchall()
        except psycopg.errors.UndefinedTable:
            return []
        except psycopg.Error:
            self._postgres.close()
            self._postgres = None
            raise
