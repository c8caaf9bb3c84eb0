"""The view tables: their SQL (written once with `?`, adapted per backend) and the rows each
document has in them besides itself.

Placeholders: {docs} {points} {tracking} {meta} {listed} {answers} {pointlist} {pointcount}
{pendingdue} {latest} {moves} {decided} are table names, `?` a parameter.
"""

from collections.abc import Iterator
from typing import Any

from events.store import LogLocation
from projections.answers import due_on_at
from projections.fold import Doc

Row = tuple[Any, ...]

_TABLES = (
    "CREATE TABLE IF NOT EXISTS {meta} (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {docs} (id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
    "position BIGINT NOT NULL, body_id TEXT, doc {blob} NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {docs_index} ON {docs} (kind, body_id)",
    # What a point is found by (projections/search.py), one row per point and document that
    # contributes text to it (its advice; a decision's deviation). `text` is what the engine
    # indexes: Dutch stems on SQLite (FTS5 below), the text itself on PostgreSQL (dutch tsvector).
    "CREATE TABLE IF NOT EXISTS {points} (id {serial}, doc_id TEXT NOT NULL, "
    "advice_id TEXT NOT NULL, point INTEGER NOT NULL, text TEXT NOT NULL)",
    # Not deferred during a rebuild: a document written by an earlier page and changed again has
    # its rows replaced, found by this index.
    "CREATE INDEX IF NOT EXISTS {points_index} ON {points} (doc_id)",
    # The public list, paged and filtered in SQL (api/pages): one row per advice, and one per
    # answer of a point (position 0: the point itself, unanswered), so a point's outcome is the
    # outcome of its row with the highest position (projections/public.py), and a point is
    # pending at a business date while no answer row was given on or before it.
    "CREATE TABLE IF NOT EXISTS {listed} (id TEXT PRIMARY KEY, body_id TEXT NOT NULL, "
    "submitted_on TEXT NOT NULL, year INTEGER NOT NULL, created_at TEXT NOT NULL, "
    "withdrawn INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {listed_index} ON {listed} (submitted_on, created_at)",
    "CREATE TABLE IF NOT EXISTS {answers} (doc_id TEXT NOT NULL, advice_id TEXT NOT NULL, "
    "point INTEGER NOT NULL, position BIGINT NOT NULL, outcome TEXT NOT NULL, given_on TEXT)",
    "CREATE INDEX IF NOT EXISTS {answers_index} ON {answers} (advice_id, point, position)",
    "CREATE INDEX IF NOT EXISTS {answers_doc_index} ON {answers} (doc_id)",
    # The points view (`/punten`), paged and filtered in SQL (projections/point_list.py): one
    # row per point of an advice not withdrawn, with what its filters and order read; the
    # original due date, and the advice's term changes in {moves}, give the due date in force at
    # a business date. `outcome`: the point's outcome now, that of its row in {answers} with the
    # highest position, kept by `counts.settle_outcomes` (after a rebuild: `all_outcomes`).
    # `due_now`: the due date in force once every term change took effect (the latest
    # effective; ties: the later recorded), what `verlopen` compares at a business date on or
    # after every answer's date and every term change's effective date (the horizon below).
    "CREATE TABLE IF NOT EXISTS {pointlist} (advice_id TEXT NOT NULL, point INTEGER NOT NULL, "
    "body_id TEXT NOT NULL, dossier_id TEXT, submitted_on TEXT NOT NULL, year INTEGER NOT NULL, "
    "created_at TEXT NOT NULL, due_on TEXT NOT NULL, due_now TEXT NOT NULL, "
    "outcome TEXT NOT NULL DEFAULT 'pending', PRIMARY KEY (advice_id, point)){keyed}",
    "CREATE INDEX IF NOT EXISTS {pointlist_index} ON {pointlist} "
    "(submitted_on DESC, created_at DESC, advice_id, point)",
    "CREATE INDEX IF NOT EXISTS {pointlist_body_index} ON {pointlist} "
    "(body_id, submitted_on DESC, created_at DESC, advice_id, point)",
    "CREATE INDEX IF NOT EXISTS {pointlist_dossier_index} ON {pointlist} "
    "(dossier_id, submitted_on DESC, created_at DESC, advice_id, point)",
    # `due_now` last: `verlopen` past the horizon reads the unanswered points in order from
    # these and skips the ones not due yet without reading their rows.
    "CREATE INDEX IF NOT EXISTS {pointlist_outcome_index} ON {pointlist} "
    "(outcome, submitted_on DESC, created_at DESC, advice_id, point, due_now)",
    "CREATE INDEX IF NOT EXISTS {pointlist_body_outcome_index} ON {pointlist} "
    "(body_id, outcome, submitted_on DESC, created_at DESC, advice_id, point, due_now)",
    # How many points each body has per year and outcome now: the length of the points view,
    # whole or of a body, year or outcome, without counting its rows.
    "CREATE TABLE IF NOT EXISTS {pointcount} (body_id TEXT NOT NULL, year INTEGER NOT NULL, "
    "outcome TEXT NOT NULL, points BIGINT NOT NULL, PRIMARY KEY (body_id, year, outcome)){keyed}",
    # How many points of each body are unanswered now, per due date in force (`due_now`): the
    # length of `verlopen=true` at a business date on or after the horizon, whatever the size.
    "CREATE TABLE IF NOT EXISTS {pendingdue} (body_id TEXT NOT NULL, due_on TEXT NOT NULL, "
    "points BIGINT NOT NULL, PRIMARY KEY (body_id, due_on)){keyed}",
    # The horizon: the latest answer's date and term change's effective date (`what`:
    # 'horizon'); none while there is neither.
    "CREATE TABLE IF NOT EXISTS {latest} (what TEXT PRIMARY KEY, on_date TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {moves} (advice_id TEXT NOT NULL, seq INTEGER NOT NULL, "
    "effective_on TEXT NOT NULL, new_due_on TEXT NOT NULL, PRIMARY KEY (advice_id, seq)){keyed}",
    # Which decisions name each advice (in `advice_ids` or a deviation): what one advice's view
    # needs of the decisions, without reading the others.
    "CREATE TABLE IF NOT EXISTS {decided} (decision_id TEXT NOT NULL, advice_id TEXT NOT NULL, "
    "PRIMARY KEY (decision_id, advice_id)){keyed}",
    "CREATE INDEX IF NOT EXISTS {decided_index} ON {decided} (advice_id)",
)
# The FTS5 index of the stems in {points} (external content: it stores no copy). write_page keeps
# it current, except during a rebuild, which builds it in one pass at the end (`bulk_load`); no
# triggers, as creating one takes the write lock even when it exists already.
_SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS view_search_v2 USING fts5(text, content='view_points_v2', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
)
_POSTGRES_SEARCH = (
    "ALTER TABLE {points} ADD COLUMN IF NOT EXISTS words tsvector "
    "GENERATED ALWAYS AS (to_tsvector('dutch', text)) STORED",
    "CREATE INDEX IF NOT EXISTS {search_index} ON {points} USING GIN (words)",
)
# The secondary indexes, which only queries use: a rebuild builds them once at the end.
_INDEXES = {
    "docs_index": "view_docs_kind_v2",
    "listed_index": "view_listed_order_v3",
    "answers_index": "view_answers_point_v5",
    "pointlist_index": "view_pointlist_order_v7",
    "pointlist_body_index": "view_pointlist_body_v7",
    "pointlist_dossier_index": "view_pointlist_dossier_v7",
    "pointlist_outcome_index": "view_pointlist_outcome_v7",
    "pointlist_body_outcome_index": "view_pointlist_body_outcome_v7",
    "decided_index": "view_decided_advice_v5",
}
# The search index on PostgreSQL, also built once at the end of a rebuild.
_POSTGRES_SEARCH_INDEX = "views_points_words_v2"
# Tables of earlier versions, dropped when a store moves to this one (`events_v2`: the copy of
# the log the views held up to version 3; `answers_v3`: the answers without their date, to 4;
# the points view and its counts without the outcome, version 5; without `due_now`, 6).
_OLD_TABLES = (
    "docs",
    "events",
    "events_v2",
    "answers_v3",
    "pointlist_v5",
    "pointcount_v5",
    "pointlist_v6",
)
# Each table's name, on SQLite (prefix `view_`) and PostgreSQL (`views_`, in the views schema).
_NAMES = {
    "docs": "docs_v2",
    "points": "points_v2",
    "meta": "meta",
    "listed": "listed_v3",
    "answers": "answers_v5",
    "pointlist": "pointlist_v7",
    "pendingdue": "pendingdue_v7",
    "latest": "latest_v7",
    "pointcount": "pointcount_v6",
    "moves": "moves_v5",
    "decided": "decided_v5",
}


