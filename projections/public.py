"""Queries for the pages: the public list of advice paged and filtered in SQL (body, year,
outcome), and the recent answers for the feeds. They read the tables `ViewStore.write_page` keeps
beside the documents, and build each listed advice with the same views as every other read.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from projections import views
from projections.fold import moment
from projections.log import canonical_id
from projections.point_list import context_for
from projections.read_model import ReadModel
from projections.records import AdviceView

# The outcome a point has now: its answer row with the highest position (0 is the point itself).
_LATEST = (
    "SELECT a.advice_id FROM {answers} a WHERE a.outcome = ? AND NOT EXISTS ("
    "SELECT 1 FROM {answers} b WHERE b.advice_id = a.advice_id AND b.point = a.point "
    "AND b.position > a.position)"
)
# The kinds of event a feed announces: answers (and changed answers), decisions, rejoinders.
FEED_TYPES = ("ResponseRecorded", "DecisionTaken", "RejoinderGiven")


@dataclass(frozen=True)
class AdvicePage:
    """One page of the public list: the advice views on it and how many match in all."""

    items: list[AdviceView]
    total: int


def _filters(body_id: str | None, year: int | None, outcome: str | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if body_id is not None:
        clauses.append("l.body_id = ?")
        params.append(body_id)
    if year is not None:
        clauses.append("l.year = ?")
        params.append(year)
    if outcome is not None:
        clauses.append(f"l.withdrawn = 0 AND l.id IN ({_LATEST})")
        params.append(outcome)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def advice_page(
    model: ReadModel,
    as_of: date,
    *,
    body_id: str | None = None,
    year: int | None = None,
    outcome: str | None = None,
    only: set[str] | None = None,
    page: int = 1,
    size: int = 20,
) -> AdvicePage:
    """Newest advice first; `outcome` keeps advice with a point at that outcome now, `only`
    (from a search) keeps the advice with these ids."""
    where, params = _filters(body_id, year, outcome)
    order = " ORDER BY l.submitted_on DESC, l.created_at DESC"
    # Only fixed SQL and "?" marks are put together here; every value travels as a parameter.
    select = "SELECT l.id FROM {listed} l" + where + order  # noqa: S608
    if only is None:
        count = "SELECT COUNT(*) FROM {listed} l" + where  # noqa: S608
        total = int(model.store.query(count, params)[0][0])
        rows = model.store.query(select + " LIMIT ? OFFSET ?", [*params, size, (page - 1) * size])
        ids = [str(row[0]) for row in rows]
    else:
        matching = [str(row[0]) for row in model.store.query(select, params)]
        matching = [i for i in matching if i in only]
        total = len(matching)
        ids = matching[(page - 1) * size : page * size]
    return AdvicePage(_views(model, ids, as_of), total)


def _views(model: ReadModel, ids: list[str], as_of: date) -> list[AdviceView]:
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    rows = model.store.query(f"SELECT id, doc FROM {{docs}} WHERE id IN ({marks})", ids)  # noqa: S608
    docs = {str(row[0]): orjson.loads(row[1]) for row in rows}
    ctx = context_for(model.store, list(docs.values()))  # names and decisions of these only
    return [views.advice_view(docs[i], as_of, ctx) for i in ids if i in docs]


def years(model: ReadModel) -> list[int]:
    """The years that have advice, newest first."""
    rows = model.store.query("SELECT DISTINCT year FROM {listed} ORDER BY year DESC")
    return [int(row[0]) for row in rows]


def recent_answers(
    model: ReadModel, limit: int = 50, upto: int | None = None
) -> list[dict[str, Any]]:
    """The newest answers, decisions and rejoinders, newest first: position, record, type,
    moment, the stored data and who recorded it."""
    rows = model.log.of_types(list(FEED_TYPES), upto, newest=limit)
    found = []
    for position, aggregate_id, _, topic, data in rows:
        state = orjson.loads(data)
        found.append(
            {
                "position": int(position),
                "aggregate_id": canonical_id(aggregate_id),
                "type": topic.rpartition(":")[2],
                "recorded_at": moment(state["timestamp"]),
                "actor": state.pop("meta"),
                "data": state,
            }
        )
    return found
