"""The points view (`/punten`) paged and filtered in SQL, and what one advice's view needs of
the other records (its names and the decisions naming it), read by id, never by kind.

The rows `ViewStore.write_page` keeps per point (`{pointlist}`) hold what the filters and the
order read; the peildatum-dependent flags are computed in SQL only to filter (`verlopen`), and
the points themselves (with `overdue` and `late`) only for the page served.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, overload

import orjson

from projections import answers, views
from projections.answers import Context
from projections.fold import Doc
from projections.records import PointRow
from projections.store import ViewStore

Key = tuple[str, int]  # (advice, point number)
CHUNK = 500  # ids per `IN (…)`, well inside every backend's limit of parameters

_ORDER = " ORDER BY p.submitted_on DESC, p.created_at DESC, p.advice_id, p.point"
# The same at a business date on or after the horizon (`PointList._past_horizon`).
_OVERDUE_NOW = "(p.outcome = 'pending' AND p.due_now < ?)"
# A point is pending at a business date while none of its answers was given on or before it,
# and overdue when it is pending after the due date in force then: the original one, or that of
# the term change with the latest effective date on or before it (ties: the later recorded).
_OVERDUE = (
    "(NOT EXISTS (SELECT 1 FROM {answers} a WHERE a.advice_id = p.advice_id "
    "AND a.point = p.point AND a.position > 0 AND a.given_on <= ?) "
    "AND ? > COALESCE((SELECT m.new_due_on FROM {moves} m WHERE m.advice_id = p.advice_id "
    "AND m.effective_on <= ? ORDER BY m.effective_on DESC, m.seq DESC LIMIT 1), p.due_on))"
)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _docs_by_id(store: ViewStore, ids: Iterable[str]) -> list[Doc]:
    wanted = list(dict.fromkeys(ids))
    found: list[Doc] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        # Only "?" marks are interpolated; the ids travel as parameters.
        select = f"SELECT doc FROM {{docs}} WHERE id IN ({_marks(len(chunk))})"  # noqa: S608
        found.extend(orjson.loads(row[0]) for row in store.query(select, chunk))
    return found


def named_by(store: ViewStore, advice: Sequence[Doc]) -> list[str]:
    """The ids of the records these advice documents' views name: their bodies and dossiers,
    and the decisions that name them (from `{decided}`: no other decision is read)."""
    named = [d["body_id"] for d in advice] + [d["dossier_id"] for d in advice if d["dossier_id"]]
    ids = [d["id"] for d in advice]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        where = f"advice_id IN ({_marks(len(chunk))})"
        select = f"SELECT DISTINCT decision_id FROM {{decided}} WHERE {where}"  # noqa: S608
        named.extend(str(row[0]) for row in store.query(select, chunk))
    return named


def context_for(store: ViewStore, advice: Sequence[Doc]) -> Context:
    """The context of these advice documents: the names of their bodies and dossiers, and the
    decisions that name them (no other record is read)."""
    return answers.context(_docs_by_id(store, named_by(store, advice)))


@dataclass(frozen=True)
class Filters:
    """What `/punten` filters by; `found`: the points a search found (None: no search)."""

    body_id: str | None = None
    dossier_id: str | None = None
    outcome: str | None = None
    year: int | None = None
    overdue: bool | None = None
    found: set[Key] | None = None

    def keep(self, row: PointRow) -> bool:
        """The same filters on a row already built (time travel)."""
        return (
            self.body_id in (None, row["body_id"])
            and self.dossier_id in (None, row["dossier_id"])
            and self.outcome in (None, row["outcome"])
            and self.year in (None, int(row["submitted_on"][:4]))
            and self.overdue in (None, row["overdue"])
            and (self.found is None or (row["advice_id"], row["number"]) in self.found)
        )


@dataclass
class PointList(Sequence[PointRow]):
    """The points of the non-withdrawn advice that pass `filters`, newest advice first, points
    by number: its length is one count in SQL, a slice one page (each built only then)."""

    store: ViewStore
    as_of: date
    filters: Filters
    _where: str = ""
    _params: list[Any] = field(default_factory=list)
    _keys: list[Key] | None = None  # with a search: every matching point's key
    _count: int | None = None
    _settled: bool = False  # `verlopen` past the horizon (see `_OVERDUE_NOW`)

    def __post_init__(self) -> None:
        f, day = self.filters, self.as_of.isoformat()
        clauses: list[tuple[str, list[Any]]] = []
        if f.body_id is not None:
            clauses.append(("p.body_id = ?", [f.body_id]))
        if f.dossier_id is not None:
            clauses.append(("p.dossier_id = ?", [f.dossier_id]))
        if f.year is not None:
            clauses.append(("p.year = ?", [f.year]))
        if f.outcome is not None:
            clauses.append(("p.outcome = ?", [f.outcome]))
        self._settled = f.overdue is not None and self._past_horizon(day)
        if f.overdue is not None:
            # On or after the horizon no answer or term change is yet to come: a point is
            # overdue when it is unanswered now and its due date in force now has passed.
            overdue, params = (_OVERDUE_NOW, [day]) if self._settled else (_OVERDUE, [day] * 3)
            clauses.append((("" if f.overdue else "NOT ") + overdue, params))
        if clauses:
            self._where = " WHERE " + " AND ".join(c for c, _ in clauses)
            self._params = [p for _, params in clauses for p in params]
        if f.found is not None:
            self._keys = self._found_keys(f.found)

    def _past_horizon(self, day: str) -> bool:
        """Whether `day` is on or after every answer's date and term change's effective date."""
        rows = self.store.query("SELECT on_date FROM {latest} WHERE what = 'horizon'")
        return not rows or str(rows[0][0]) <= day

    def _found_keys(self, found: set[Key]) -> list[Key]:
        """The keys of the matching points a search found, in order: only those of the advice
        it found are read when they are few."""
        advice = sorted({advice_id for advice_id, _ in found})
        where, params = self._where, self._params
        if len(advice) <= CHUNK:
            where += (" AND " if where else " WHERE ") + f"p.advice_id IN ({_marks(len(advice))})"
            params = [*params, *advice]
        if not advice:
            return []
        select = "SELECT p.advice_id, p.point FROM {pointlist} p" + where + _ORDER  # noqa: S608
        rows = self.store.query(select, params)
        return [(str(a), int(n)) for a, n in rows if (str(a), int(n)) in found]

    def __len__(self) -> int:
        if self._keys is not None:
            return len(self._keys)
        if self._count is None:
            self._count = self._counted()
        return self._count

    def _counted(self) -> int:
        f = self.filters
        alone = f.dossier_id is None and f.year is None and f.outcome is None
        if f.overdue is not None and self._settled and alone:
            return self._overdue_count(f.body_id, f.overdue)
        if f.dossier_id is None and f.overdue is None:
            # Body, year and outcome only: the sum of a few counts kept per body, year and
            # outcome. `verlopen` before the horizon, or with another filter, counts the
            # matching rows (through an index when body or outcome is given).
            count = "SELECT COALESCE(SUM(p.points), 0) FROM {pointcount} p" + self._where  # noqa: S608
        else:
            count = "SELECT COUNT(*) FROM {pointlist} p" + self._where  # noqa: S608
        return int(self.store.query(count, self._params)[0][0])

    def _overdue_count(self, body_id: str | None, overdue: bool) -> int:
        """`verlopen` (with a body, or none) past the horizon: the unanswered points counted per
        body and due date, summed over the dates before the business date; the others are the
        rest of the body's (or all) points, counted as without `verlopen`. As many rows as there
        are due dates, whatever the number of advice."""
        day = self.as_of.isoformat()
        body = " AND body_id = ?" if body_id is not None else ""
        params = [day] + ([body_id] if body_id is not None else [])
        select = "SELECT COALESCE(SUM(points), 0) FROM {pendingdue} WHERE due_on < ?" + body  # noqa: S608
        found = int(self.store.query(select, params)[0][0])
        if overdue:
            return found
        return len(PointList(self.store, self.as_of, Filters(body_id=body_id))) - found

    @overload
    def __getitem__(self, index: int) -> PointRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[PointRow]: ...
    def __getitem__(self, index: int | slice) -> PointRow | list[PointRow]:
        if isinstance(index, int):
            found = self[index : index + 1] if index >= 0 else self[len(self) + index :][:1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            return list(self)[index]
        return self._rows(self._page(start, max(0, stop - start)))

    def __iter__(self) -> Iterator[PointRow]:
        for start in range(0, len(self), CHUNK):
            yield from self[start : start + CHUNK]

    def _page(self, offset: int, limit: int) -> list[Key]:
        if limit == 0:
            return []
        if self._keys is not None:
            return self._keys[offset : offset + limit]
        select = "SELECT p.advice_id, p.point FROM {pointlist} p" + self._where + _ORDER  # noqa: S608
        rows = self.store.query(select + " LIMIT ? OFFSET ?", [*self._params, limit, offset])
        return [(str(a), int(n)) for a, n in rows]

    def _rows(self, keys: list[Key]) -> list[PointRow]:
        """The points of a page, built from their advice documents (and only theirs)."""
        docs = {d["id"]: d for d in _docs_by_id(self.store, (a for a, _ in keys))}
        ctx = context_for(self.store, list(docs.values()))
        built = {i: views.advice_view(doc, self.as_of, ctx) for i, doc in docs.items()}
        return [views.point_row(built[a], built[a]["points"][n - 1]) for a, n in keys if a in built]