class ViewTables:
    """SQL for the view tables, written once with `?` and adapted per backend."""

    def __init__(self, location: LogLocation) -> None:
        self.backend = location.backend
        # PostgreSQL keeps an index in its table's schema, so dropping one names the schema.
        self.index_schema = "" if location.backend == "sqlite" else f'"{location.views_schema}".'
        if location.backend == "sqlite":
            self.names = {key: f"view_{name}" for key, name in _NAMES.items()}
            self.names["tracking"] = "tracking"
            self.old = [f"view_{name}" for name in _OLD_TABLES]
            self.blob = "BLOB"
            self.serial = "INTEGER PRIMARY KEY"
        else:
            schema = location.views_schema  # from a checked slug: letters, digits, underscores
            self.names = {key: f'"{schema}"."views_{name}"' for key, name in _NAMES.items()}
            self.names["tracking"] = f'"{schema}"."views_tracking"'
            self.old = [f'"{schema}"."views_{name}"' for name in _OLD_TABLES]
            self.blob = "BYTEA"
            self.serial = "BIGSERIAL PRIMARY KEY"
        self._filled: dict[str, str] = {}
        # The tables that hold views (every one but the version and the tracking position).
        self.views = [name for key, name in self.names.items() if key not in ("meta", "tracking")]

    def sql(self, text: str) -> str:
        """`text` for this backend: names filled in, `?` as the driver marks parameters. Kept per
        text (a few dozen, and the `IN` lists of up to 500 marks): a catch-up asks for twenty."""
        found = self._filled.get(text)
        if found is None:
            found = self._filled[text] = self._fill(text)
        return found

    def _fill(self, text: str) -> str:
        filled = text.format(
            blob=self.blob,
            serial=self.serial,
            # SQLite: a table kept in its key's order, one B-tree rather than a table and an index.
            keyed=" WITHOUT ROWID" if self.backend == "sqlite" else "",
            points_index="view_points_doc_v2",
            answers_doc_index="view_answers_doc_v5",
            search_index=_POSTGRES_SEARCH_INDEX,
            **_INDEXES,
            **self.names,
        )
        return filled if self.backend == "sqlite" else filled.replace("?", "%s")

    def create_statements(self) -> list[str]:
        search = _SQLITE_SEARCH if self.backend == "sqlite" else _POSTGRES_SEARCH
        return [self.sql(statement) for statement in (*_TABLES, *search)]

    def answers_index_statement(self) -> str:
        """The index a point's latest answer is found by (see `counts.all_outcomes`)."""
        name = _INDEXES["answers_index"]
        return next(s for s in self.create_statements() if f" {name} " in s)

    def drop_index_statements(self) -> list[str]:
        names = list(_INDEXES.values())
        if self.backend != "sqlite":
            names.append(_POSTGRES_SEARCH_INDEX)
        return [f"DROP INDEX IF EXISTS {self.index_schema}{name}" for name in names]


