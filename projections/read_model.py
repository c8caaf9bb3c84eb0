"""One municipality's read model: catches up with the log in pages and answers every view,
now or as recorded up to a moment (time travel), at a business date (peildatum).
"""

import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import orjson

from events.sealing import MARK, MARK_BYTES, revealer
from events.store import LogLocation
from projections import answers, fold, search, swap, views
from projections.answers import Context
from projections.fold import Doc
from projections.keys import KeyReader
from projections.log import LogReader, RawRow, canonical_id
from projections.records import AdviceView, FollowUpItem, PointRow, Statistics, StatisticsRow
from projections.store import Cursor, ViewStore

Progress = Callable[[int, int], None]
PAGE_SIZE = 10_000
# A rebuild folds this many events in memory before it writes the documents they changed, each
# once: large enough that few documents span two pages (and are written twice), small enough to
# keep the documents of one page well inside the memory goal (docs/performance.md).
REBUILD_PAGE = 50_000
# The events that create a record of each kind the views name (see `context`).
_CREATED = ("AdvisoryBodyRegistered", "DossierOpened", "AdviceSubmitted", "DecisionTaken")


class LogDamagedError(Exception):
    """The log cannot be projected: an event is missing or out of order. Nothing was changed."""


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


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector off for a while; on again after, unless it was off before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_dense(after: int, positions: list[int]) -> None:
    """Positions count 1, 2, 3, …: a gap is an event missing from the log."""
    for expected, found in enumerate(positions, start=after + 1):
        if found != expected:
            msg = (
                f"De log is beschadigd: positie {expected} ontbreekt (na {expected - 1} volgt "
                f"{found}). De overzichten zijn niet gewijzigd."
            )
            raise LogDamagedError(msg)


def _check_version(position: int, aggregate_id: str, version: int, doc: Doc | None) -> None:
    """Each record's events count 1, 2, 3, … too: one that skips lost an event."""
    expected = 1 if doc is None else int(doc["version"]) + 1
    if version != expected:
        msg = (
            f"De log is beschadigd: positie {position} is versie {version} van record "
            f"{aggregate_id}, maar versie {expected} werd verwacht. De overzichten zijn niet "
            "gewijzigd."
        )
        raise LogDamagedError(msg)


