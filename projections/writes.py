"""How a page's documents replace their rows beside them: search rows (and the FTS5 index on
SQLite), the public list's rows and answers, the points view's rows, term changes and which
decisions name an advice. A rebuild replaces rows whole; a catch-up writes only what changed,
knowing the rows there from the documents as they were (no need to read them back).
"""

from collections import Counter
from collections.abc import Iterator, Sequence

from projections import search
from projections.counts import Counts, raise_horizon, settle_outcomes
from projections.fold import Doc
from projections.statements import Cursor, many, rows_of
from projections.tables import (
    Row,
    ViewTables,
    answer_rows,
    decided_rows,
    listed_row,
    move_rows,
    point_list_rows,
)

# One search row of a document, found by what it holds (its id goes to the FTS5 index).
_DELETE_POINT = (
    "DELETE FROM {points} WHERE id = (SELECT id FROM {points} WHERE doc_id = ? AND advice_id = ? "
    "AND point = ? AND text = ? LIMIT 1) RETURNING id"
)
# The documents of a page's `older` ids as the views held them (a catch-up), or None (a rebuild,
# which replaces their rows whole).
Before = Sequence[Doc] | None


SearchKey = tuple[str, str, int, tuple[str, ...]]


def search_keys(doc: Doc) -> Iterator[SearchKey]:
    """(document, advice, point, texts) of every point a document gives text to."""
    if doc["kind"] == "advice":
        for number, parts in search.advice_parts(doc):
            yield doc["id"], doc["id"], number, tuple(parts)
        return
    for advice_id, number, text in search.decision_texts(doc):
        yield doc["id"], advice_id, number, (text,)


def search_row(tables: ViewTables, key: SearchKey) -> Row:
    """A point's search row: its texts as the engine indexes them (stems on SQLite)."""
    doc_id, advice_id, number, parts = key
    text = search.stemmed_parts(parts) if tables.backend == "sqlite" else "\n".join(parts)
    return doc_id, advice_id, number, text


def replace_search_rows(
    tables: ViewTables, cursor: Cursor, docs: Sequence[Doc], older: list[Row], before: Before
) -> None:
    """The search rows of these documents, replaced (`older`: the ids that have rows; `before`:
    those documents as the views held them, None in a rebuild)."""
    insert = tables.sql("INSERT INTO {points} (doc_id, advice_id, point, text) VALUES (?, ?, ?, ?)")
    if before is None:
        # A rebuild: the FTS5 index is left alone (`bulk_load` builds it once at the end),
        # and a document written by an earlier page has its rows replaced whole.
        cursor.executemany(tables.sql("DELETE FROM {points} WHERE doc_id = ?"), older)
        rows = (search_row(tables, key) for doc in docs for key in search_keys(doc))
        cursor.executemany(insert, rows)
        return
    # A catch-up changes a point or two of a document: only rows whose text changed are
    # replaced, in the table and in the FTS5 index (a response used to rewrite them all). The
    # rows there are those of the documents as they were: no need to read them back.
    # Compared by their texts; only the rows that changed are stemmed.
    wanted = Counter(key for doc in docs for key in search_keys(doc))
    had = Counter(key for doc in before for key in search_keys(doc))
    sqlite = tables.backend == "sqlite"
    stale = []
    for row in (search_row(tables, key) for key in (had - wanted).elements()):
        cursor.execute(tables.sql(_DELETE_POINT), row)
        found = cursor.fetchone()
        if found is not None:
            stale.append((found[0], row[3]))
    added = [search_row(tables, key) for key in (wanted - had).elements()]
    if not sqlite:
        many(cursor, insert, added)
        return
    many(
        cursor,
        "INSERT INTO view_search_v2 (view_search_v2, rowid, text) VALUES ('delete', ?, ?)",
        stale,
    )
    indexed = []
    for row in added:
        cursor.execute(insert + " RETURNING id", row)
        indexed.append((cursor.fetchone()[0], row[3]))
    many(cursor, "INSERT INTO view_search_v2 (rowid, text) VALUES (?, ?)", indexed)


def replace_list_rows(
    tables: ViewTables, cursor: Cursor, docs: Sequence[Doc], older: list[Row], before: Before
) -> None:
    """The public list's rows of these advice and decision documents, replaced (`older`: the
    ids that have rows; `before`: those documents as the views held them, None in a rebuild)."""
    listed = [listed_row(doc) for doc in docs if doc["kind"] == "advice"]
    answers = [row for doc in docs for row in answer_rows(doc)]
    insert_listed = tables.sql("INSERT INTO {listed} VALUES (?, ?, ?, ?, ?, ?)")
    insert_answers = tables.sql("INSERT INTO {answers} VALUES (?, ?, ?, ?, ?, ?)")
    if before is None:
        cursor.executemany(tables.sql("DELETE FROM {listed} WHERE id = ?"), older)
        cursor.executemany(insert_listed, listed)
        cursor.executemany(tables.sql("DELETE FROM {answers} WHERE doc_id = ?"), older)
        cursor.executemany(insert_answers, answers)
        return
    # A catch-up: an answer adds a row or two to a document's; only the changes are written.
    have = {row[0]: row for row in (listed_row(doc) for doc in before if doc["kind"] == "advice")}
    changed = [row for row in listed if have.get(row[0]) != row]
    many(
        cursor,
        tables.sql("DELETE FROM {listed} WHERE id = ?"),
        [(row[0],) for row in changed if row[0] in have],
    )
    many(cursor, insert_listed, changed)
    wanted, had = Counter(answers), Counter(row for doc in before for row in answer_rows(doc))
    many(
        cursor,
        tables.sql(
            "DELETE FROM {answers} WHERE doc_id = ? AND advice_id = ? AND point = ? "
            "AND position = ? AND outcome = ?"
        ),
        [row[:5] for row in (had - wanted).elements()],
    )
    added = list((wanted - had).elements())
    many(cursor, insert_answers, added)
    raise_horizon(tables, cursor, [row[5] for row in added if row[3] > 0])


