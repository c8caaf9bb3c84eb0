"""What a page moves besides the rows: each point's outcome now in its points view row, the
points counted per body, year and outcome (`{pointcount}`) and unanswered per body and due date
in force (`{pendingdue}`), and the horizon (`{latest}`): the latest answer's date and term
change's effective date. A catch-up settles them for the advice it touched; a rebuild sets them
all once at the end (`all_outcomes`)."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from projections.statements import Cursor, many, rows_of
from projections.tables import ViewTables

_SETTLE = (
    "SELECT p.advice_id, p.point, p.body_id, p.year, p.due_now, p.outcome, "
    "(SELECT a.outcome FROM {answers} a "
    "WHERE a.advice_id = p.advice_id AND a.point = p.point ORDER BY a.position DESC LIMIT 1) "
    "FROM {pointlist} p WHERE p.advice_id IN ({marks})"
)


@dataclass
class Counts:
    """How a page moves the counts: points per body, year and outcome (`{pointcount}`), and
    unanswered points per body and due date in force (`{pendingdue}`)."""

    outcomes: Counter[tuple[str, int, str]]
    pending: Counter[tuple[str, str]]


def settle_outcomes(
    tables: ViewTables, cursor: Cursor, advice_ids: list[str], counts: Counts
) -> None:
    """Each point of these advice gets the outcome of its latest answer (as `{answers}` holds
    it now) in its `{pointlist}` row; the counts move with it (and with `counts`, the rows the
    caller added and removed)."""
    changed = []
    for advice_id, point, body_id, year, due, was, now in rows_of(
        tables, cursor, _SETTLE, advice_ids
    ):
        if now is not None and now != was:
            changed.append((now, advice_id, point))
            counts.outcomes[(body_id, year, was)] -= 1
            counts.outcomes[(body_id, year, now)] += 1
            counts.pending[(body_id, due)] += int(now == "pending") - int(was == "pending")
    many(
        cursor,
        tables.sql("UPDATE {pointlist} SET outcome = ? WHERE advice_id = ? AND point = ?"),
        changed,
    )
    many(
        cursor,
        tables.sql(
            "INSERT INTO {pointcount} AS c VALUES (?, ?, ?, ?) "
            "ON CONFLICT (body_id, year, outcome) DO UPDATE SET points = c.points + excluded.points"
        ),
        [(body, year, outcome, n) for (body, year, outcome), n in counts.outcomes.items() if n],
    )
    many(
        cursor,
        tables.sql(
            "INSERT INTO {pendingdue} AS c VALUES (?, ?, ?) "
            "ON CONFLICT (body_id, due_on) DO UPDATE SET points = c.points + excluded.points"
        ),
        [(body, due, n) for (body, due), n in counts.pending.items() if n],
    )


def raise_horizon(tables: ViewTables, cursor: Cursor, dates: Iterable[str | None]) -> None:
    """The horizon (`{latest}`) moved on to the latest of these dates, if that is later."""
    latest = max((d for d in dates if d), default=None)
    if latest is None:
        return
    greatest = "MAX" if tables.backend == "sqlite" else "GREATEST"
    cursor.execute(
        tables.sql(
            "INSERT INTO {latest} AS l VALUES ('horizon', ?) ON CONFLICT (what) "  # noqa: S608
            f"DO UPDATE SET on_date = {greatest}(l.on_date, excluded.on_date)"  # a fixed word
        ),
        (latest,),
    )


def all_outcomes(tables: ViewTables, cursor: Cursor) -> None:
    """After a rebuild (with the indexes back): every point's outcome, and the counts anew."""
    cursor.execute(
        tables.sql(
            "UPDATE {pointlist} SET outcome = COALESCE((SELECT a.outcome FROM {answers} a "
            "WHERE a.advice_id = {pointlist}.advice_id AND a.point = {pointlist}.point "
            "ORDER BY a.position DESC LIMIT 1), 'pending')"
        )
    )
    for table in ("pointcount", "pendingdue", "latest"):
        cursor.execute(tables.sql(f"DELETE FROM {{{table}}}"))  # noqa: S608 - fixed names
    cursor.execute(
        tables.sql(
            "INSERT INTO {pointcount} SELECT body_id, year, outcome, COUNT(*) FROM {pointlist} "
            "GROUP BY body_id, year, outcome"
        )
    )
    cursor.execute(
        tables.sql(
            "INSERT INTO {pendingdue} SELECT body_id, due_now, COUNT(*) FROM {pointlist} "
            "WHERE outcome = 'pending' GROUP BY body_id, due_now"
        )
    )
    cursor.execute(
        tables.sql(
            "SELECT (SELECT MAX(given_on) FROM {answers} WHERE position > 0), "
            "(SELECT MAX(effective_on) FROM {moves})"
        )
    )
    raise_horizon(tables, cursor, cursor.fetchone())
