"""One municipality's read model: catches up with the log in pages and answers every view,
now or as recorded up to a moment (time travel), at a business date (peildatum).
"""

import threading
from collections.abc import Callable

import orjson

from events.sealing import revealer
from events.store import LogLocation
from projections import fold, swap
from projections.connections import ViewsAndLog
from projections.fold import Doc
from projections.keys import KeyReader
from projections.log import LogReader, canonical_id
from projections.paging import (
    LogDamagedError,
    check_dense,
    check_version,
    cyclic_gc_paused,
)
from projections.queries import Queries
from projections.store import TRACKED_LOG, Cursor, ViewStore

__all__ = ["BULK_FROM", "PAGE_SIZE", "REBUILD_PAGE", "LogDamagedError", "Progress", "ReadModel"]

Progress = Callable[[int, int], None]
PAGE_SIZE = 10_000
# A rebuild folds this many events in memory before it writes the documents they changed, each
# once: large enough that few documents span two pages (and are written twice), small enough to
# keep the documents of one page well inside the memory goal (docs/performance.md).
REBUILD_PAGE = 50_000
# A catch-up from empty views (a new deployment, or views dropped by a VIEWS_VERSION change) over
# at least this many events builds them apart in bulk, as a rebuild does: page by page it took
# several times as long, with every read waiting (docs/performance.md).
BULK_FROM = 10_000
# The events that create a record of each kind the views name (see `context`).
_CREATED = ("AdvisoryBodyRegistered", "DossierOpened", "AdviceSubmitted", "DecisionTaken")


def _open_views(location: LogLocation) -> ViewStore:
    """The views of a location; a damaged SQLite views file is removed and made anew (the views
    hold nothing the log does not: the next catch-up rebuilds them)."""
    try:
        return ViewStore(location)
    except Exception as error:
        if not swap.is_damaged(error):
            raise
    swap.discard(location)
    return ViewStore(location)