def replace_point_rows(
    tables: ViewTables, cursor: Cursor, docs: Sequence[Doc], older: list[Row], before: Before
) -> None:
    """The points view's rows and term changes of these advice documents, which advice these
    decisions name, and the points counted per body, year and outcome (`older`: the ids that
    have rows; `before`: those documents as the views held them, None in a rebuild). A catch-up
    writes a document's rows only when they changed, which an answer never does: it changes an
    outcome, `settle_outcomes`. A rebuild sets the outcomes and counts once at the end
    (`all_outcomes`)."""
    ids = [i for (i,) in older]
    advice = [doc for doc in docs if doc["kind"] == "advice"]
    rows = [row for doc in advice for row in point_list_rows(doc)]
    was = [doc for doc in before or () if doc["kind"] == "advice"]
    columns = (
        "advice_id, point, body_id, dossier_id, submitted_on, year, created_at, due_on, due_now"
    )
    had = None if before is None else [row for doc in was for row in point_list_rows(doc)]
    written, gone = _replace(tables, cursor, ("pointlist", "advice_id", columns), rows, ids, had)
    moves = [row for doc in advice for row in move_rows(doc)]
    had = None if before is None else [row for doc in was for row in move_rows(doc)]
    moved, _ = _replace(tables, cursor, ("moves", "advice_id", ""), moves, ids, had)
    decisions = [doc for doc in docs if doc["kind"] == "decision"]
    named = [row for doc in decisions for row in decided_rows(doc)]
    decided_ids = [d["id"] for d in decisions if d["id"] in set(ids)]
    had = None
    if before is not None:
        had = [row for doc in before if doc["kind"] == "decision" for row in decided_rows(doc)]
    _replace(tables, cursor, ("decided", "decision_id", ""), named, decided_ids, had)
    if before is None:
        return
    raise_horizon(tables, cursor, [row[2] for row in moved])
    # New rows start pending; removed ones take their outcome's count with them.
    counts = Counts(
        Counter((row[2], row[5], "pending") for row in written),
        Counter((row[2], row[8]) for row in written),
    )
    counts.outcomes.subtract((row[2], row[5], row[9]) for row in gone)
    counts.pending.subtract((row[2], row[8]) for row in gone if row[9] == "pending")
    # Whose outcome may have changed: every advice of the page, and those a decision answers.
    touched = [d["id"] for d in advice]
    touched += [d["advice_id"] for doc in decisions for d in doc["deviations"]]
    settle_outcomes(tables, cursor, list(dict.fromkeys(touched)), counts)


def _replace(
    tables: ViewTables,
    cursor: Cursor,
    table: tuple[str, str, str],
    rows: list[Row],
    ids: list[str],
    had: list[Row] | None,
) -> tuple[list[Row], list[Row]]:
    """Put `rows` (keyed by their first column) in `table` (its name, key and, when it has more
    columns, which keep their defaults, the ones given) in place of the rows of `ids`, unless
    those are the same; returns the rows written and the rows removed (whole). `had`: the rows
    of `ids` as their documents were, when known; the table is then read only when they
    changed (to return the removed rows whole)."""
    name, key, columns = table
    have = set(ids)
    width = len(rows[0]) if rows else 0
    mine = Counter(row for row in rows if row[0] in have)
    old: list[Row] = []
    same = had is not None and Counter(had) == mine
    if not same and ids:
        # Names from the callers' fixed strings only; the ids travel as parameters.
        select = f"SELECT * FROM {{{name}}} WHERE {key} IN ({{marks}})"  # noqa: S608
        old = rows_of(tables, cursor, select, ids)
        same = Counter(row[:width] for row in old) == mine
    if same or not ids:
        rows, old = [row for row in rows if row[0] not in have], []
    else:
        delete = f"DELETE FROM {{{name}}} WHERE {key} = ?"  # noqa: S608
        many(cursor, tables.sql(delete), [(i,) for i in ids])
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        named = f" ({columns})" if columns else ""
        insert = f"INSERT INTO {{{name}}}{named} VALUES ({marks})"  # noqa: S608
        cursor.executemany(tables.sql(insert), rows)
    return rows, old