# The rows documents have besides themselves --------------------------------------------------


def answer_rows(doc: Doc) -> Iterator[Row]:
    """(document, advice, point, position, outcome, given on): every point of an advice
    (position 0, pending) and every answer its responses and a decision's deviations gave."""
    if doc["kind"] == "decision":
        for d in doc["deviations"]:
            yield (
                doc["id"],
                d["advice_id"],
                d["point"],
                doc["position"],
                d["outcome"],
                doc["decided_on"],
            )
        return
    for point in doc["points"]:
        yield doc["id"], doc["id"], point["number"], 0, "pending", None
        for r in point["responses"]:
            yield doc["id"], doc["id"], point["number"], r["position"], r["outcome"], r["given_on"]


def listed_row(doc: Doc) -> Row:
    """An advice's row in the public list: id, body, date, year, moment, withdrawn."""
    return (
        doc["id"],
        doc["body_id"],
        doc["submitted_on"],
        int(doc["submitted_on"][:4]),
        doc["created_at"],
        int(doc["withdrawal"] is not None),
    )


def point_list_rows(doc: Doc) -> Iterator[Row]:
    """An advice's rows in the points view: none once it is withdrawn."""
    if doc["withdrawal"] is not None:
        return
    year = int(doc["submitted_on"][:4])
    due_now = due_on_at(doc, "9999-12-31")
    for point in doc["points"]:
        yield (
            doc["id"],
            point["number"],
            doc["body_id"],
            doc["dossier_id"],
            doc["submitted_on"],
            year,
            doc["created_at"],
            doc["due_on"],
            due_now,
        )


def move_rows(doc: Doc) -> Iterator[Row]:
    """An advice's term changes, in the order recorded (ties of `effective_on`: the later)."""
    for seq, move in enumerate(doc["due_date_moves"]):
        yield doc["id"], seq, move["effective_on"], move["new_due_on"]


def decided_rows(doc: Doc) -> list[Row]:
    """(decision, advice) for every advice a decision names."""
    named = {*doc["advice_ids"], *(d["advice_id"] for d in doc["deviations"])}
    return [(doc["id"], advice_id) for advice_id in sorted(named)]
