"""The queries of one municipality's read model: documents, views at a business date
(peildatum), now from the view tables or as recorded up to a log position (time travel, which
replays the log itself, never a copy of it in the views).
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import orjson

from events.sealing import MARK, MARK_BYTES
from projections import answers, fold, search, views
from projections.answers import Context
from projections.fold import Doc
from projections.log import LogReader, RawRow, canonical_id
from projections.point_list import Filters, PointList, context_for, named_by
from projections.records import AdviceView, FollowUpItem, PointRow, Statistics, StatisticsRow
from projections.store import ViewStore

# The events that create a record of each kind the views name (see `context`).
_CREATED = ("AdvisoryBodyRegistered", "DossierOpened", "AdviceSubmitted", "DecisionTaken")


class Queries:
    """Every view of the read model; `ReadModel` adds the projection that keeps them."""

    log: LogReader
    store: ViewStore
    page_size: int
    _reveal: Callable[[Any], Any]
    _reveal_data: Callable[[Any], Any]

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
            return views.advice_view(doc, as_of, self._context_at(doc, upto))
        # Now: the names of its own body and dossier, and the decisions that name it (by the
        # table of which decisions name which advice: no other decision is read).
        return views.advice_view(doc, as_of, context_for(self.store, [doc]))

    def _context_at(self, doc: Doc, upto: int) -> Context:
        """One advice's context as recorded up to log position `upto`: the records it names now
        (`named_by`), each replayed from its own events up to `upto` (a decision taken later
        has none, and is left out). Bodies, dossiers and decisions are made by one event each,
        and no decision that names an advice stops naming it, so these are all its view reads;
        every body, dossier and decision of the municipality replayed took 100 ms at 200,000
        events. Views behind `upto` may not name a decision yet: then all are replayed."""
        if self.store.position() < upto:
            return self.context(upto, advice_titles=False)
        named = (self.doc(i, upto) for i in dict.fromkeys(named_by(self.store, [doc])))
        return answers.context(found for found in named if found is not None)

    def advice_list(
        self,
        as_of: date,
        upto: int | None = None,
        body_id: str | None = None,
        dossier_id: str | None = None,
    ) -> list[AdviceView]:
        """Every advice (of one body, in one dossier) at business date `as_of`, oldest first."""
        docs = self._advice_docs(upto, body_id)
        if upto is None and body_id is not None:
            ctx = context_for(self.store, docs)  # only what this body's advice name
        else:
            ctx = self.context(upto, advice_titles=False)
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
        self, as_of: date, upto: int | None = None, filters: Filters | None = None
    ) -> PointList | list[PointRow]:
        """The points view: now paged and filtered in SQL (a `PointList`: its slices build only
        the points on them), or replayed and filtered here (time travel)."""
        filters = filters or Filters()
        if upto is None:
            return PointList(self.store, as_of, filters)
        listed = self.advice_list(as_of, upto, filters.body_id, filters.dossier_id)
        return [row for row in views.points_view(listed) if filters.keep(row)]

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
