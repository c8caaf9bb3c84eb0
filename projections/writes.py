"""How a page's documents replace their rows beside them: search rows (and the FTS5 index on
SQLite), the public list's rows and answers, the points view's rows, term changes and which
decisions name an advice. A rebuild (`bulk`) replaces rows whole; a catch-up writes only what
changed where a document has many rows.
"""

from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from projections import search
from projections.fold import Doc
from projections.tables import (
    Row,
    ViewTables,
    answer_rows,
    decided_rows,
    listed_row,
    move_rows,
    point_list_rows,
)

# The rows documents have, for a catch-up that writes only what changed (`{marks}`: the ids).
_POINTS_OF = "SELECT id, doc_id, advice_id, point, text FROM {points} WHERE doc_id IN ({marks})"
_LISTED_OF = "SELECT * FROM {listed} WHERE id IN ({marks})"
_ANSWERS_OF = (
    "SELECT doc_id, advice_id, point, position, outcome, given_on FROM {answers} "
    "WHERE doc_id IN ({marks})"
)


class Cursor(Protocol):
    def execute(self, query: Any, params: Any = ..., /) -> Any: ...
    def executemany(self, query: Any, params_seq: Any, /) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...


def rows_of(tables: ViewTables, cursor: Cursor, select: str, ids: Sequence[str]) -> list[Row]:
    """The rows a `select` (with `{marks}` for the ids) finds for these documents."""
    found: list[Row] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        # Only "?" marks are interpolated; the ids travel as parameters.
        cursor.execute(tables.sql(select.replace("{marks}", ",".join("?" * len(chunk)))), chunk)
        found.extend(tuple(row) for row in cursor.fetchall())
    return found


def search_rows(tables: ViewTables, doc: Doc) -> list[Row]:
    """(document, advice, point, text) of every point a document gives text to."""
    stemmed = tables.backend == "sqlite"
    if doc["kind"] == "advice":
        return [
            (
                doc["id"],
                doc["id"],
                number,
                search.stemmed_parts(parts) if stemmed else "\n".join(parts),
            )
            for number, parts in search.advice_parts(doc)
        ]
    return [
        (doc["id"], advice_id, number, search.stemmed(text) if stemmed else text)
        for advice_id, number, text in search.decision_texts(doc)
    ]


def replace_search_rows(
    tables: ViewTables, cursor: Cursor, docs: Sequence[Doc], older: list[Row], bulk: bool
) -> None:
    """The search rows of these documents, replaced (`older`: the ids that have rows)."""
    insert = tables.sql("INSERT INTO {points} (doc_id, advice_id, point, text) VALUES (?, ?, ?, ?)")
    if bulk:
        # A rebuild: the FTS5 index is left alone (`bulk_load` builds it once at the end),
        # and a document written by an earlier page has its rows replaced whole.
        cursor.executemany(tables.sql("DELETE FROM {points} WHERE doc_id = ?"), older)
        cursor.executemany(insert, (row for doc in docs for row in search_rows(tables, doc)))
        return
    # A catch-up changes a point or two of a document: only rows whose text changed are
    # replaced, in the table and in the FTS5 index (a response used to rewrite them all).
    wanted = Counter(row for doc in docs for row in search_rows(tables, doc))
    stale: list[tuple[int, str]] = []
    for found in rows_of(tables, cursor, _POINTS_OF, [i for (i,) in older]):
        key = tuple(found[1:])
        if wanted[key] > 0:
            wanted[key] -= 1  # unchanged: kept as it is
        else:
            stale.append((found[0], key[3]))
    added = list(wanted.elements())
    sqlite = tables.backend == "sqlite"
    if sqlite:
        cursor.executemany(
            "INSERT INTO view_search_v2 (view_search_v2, rowid, text) VALUES ('delete', ?, ?)",
            stale,
        )
    cursor.executemany(tables.sql("DELETE FROM {points} WHERE id = ?"), [(i,) for i, _ in stale])
    if not sqlite:
        cursor.executemany(insert, added)
        return
    indexed = []
    for row in added:
        cursor.execute(insert + " RETURNING id", row)
        indexed.append((cursor.fetchone()[0], row[3]))
    cursor.executemany("INSERT INTO view_search_v2 (rowid, text) VALUES (?, ?)", indexed)


def replace_list_rows(
    tables: ViewTables, cursor: Cursor, docs: Sequence[Doc], older: list[Row], bulk: bool
) -> None:
    """The public list's rows of these advice and decision documents, replaced (`older`:
    the ids that have rows)."""
    listed = [listed_row(doc) for doc in docs if doc["kind"] == "advice"]
    answers = [row for doc in docs for row in answer_rows(doc)]
    insert_listed = tables.sql("INSERT INTO {listed} VALUES (?, ?, ?, ?, ?, ?)")
    insert_answers = tables.sql("INSERT INTO {answers} VALUES (?, ?, ?, ?, ?, ?)")
    if bulk or not older:
        cursor.executemany(tables.sql("DELETE FROM {listed} WHERE id = ?"), older)
        cursor.executemany(insert_listed, listed)
        cursor.executemany(tables.sql("DELETE FROM {answers} WHERE doc_id = ?"), older)
        cursor.executemany(insert_answers, answers)
        return
    # A catch-up: an answer adds a row or two to a document's; only the changes are written.
    ids = [i for (i,) in older]
    have = {row[0]: row for row in rows_of(tables, cursor, _LISTED_OF, ids)}
    changed = [row for row in listed if have.get(row[0]) != row]
    cursor.executemany(
        tables.sql("DELETE FROM {listed} WHERE id = ?"),
        [(row[0],) for row in changed if row[0] in have],
    )
    cursor.executemany(insert_listed, changed)
    wanted = Counter(answers)
    stale = []
    for row in rows_of(tables, cursor, _ANSWERS_OF, ids):
        if wanted[row] > 0:
            wanted[row] -= 1  # unchanged: kept as it is
        else:
            stale.append(row[:5])
    cursor.executemany(
        tables.sql(
            "DELETE FROM {answers} WHERE doc_id = ? AND advice_id = ? AND point = ? "
            "AND position = ? AND outcome = ?"
        ),
        stale,
    )
    cursor.executemany(insert_answers, list(wanted.elements()))


