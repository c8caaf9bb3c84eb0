"""A rebuild folds large pages in memory and writes each document once per page; history and time
travel read the log itself. What it writes must be what the incremental catch-up writes, event by
event, wherever a page boundary falls; the views keep no copy of the log."""

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import psycopg
import pytest

from tests.integration.ledger_support import answer
from tests.integration.projection_story import views_of

if TYPE_CHECKING:
    from ledger import Actor, AdviceLedger
    from projections import ReadModel


@pytest.mark.parametrize("rebuild_page", [1, 4, 7, 10_000])
def test_a_rebuild_with_page_boundaries_inside_an_advice_equals_the_event_by_event_catch_up(
    ledger: "AdviceLedger",
    story: list[str],
    today: date,
    open_models: Callable[..., "ReadModel"],
    rebuild_page: int,
) -> None:
    model = open_models(1, rebuild_page)  # one event per transaction: the reference
    model.ensure_current()
    by_event = views_of(model, story, today)
    assert by_event["search"][0], "the story makes points findable"
    first, last = (by_event["history"][0][i]["position"] for i in (0, -1))
    # Pages end after positions rebuild_page, 2 * rebuild_page, …: one falls inside the advice.
    assert ((first - 1) // rebuild_page != (last - 1) // rebuild_page) == (rebuild_page < 10_000)

    assert model.rebuild() == ledger.last_position()

    assert views_of(model, story, today) == by_event


def test_catch_up_after_a_rebuild_continues_documents_the_rebuild_wrote(
    ledger: "AdviceLedger",
    office: "Actor",
    advice_id: UUID,
    story: list[str],
    submitted_on: date,
    today: date,
    open_models: Callable[..., "ReadModel"],
) -> None:
    model = open_models(10_000, 3)
    model.rebuild()
    answer(
        ledger,
        office,
        advice_id,
        submitted_on + timedelta(days=4),
        point=3,
        text="Nu toch over de brochure.",
    )
    model.ensure_current()
    # A later answer replaces the one point 1 was found by ("Antwoord 4 …"): only that row moves.
    answer(ledger, office, advice_id, submitted_on + timedelta(days=5), text="Herzien antwoord.")
    model.ensure_current()
    caught_up = views_of(model, story, today)
    assert caught_up["advice"][0]["points"][2]["outcome"] == "followed"
    assert caught_up["search"][4] == [(str(advice_id), 1)]
    assert caught_up["search"][5] == []
    if model.location.backend == "sqlite":
        with model.store.transaction(commit=True) as cursor:  # FTS5 checks against its content
            cursor.execute(
                "INSERT INTO view_search_v2 (view_search_v2, rank) VALUES ('integrity-check', 1)"
            )

    model.rebuild()

    assert views_of(model, story, today) == caught_up


def test_history_reads_the_log_and_is_the_same_before_and_after_a_rebuild(
    advice_id: UUID, story: list[str], open_models: Callable[..., "ReadModel"]
) -> None:
    from projections.fold import moment

    model = open_models(3, 2)
    model.ensure_current()
    before = model.history(str(advice_id))
    middle = before[len(before) // 2]["position"]
    before_middle = model.history(str(advice_id), upto=middle)

    model.rebuild()

    assert model.history(str(advice_id)) == before
    assert model.history(str(advice_id), upto=middle) == before_middle
    log = [row for row in model.log.read(0, 1000) if row.aggregate_id == str(advice_id)]
    assert [(h["position"], h["type"]) for h in before] == [(r.position, r.type) for r in log]
    assert [h["recorded_at"] for h in before] == [moment(r.state["timestamp"]) for r in log]
    # Time travel maps each recorded moment to its position, from the log alone.
    for row in log:
        assert model.position_at(moment(row.state["timestamp"])) == row.position
    assert model.position_at("2000-01-01T00:00:00.000000Z") == 0


def _view_columns(model: "ReadModel") -> dict[str, list[str]]:
    """Every table of the views and its columns, as the database lists them (on PostgreSQL the
    views share the municipality's schema with its log: theirs are the `views_` tables)."""
    location = model.location
    if location.backend == "sqlite":
        with sqlite3.connect(location.views_file) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return {t: [c[1] for c in conn.execute(f"PRAGMA table_info('{t}')")] for t in tables}
    assert location.server is not None
    with psycopg.connect(location.server.conninfo()) as conn:
        found: dict[str, list[str]] = {}
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s",
            (location.views_schema,),
        ):
            if table.startswith("views_"):
                found.setdefault(table, []).append(column)
        return found


def test_the_views_hold_no_copy_of_the_log(
    ledger: "AdviceLedger", story: list[str], open_models: Callable[..., "ReadModel"]
) -> None:
    model = open_models(3, 4)
    model.ensure_current()
    model.rebuild()

    columns = _view_columns(model)

    assert columns, "the views exist"
    assert not [t for t in columns if "event" in t], columns
    # No table keeps an event's stored state or its type: documents, search and list rows only.
    assert not [t for t, names in columns.items() if {"data", "state", "type"} & set(names)]
    tables = model.store.tables.names
    per_event = max(
        int(model.store.query(f"SELECT COUNT(*) FROM {{{name}}}")[0][0])  # noqa: S608
        for name in ("docs", "points", "listed")
    )
    assert per_event < ledger.last_position()
    assert "events" not in tables