class ReadModel:
    """Views of one municipality; `catch_up` is the projection, the rest are queries."""

    def __init__(
        self, location: LogLocation, page_size: int = PAGE_SIZE, rebuild_page: int = REBUILD_PAGE
    ) -> None:
        self.location = location
        self.page_size = page_size
        self.rebuild_page = rebuild_page
        self.log = LogReader(location)
        self.store = _open_views(location)
        self._lock = threading.Lock()
        # Personal texts are stored sealed (events/sealing.py); the views hold them opened, until
        # the subject is forgotten and the views are rebuilt (api/cli/forget.py).
        self.personal = KeyReader(location)
        self._reveal = revealer(self.personal.keys)
        # The fold never reads `meta` (who recorded it): left sealed there, it costs nothing.
        self._reveal_data = revealer(self.personal.keys, skip=frozenset({"meta"}))

    def close(self) -> None:
        self.log.close()
        self.store.close()
        self.personal.close()

    def _state(self, data: bytes, with_meta: bool = False) -> Any:
        """A stored event's state, its sealed personal texts opened (or `[verwijderd]`); those
        in `meta` only when asked for (the fold never reads them)."""
        state = orjson.loads(data)
        marks = data.count(MARK_BYTES)
        if not marks:
            return state
        if with_meta:
            return self._reveal(state)
        if marks == 1 and str(state.get("meta", {}).get("actor", "")).startswith(MARK):
            return state  # only who recorded it is sealed, and the fold never reads that
        return self._reveal_data(state)

    # The projection ------------------------------------------------------------------------

    def catch_up(
        self, upto: int | None = None, progress: Progress | None = None, timeout: float = -1
    ) -> int:
        """Process every event after the tracked position (up to `upto`); returns the position.

        Pages of `page_size` events, each in one transaction with its tracking position, so a
        projection stopped halfway resumes exactly where it was.
        """
        if not self._lock.acquire(timeout=timeout):
            msg = "De overzichten worden elders bijgewerkt; probeer het zo opnieuw."
            raise TimeoutError(msg)
        try:
            target = upto if upto is not None else self.log.last_position()
            try:
                return self._catch_up(target, progress)
            except Exception as error:
                if not swap.is_damaged(error):
                    raise
            # The views file is damaged: it holds nothing the log does not, so make it anew.
            self.store.close()
            swap.discard(self.location)
            self.store = ViewStore(self.location)
            return self._catch_up(target, progress)
        finally:
            self._lock.release()

    def _catch_up(self, target: int, progress: Progress | None) -> int:
        while (reached := self._process_page(target)) is not None:
            if progress is not None:
                progress(reached, target)
            if reached >= target:
                return reached  # no second transaction only to find nothing left
        return self.store.position()

    def ensure_current(self, timeout: float = 5.0) -> int:
        """Read-your-writes: process everything committed before this call."""
        return self.wait_for(self.log.last_position(), timeout)

    def current_position(self) -> int | None:
        """The views' position when they hold every event committed before this call, else None
        (two small queries, no catch-up)."""
        position = self.store.position()
        return position if position >= self.log.last_position() else None

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
        with _cyclic_gc_paused():
            return self._project_page(target)

    def _project_page(self, target: int) -> int | None:
        """One page in one transaction; the position it reached, None when there was none."""
        with self.store.transaction(commit=True) as cursor:
            start = self.store.tracked_position(cursor)
            if start >= target:
                return None
            docs: dict[str, Doc] = {}
            fresh: set[str] = set()
            last = self._fold(cursor, start, min(target, start + self.page_size), docs, fresh)
            if last == start:
                return None
            self.store.write_page(cursor, list(docs.values()), last, fresh)
            return last

    def _fold(
        self, cursor: Cursor, after: int, upto: int, docs: dict[str, Doc], fresh: set[str]
    ) -> int:
        """Fold the events after `after` up to `upto` into `docs`, read `page_size` at a time;
        the documents they continue are loaded from the views when not in `docs` yet, the ones
        they create are added to `fresh`. Returns the last position folded."""
        while after < upto:
            rows = self.log.raw(after, self.page_size, upto)
            if not rows:
                break
            _check_dense(after, [row[0] for row in rows])
            decoded = [
                (position, canonical_id(agg), version, topic.rpartition(":")[2], data)
                for position, agg, version, topic, data in rows
            ]
            missing = list(
                {agg: None for _, agg, version, *_ in decoded if version > 1 and agg not in docs}
            )
            for agg, stored in self.store.load_docs(cursor, missing):
                docs[agg] = orjson.loads(stored)
            for position, agg, version, event_type, data in decoded:
                doc = docs.get(agg)
                _check_version(position, agg, version, doc)
                if doc is None:
                    fresh.add(agg)
                docs[agg] = fold.apply(doc, position, agg, event_type, self._state(data))
            after = rows[-1][0]
        return after

    def rebuild(self, progress: Progress | None = None) -> int:
        """Build every view anew from the log, apart, and only then put them in place of the
        current ones; returns the log position they reach. If the rebuild fails, the current views
        stay as they were."""
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
        with self._lock:
            if swap.put_in_place(fresh):
                self.store.close()
                self.store = ViewStore(self.location)
        return position

    def _load(self, progress: Progress | None) -> int:
        """Fill empty views from the whole log: `rebuild_page` events folded in memory at a
        time, every document they changed written once (bulk) with the page's position, and the
        query and search indexes built once at the end."""
        target = self.log.last_position()
        with self._lock, self.store.bulk_load():
            while True:
                with _cyclic_gc_paused(), self.store.transaction(commit=True) as cursor:
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

    # Time travel ---------------------------------------------------------------------------

    # Time travel and history read the log itself (by position, or one record by the library's
    # key), never a copy of it in the views.

    def position_at(self, moment: str) -> int:
        """The last log position recorded at or before `moment` (RFC 3339, UTC, `Z`)."""
        return self.log.position_at(moment)

    def _replay(self, rows: Iterable[RawRow]) -> dict[str, Doc]:
        docs: dict[str, Doc] = {}
        for position, stored_id, _, topic, data in rows:
            agg = canonical_id(stored_id)
            event_type = topic.rpartition(":")[2]
            docs[agg] = fold.apply(docs.get(agg), position, agg, event_type, self._state(data))
        return docs

    def _events_upto(self, upto: int) -> Iterator[RawRow]:
        after = 0
        while rows := self.log.raw(after, self.page_size, upto):
            yield from rows
            after = rows[-1][0]

    # Documents -----------------------------------------------------------------------------

    def doc(self, aggregate_id: str, upto: int | None = None) -> Doc | None:
        if upto is None:
            rows = self.store.query("SELECT doc FROM {docs} WHERE id = ?", [aggregate_id])
            return orjson.loads(rows[0][0]) if rows else None
        return self._replay(self.log.of_record(aggregate_id, upto)).get(aggregate_id)

    def docs(self, kind: str, upto: int | None = None) -> list[Doc]:
        """Every record of a kind, oldest first."""
        if upto is None:
            rows = self.store.query("SELECT doc FROM {docs} WHERE kind = ?", [kind])
            found = [orjson.loads(row[0]) for row in rows]
        else:
            found = [d for d in self._replay(self._events_upto(upto)).values() if d["kind"] == kind]
        return sorted(found, key=lambda d: d["created_at"])

    def history(self, aggregate_id: str, upto: int | None = None) -> list[dict[str, Any]]:
        """Every event of one record, oldest first."""
        result = []
        for position, _, _, topic, data in self.log.of_record(aggregate_id, upto):
            state = self._state(data, with_meta=True)
            # The stored state whole (its class version and moment are what upcasters read).
            meta = state.pop("meta")
            result.append(
                {
                    "position": position,
                    "type": topic.rpartition(":")[2],
                    "recorded_at": fold.moment(state["timestamp"]),
                    "actor": meta,
                    "data": state,
                }
            )
        return result

    # Views ---------------------------------------------------------------------------------

    def context(self, upto: int | None = None, advice_titles: bool = True) -> Context:
        """Names and titles by id, and the decisions' answers per advice (see answers.py);
        without `advice_titles` it leaves out the advice documents (one advice needs none)."""
        kinds = ["body", "dossier", "decision", *(["advice"] if advice_titles else [])]
        marks = ", ".join("?" * len(kinds))
        if upto is None:
            rows = self.store.query(
                f"SELECT doc FROM {{docs}} WHERE kind IN ({marks})",  # noqa: S608 - marks only
                kinds,
            )
            return answers.context(orjson.loads(row[0]) for row in rows)
        # Names, titles and decisions are all set by the first event of their record.
        types = [t for t, kind in fold.KIND_OF_EVENT.items() if kind in kinds and t in _CREATED]
        return answers.context(self._replay(self.log.of_types(types, upto)).values())

    def advice(self, advice_id: str, as_of: date, upto: int | None = None) -> AdviceView | None:
        doc = self.doc(advice_id, upto)
        if doc is None or doc["kind"] != "advice":
            return None
        if upto is not None:
            return views.advice_view(doc, as_of, self.context(upto, advice_titles=False))
        # Now: the names of its own body and dossier, and the decisions (which may list it).
        rows = self.store.query(
            "SELECT doc FROM {docs} WHERE id IN (?, ?) OR kind = 'decision'",
            [doc["body_id"], doc["dossier_id"] or doc["body_id"]],
        )
        ctx = answers.context(orjson.loads(row[0]) for row in rows)
        return views.advice_view(doc, as_of, ctx)

    def advice_list(
        self,
        as_of: date,
        upto: int | None = None,
        body_id: str | None = None,
        dossier_id: str | None = None,
    ) -> list[AdviceView]:
        """Every advice (of one body, in one dossier) at business date `as_of`, oldest first."""
        ctx = self.context(upto, advice_titles=False)
        docs = self._advice_docs(upto, body_id)
        return [
            views.advice_view(doc, as_of, ctx)
            for doc in docs
            if dossier_id in (None, doc["dossier_id"])
        ]

    def _advice_docs(self, upto: int | None, body_id: str | None) -> list[Doc]:
        if upto is not None or body_id is None:
            found = self.docs("advice", upto)
            return [d for d in found if body_id in (None, d["body_id"])]
        rows = self.store.query(
            "SELECT doc FROM {docs} WHERE kind = 'advice' AND body_id = ?", [body_id]
        )
        return sorted((orjson.loads(r[0]) for r in rows), key=lambda d: d["created_at"])

    def follow_up_board(
        self, body_id: str | None, as_of: date, upto: int | None = None
    ) -> list[FollowUpItem]:
        return views.follow_up_board(self.advice_list(as_of, upto, body_id), body_id)

    def points(
        self,
        as_of: date,
        upto: int | None = None,
        body_id: str | None = None,
        dossier_id: str | None = None,
    ) -> list[PointRow]:
        return views.points_view(self.advice_list(as_of, upto, body_id, dossier_id))

    def search(self, query: str, upto: int | None = None) -> set[search.Found]:
        """The points a Dutch full-text query finds: from the index, or (time travel) by
        matching the replayed documents the same way."""
        if upto is None:
            return self.store.search(query)
        return search.matching(query, self._replay(self._events_upto(upto)).values())

    def statistics(
        self,
        as_of: date,
        upto: int | None = None,
        body_id: str | None = None,
        year: int | None = None,
    ) -> Statistics:
        listed = self.advice_list(as_of, upto, body_id)
        return views.statistics(v for v in listed if year in (None, views.year_of(v)))

    def statistics_table(
        self,
        as_of: date,
        upto: int | None = None,
        first_year: int | None = None,
        last_year: int | None = None,
    ) -> list[StatisticsRow]:
        return views.statistics_table(self.advice_list(as_of, upto), first_year, last_year)

    def dossier(
        self, dossier_id: str, as_of: date, upto: int | None = None
    ) -> dict[str, Any] | None:
        dossier = self.doc(dossier_id, upto)
        if dossier is None or dossier["kind"] != "dossier":
            return None
        ctx = self.context(upto)
        listed = [views.advice_view(doc, as_of, ctx) for doc in self.docs("advice", upto)]
        return views.dossier_overview(dossier, listed, self.docs("decision", upto), ctx)

    def decision(self, decision_id: str, upto: int | None = None) -> dict[str, Any] | None:
        doc = self.doc(decision_id, upto)
        if doc is None or doc["kind"] != "decision":
            return None
        return views.decision_view(doc, self.context(upto))

    def decisions(self, upto: int | None = None) -> list[dict[str, Any]]:
        ctx = self.context(upto)
        return [views.decision_view(doc, ctx) for doc in self.docs("decision", upto)]

    def request(self, request_id: str, upto: int | None = None) -> dict[str, Any] | None:
        doc = self.doc(request_id, upto)
        if doc is None or doc["kind"] != "request":
            return None
        return views.request_view(doc, self.docs("advice", upto), self.context(upto))

    def requests(self, upto: int | None = None) -> list[dict[str, Any]]:
        ctx, advice = self.context(upto), self.docs("advice", upto)
        return [views.request_view(doc, advice, ctx) for doc in self.docs("request", upto)]