def replace_point_rows(
    tables: ViewTables, cursor: Cursor, docs: Sequence[Doc], older: list[Row], bulk: bool
) -> None:
    """The points view's rows and term changes of these advice documents, which advice these
    decisions name, and the points counted per body, year and outcome (`older`: the ids that
    have rows; a catch-up writes a document's rows only when they changed, which an answer never
    does: it changes an outcome, `settle_outcomes`). A rebuild (`bulk`) sets the outcomes and
    counts once at the end (`all_outcomes`)."""
    ids = [i for (i,) in older]
    advice = [doc for doc in docs if doc["kind"] == "advice"]
    rows = [row for doc in advice for row in point_list_rows(doc)]
    columns = "advice_id, point, body_id, dossier_id, submitted_on, year, created_at, due_on"
    written, gone = _replace(tables, cursor, "pointlist", "advice_id", rows, ids, columns)
    moves = [row for doc in advice for row in move_rows(doc)]
    _replace(tables, cursor, "moves", "advice_id", moves, ids)
    decisions = [doc for doc in docs if doc["kind"] == "decision"]
    named = [row for doc in decisions for row in decided_rows(doc)]
    decided_ids = [d["id"] for d in decisions if d["id"] in set(ids)]
    _replace(tables, cursor, "decided", "decision_id", named, decided_ids)
    if bulk:
        return
    # New rows start pending; removed ones take their outcome's count with them.
    counts: Counter[tuple[str, int, str]] = Counter((row[2], row[5], "pending") for row in written)
    counts.subtract((row[2], row[5], row[8]) for row in gone)
    # Whose outcome may have changed: every advice of the page, and those a decision answers.
    touched = [d["id"] for d in advice]
    touched += [d["advice_id"] for doc in decisions for d in doc["deviations"]]
    settle_outcomes(tables, cursor, list(dict.fromkeys(touched)), counts)


_SETTLE = (
    "SELECT p.advice_id, p.point, p.body_id, p.year, p.outcome, (SELECT a.outcome FROM {answers} a "
    "WHERE a.advice_id = p.advice_id AND a.point = p.point ORDER BY a.position DESC LIMIT 1) "
    "FROM {pointlist} p WHERE p.advice_id IN ({marks})"
)


def settle_outcomes(
    tables: ViewTables, cursor: Cursor, advice_ids: list[str], counts: Counter[tuple[str, int, str]]
) -> None:
    """Each point of these advice gets the outcome of its latest answer (as `{answers}` holds
    it now) in its `{pointlist}` row; the counts move with it (and with `counts`, the rows the
    caller added and removed)."""
    changed = []
    for advice_id, point, body_id, year, was, now in rows_of(tables, cursor, _SETTLE, advice_ids):
        if now is not None and now != was:
            changed.append((now, advice_id, point))
            counts[(body_id, year, was)] -= 1
            counts[(body_id, year, now)] += 1
    cursor.executemany(
        tables.sql("UPDATE {pointlist} SET outcome = ? WHERE advice_id = ? AND point = ?"), changed
    )
    cursor.executemany(
        tables.sql(
            "INSERT INTO {pointcount} AS c VALUES (?, ?, ?, ?) "
            "ON CONFLICT (body_id, year, outcome) DO UPDATE SET points = c.points + excluded.points"
        ),
        [(body, year, outcome, n) for (body, year, outcome), n in counts.items() if n],
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
    cursor.execute(tables.sql("DELETE FROM {pointcount}"))
    cursor.execute(
        tables.sql(
            "INSERT INTO {pointcount} SELECT body_id, year, outcome, COUNT(*) FROM {pointlist} "
            "GROUP BY body_id, year, outcome"
        )
    )


def _replace(
    tables: ViewTables,
    cursor: Cursor,
    table: str,
    key: str,
    rows: list[Row],
    ids: list[str],
    columns: str = "",
) -> tuple[list[Row], list[Row]]:
    """Put `rows` (keyed by their first column; of `columns`, when the table has more, which
    keep their defaults) in `table` in place of the rows of `ids`, unless those are the same;
    returns the rows written and the rows removed (whole)."""
    # Names from the callers' fixed strings only; the ids travel as parameters.
    select = f"SELECT * FROM {{{table}}} WHERE {key} IN ({{marks}})"  # noqa: S608
    old = rows_of(tables, cursor, select, ids) if ids else []
    have = set(ids)
    width = len(rows[0]) if rows else 0
    if Counter(row[:width] for row in old) == Counter(row for row in rows if row[0] in have):
        rows, old = [row for row in rows if row[0] not in have], []
    else:
        delete = f"DELETE FROM {{{table}}} WHERE {key} = ?"  # noqa: S608
        cursor.executemany(tables.sql(delete), [(i,) for i in ids])
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        named = f" ({columns})" if columns else ""
        insert = f"INSERT INTO {{{table}}}{named} VALUES ({marks})"  # noqa: S608
        cursor.executemany(tables.sql(insert), rows)
    return rows, old