class ReadModel(Queries):
    """Views of one municipality; `catch_up` and `rebuild` are the projection, the queries are
    `Queries`'."""

    def __init__(
        self,
        location: LogLocation,
        page_size: int = PAGE_SIZE,
        rebuild_page: int = REBUILD_PAGE,
        bulk_from: int = BULK_FROM,
    ) -> None:
        self.location = location
        self.page_size = page_size
        self.rebuild_page = rebuild_page
        self.bulk_from = bulk_from
        self.log = LogReader(location)
        self.store = _open_views(location)
        self._both = (
            ViewsAndLog(location.views_file, location.events_file, TRACKED_LOG)
            if location.backend == "sqlite"
            else None
        )
        self._lock = threading.Lock()
        # Personal texts are stored sealed (events/sealing.py); the views hold them opened, until
        # the subject is forgotten and the views are rebuilt (api/cli/forget.py).
        self.personal = KeyReader(location)
        self._reveal = revealer(self.personal.keys)
        # The fold never reads `meta` (who recorded it): left sealed there, it costs nothing.
        self._reveal_data = revealer(self.personal.keys, skip=frozenset({"meta"}))

    def close(self) -> None:
        self.log.close()
        if self._both is not None:
            self._both.close()
        self.store.close()
        self.personal.close()

    # The projection ------------------------------------------------------------------------

    def catch_up(
        self, upto: int | None = None, progress: Progress | None = None, timeout: float = -1
    ) -> int:
        """Process every event after the tracked position (up to `upto`); returns the position.

        Pages of `page_size` events, each in one transaction with its tracking position, so a
        projection stopped halfway resumes exactly where it was. From empty views and at least
        `bulk_from` events behind, the views are built apart in bulk and put in place first.
        """
        if not self._lock.acquire(timeout=timeout):
            msg = "De overzichten worden elders bijgewerkt; probeer het zo opnieuw."
            raise TimeoutError(msg)
        try:
            target = upto if upto is not None else self.log.last_position()
            try:
                return self._catch_up(target, progress, timeout)
            except Exception as error:
                if not swap.is_damaged(error):
                    raise
            # The views file is damaged: it holds nothing the log does not, so make it anew.
            self.store.close()
            if self._both is not None:
                self._both.close()
            swap.discard(self.location)
            self.store = ViewStore(self.location)
            return self._catch_up(target, progress, timeout)
        finally:
            self._lock.release()

    def _catch_up(self, target: int, progress: Progress | None, timeout: float) -> int:
        if target >= self.bulk_from and self.store.position() == 0:
            with swap.building(self.location, timeout):
                # Another process may have built them while this one waited: then only what
                # came after is left, page by page.
                if self.store.position() == 0:
                    self._put_in_place(self._build(progress))
        while (reached := self._process_page(target)) is not None:
            if progress is not None:
                progress(reached, target)
            if reached >= target:
                return reached  # no second transaction only to find nothing left
        return self.store.position()

    def ensure_current(self, timeout: float = 5.0) -> int:
        """Read-your-writes: process everything committed before this call."""
        position, last = self._positions()
        return position if position >= last else self.catch_up(upto=last, timeout=timeout)

    def current_position(self) -> int | None:
        """The views' position when they hold every event committed before this call, else None
        (no catch-up; on SQLite one statement over both files)."""
        position, last = self._positions()
        return position if position >= last else None

    def _positions(self) -> tuple[int, int]:
        """The views' position, then the log's last (each as committed before this call)."""
        both = self._both.positions() if self._both is not None else None
        if both is None:
            return self.store.position(), self.log.last_position()
        return both

    def wait_for(self, position: int, timeout: float = 5.0) -> int:
        """Return once the views include log `position` (a writer's own write, say)."""
        current = self.store.position()
        if current >= position:
            return current
        return self.catch_up(upto=position, timeout=timeout)

    def position(self) -> int:
        return self.store.position()

    def _process_page(self, target: int) -> int | None:
        # A page allocates about a million short-lived dicts and lists (decoded events,
        # documents) without reference cycles. The cycle collector, started by allocation
        # counts, scanned them again and again: a fifth of a rebuild's time. Reference counting
        # frees all of it when the page returns, and the collector runs again right after.
        with cyclic_gc_paused():
            return self._project_page(target)

    def _project_page(self, target: int) -> int | None:
        """One page in one transaction; the position it reached, None when there was none."""
        with self.store.transaction(commit=True) as cursor:
            start = self.store.tracked_position(cursor)
            if start >= target:
                return None
            docs: dict[str, Doc] = {}
            fresh: set[str] = set()
            stored: dict[str, bytes] = {}
            upto = min(target, start + self.page_size)
            last = self._fold(cursor, start, upto, docs, fresh, stored)
            if last == start:
                return None
            self.store.write_page(cursor, list(docs.values()), last, fresh, stored)
            return last

    def _fold(
        self,
        cursor: Cursor,
        after: int,
        upto: int,
        docs: dict[str, Doc],
        fresh: set[str],
        stored: dict[str, bytes] | None = None,
    ) -> int:
        """Fold the events after `after` up to `upto` into `docs`, read `page_size` at a time;
        the documents they continue are loaded from the views when not in `docs` yet (and kept
        as they were in `stored`, when given), the ones they create are added to `fresh`.
        Returns the last position folded."""
        while after < upto:
            rows = self.log.raw(after, self.page_size, upto)
            if not rows:
                break
            check_dense(after, [row[0] for row in rows])
            decoded = [
                (position, canonical_id(agg), version, topic.rpartition(":")[2], data)
                for position, agg, version, topic, data in rows
            ]
            missing = list(
                {agg: None for _, agg, version, *_ in decoded if version > 1 and agg not in docs}
            )
            for agg, found in self.store.load_docs(cursor, missing):
                docs[agg] = orjson.loads(found)
                if stored is not None:
                    stored[agg] = found
            for position, agg, version, event_type, data in decoded:
                doc = docs.get(agg)
                check_version(position, agg, version, doc)
                if doc is None:
                    fresh.add(agg)
                docs[agg] = fold.apply(doc, position, agg, event_type, self._state(data))
            after = rows[-1][0]
        return after

    def rebuild(self, progress: Progress | None = None) -> int:
        """Build every view anew from the log, apart, and only then put them in place of the
        current ones; returns the log position they reach. If the rebuild fails, the current views
        stay as they were. Locks in a catch-up's order (this model's, then the builder's)."""
        with self._lock, swap.building(self.location):
            fresh, position = self._build(progress)
            self._put_in_place((fresh, position))
        return position

    def _build(self, progress: Progress | None) -> tuple[LogLocation, int]:
        """Views built from the whole log apart (the caller holds `swap.building`): where, and
        the position they reach."""
        self.personal.refresh()  # keys forgotten a moment ago are not used again
        fresh = swap.apart(self.location)
        swap.discard(fresh)  # what an interrupted rebuild may have left
        built = ReadModel(fresh, self.page_size, self.rebuild_page)
        try:
            position = built._load(progress)
        except BaseException:
            built.close()
            swap.discard(fresh)
            raise
        built.close()
        return fresh, position

    def _put_in_place(self, built: tuple[LogLocation, int]) -> None:
        """The views `_build` made become the current ones (the caller holds `_lock`)."""
        if swap.put_in_place(built[0]):
            self.store.close()
            if self._both is not None:
                self._both.close()
            self.store = ViewStore(self.location)

    def _load(self, progress: Progress | None) -> int:
        """Fill empty views from the whole log: `rebuild_page` events folded in memory at a
        time, every document they changed written once (bulk) with the page's position, and the
        query and search indexes built once at the end."""
        target = self.log.last_position()
        with self._lock, self.store.bulk_load():
            while True:
                with cyclic_gc_paused(), self.store.transaction(commit=True) as cursor:
                    start = self.store.tracked_position(cursor)
                    docs: dict[str, Doc] = {}
                    fresh: set[str] = set()
                    last = self._fold(
                        cursor, start, min(target, start + self.rebuild_page), docs, fresh
                    )
                    if last == start:
                        break
                    self.store.write_page(cursor, list(docs.values()), last, fresh)
                if progress is not None:
                    progress(last, target)
        return self.store.position()
