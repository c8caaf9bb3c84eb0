"""A rebuild folds large pages in memory and writes each document once per page; history and time
travel read the log itself. What it writes must be what the incremental catch-up writes, event by
event, wherever a page boundary falls; the views keep no copy of the log."""

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
import psycopg
import pytest

if TYPE_CHECKING:
    from events.store import StoreUrl
    from ledger import Actor, AdviceLedger
    from projections import ReadModel


@pytest.fixture
def open_model(
    store_url: "StoreUrl", municipality: str
) -> Iterator[Callable[[int, int], "ReadModel"]]:
    from projections import ReadModel

    opened: list[ReadModel] = []

    def open_(page_size: int, rebuild_page: int) -> ReadModel:
        model = ReadModel(store_url.location(municipality), page_size, rebuild_page)
        opened.append(model)
        return model

    yield open_
    for model in opened:
        model.close()


def _story(
    ledger: "AdviceLedger",
    office: "Actor",
    member: "Actor",
    body_id: UUID,
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
) -> list[UUID]:
    """Two advices whose events interleave, answers that replace answers, a decision that
    deviates, a rejoinder: every view table gets rows, and each advice spans many positions."""
    from events import Deviation, Outcome, Verdict

    second = ledger.submit_advice(
        office,
        body_id=body_id,
        title="Tweede advies over mantelzorgers",
        submitted_on=submitted_on,
        solicited=False,
        points=["Ondersteun mantelzorgers.", "Verkort de wachttijd."],
        dossier_id=dossier_id,
    ).id
    given = submitted_on + timedelta(days=2)
    for n, (advice, point, outcome) in enumerate(
        [
            (advice_id, 1, Outcome.FOLLOWED),
            (second, 1, Outcome.DEFERRED),
            (advice_id, 2, Outcome.NOT_FOLLOWED),
            (second, 2, Outcome.FOLLOWED),
            (advice_id, 1, Outcome.PARTIALLY_FOLLOWED),
            (second, 1, Outcome.NOT_FOLLOWED),
        ]
    ):
        ledger.record_response(
            office,
            advice_id=advice,
            point=point,
            outcome=outcome,
            text=f"Antwoord {n} over de brochure.",
            given_on=given,
            reasons=None if outcome is Outcome.FOLLOWED else "Te duur voor de begroting.",
        )
    ledger.give_rejoinder(
        member, advice_id=advice_id, verdict=Verdict.NOT_SATISFIED, text="Jammer.", point=2
    )
    ledger.take_decision(
        office,
        dossier_id=dossier_id,
        title="Besluit",
        decided_on=submitted_on + timedelta(days=3),
        advice_ids=[advice_id, second],
        deviations=[Deviation(advice_id, 3, "Anders besloten vanwege de wachttijden.")],
    )
    return [advice_id, second]


def _rows(model: "ReadModel", text: str) -> list[tuple[Any, ...]]:
    return sorted(model.store.query(text), key=repr)


def _views(model: "ReadModel", ids: list[str], today: date) -> dict[str, Any]:
    """Everything the views hold, table by table (documents decoded), and what reads answer."""
    return {
        "position": model.position(),
        "docs": sorted(
            (i, k, p, b, orjson.loads(d))
            for i, k, p, b, d in model.store.query(
                "SELECT id, kind, position, body_id, doc FROM {docs}"
            )
        ),
        "points": _rows(model, "SELECT doc_id, advice_id, point, text FROM {points}"),
        "listed": _rows(model, "SELECT * FROM {listed}"),
        "answers": _rows(model, "SELECT * FROM {answers}"),
        "search": [
            sorted(model.search(q))
            for q in ("brochure", "mantelzorger", "wachttijden", "duur", "herzien", "antwoord 4")
        ],
        "advice": [model.advice(i, today) for i in ids],
        "history": [model.history(i) for i in ids],
    }


@pytest.mark.parametrize("rebuild_page", [1, 4, 7, 10_000])
def test_a_rebuild_with_page_boundaries_inside_an_advice_equals_the_event_by_event_catch_up(
    ledger: "AdviceLedger",
    office: "Actor",
    member: "Actor",
    body_id: UUID,
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
    today: date,
    open_model: Callable[[int, int], "ReadModel"],
    rebuild_page: int,
) -> None:
    ids = [
        str(i) for i in _story(ledger, office, member, body_id, dossier_id, advice_id, submitted_on)
    ]
    model = open_model(1, rebuild_page)  # one event per transaction: the reference
    model.ensure_current()
    by_event = _views(model, ids, today)
    assert by_event["search"][0], "the story makes points findable"
    first, last = (by_event["history"][0][i]["position"] for i in (0, -1))
    # Pages end after positions rebuild_page, 2 * rebuild_page, …: one falls inside the advice.
    assert ((first - 1) // rebuild_page != (last - 1) // rebuild_page) == (rebuild_page < 10_000)

    assert model.rebuild() == ledger.last_position()

    assert _views(model, ids, today) == by_event


def test_catch_up_after_a_rebuild_continues_documents_the_rebuild_wrote(
    ledger: "AdviceLedger",
    office: "Actor",
    member: "Actor",
    body_id: UUID,
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
    today: date,
    open_model: Callable[[int, int], "ReadModel"],
) -> None:
    from events import Outcome

    ids = [
        str(i) for i in _story(ledger, office, member, body_id, dossier_id, advice_id, submitted_on)
    ]
    model = open_model(10_000, 3)
    model.rebuild()
    ledger.record_response(
        office,
        advice_id=advice_id,
        point=3,
        outcome=Outcome.FOLLOWED,
        text="Nu toch over de brochure.",
        given_on=submitted_on + timedelta(days=4),
    )
    model.ensure_current()
    # A later answer replaces the one point 1 was found by ("Antwoord 4 …"): only that row moves.
    ledger.record_response(
        office,
        advice_id=advice_id,
        point=1,
        outcome=Outcome.FOLLOWED,
        text="Herzien antwoord.",
        given_on=submitted_on + timedelta(days=5),
    )
    model.ensure_current()
    caught_up = _views(model, ids, today)
    assert caught_up["advice"][0]["points"][2]["outcome"] == "followed"
    assert caught_up["search"][4] == [(str(advice_id), 1)]
    assert caught_up["search"][5] == []
    if model.location.backend == "sqlite":
        with model.store.transaction(commit=True) as cursor:  # FTS5 checks against its content
            cursor.execute(
                "INSERT INTO view_search_v2 (view_search_v2, rank) VALUES ('integrity-check', 1)"
            )

    model.rebuild()

    assert _views(model, ids, today) == caught_up


def test_history_reads_the_log_and_is_the_same_before_and_after_a_rebuild(
    ledger: "AdviceLedger",
    office: "Actor",
    member: "Actor",
    body_id: UUID,
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
    open_model: Callable[[int, int], "ReadModel"],
) -> None:
    from projections.fold import moment

    _story(ledger, office, member, body_id, dossier_id, advice_id, submitted_on)
    model = open_model(3, 2)
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
    ledger: "AdviceLedger",
    office: "Actor",
    member: "Actor",
    body_id: UUID,
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
    open_model: Callable[[int, int], "ReadModel"],
) -> None:
    _story(ledger, office, member, body_id, dossier_id, advice_id, submitted_on)
    model = open_model(3, 4)
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
