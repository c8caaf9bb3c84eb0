"""A rebuild that fails leaves the views serving; a log missing an event is named, not folded;
a damaged views file is made anew from the log."""

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from tests.integration.ledger_support import answer

if TYPE_CHECKING:
    from ledger import Actor, AdviceLedger
    from projections import ReadModel
    from projections.records import AdviceView


@pytest.fixture
def open_models(open_models: Callable[..., "ReadModel"]) -> Callable[[], "ReadModel"]:
    """The read models of these tests take pages of three events: a catch-up takes several."""
    return partial(open_models, page_size=3)


@pytest.fixture
def answer_all(
    ledger: "AdviceLedger", office: "Actor", advice_id: UUID, submitted_on: date
) -> Callable[[], None]:
    """Answers the advice's three points, a day after it was given, when the test says so."""

    def answer_all_() -> None:
        for point in (1, 2, 3):
            on = submitted_on + timedelta(days=1)
            answer(ledger, office, advice_id, on, point=point, text=f"Ja {point}.")

    return answer_all_


AdviceIn = Callable[["ReadModel"], "AdviceView | None"]


@pytest.fixture
def advice_in(advice_id: UUID, today: date) -> AdviceIn:
    """The test's advice as a read model shows it today."""
    return lambda model: model.advice(str(advice_id), today)


def _delete_event(ledger: "AdviceLedger", position: int) -> None:
    """What an attacker or a bad disk might do: one stored event gone."""
    location = ledger.location
    if location.backend == "sqlite":
        import sqlite3

        with sqlite3.connect(location.events_file) as conn:
            conn.execute("DELETE FROM stored_events WHERE rowid = ?", (position,))
        return
    assert location.server is not None
    with psycopg.connect(location.server.conninfo(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DELETE FROM {}.{} WHERE notification_id = %s").format(
                sql.Identifier(location.schema), sql.Identifier(location.events_table)
            ),
            (position,),
        )


def test_a_rebuild_over_a_log_missing_an_event_names_it_and_leaves_the_views_serving(
    ledger: "AdviceLedger",
    answer_all: Callable[[], None],
    open_models: Callable[[], "ReadModel"],
    advice_in: AdviceIn,
) -> None:
    from projections.read_model import LogDamagedError

    answer_all()
    model = open_models()
    model.ensure_current()
    before = advice_in(model)
    position = model.position()
    missing = ledger.last_position() - 1
    _delete_event(ledger, missing)

    with pytest.raises(LogDamagedError, match=f"positie {missing} ontbreekt"):
        model.rebuild()

    assert model.position() == position
    assert advice_in(model) == before
    assert advice_in(open_models()) == before


def test_catching_up_over_a_missing_event_stops_before_it(
    ledger: "AdviceLedger",
    answer_all: Callable[[], None],
    open_models: Callable[[], "ReadModel"],
) -> None:
    from projections.read_model import LogDamagedError

    model = open_models()
    model.ensure_current()
    position = model.position()
    answer_all()
    _delete_event(ledger, position + 1)

    with pytest.raises(LogDamagedError, match=f"positie {position + 1} ontbreekt"):
        model.ensure_current()

    assert model.position() == position


def test_a_successful_rebuild_replaces_the_views_for_a_reader_that_stays_open(
    ledger: "AdviceLedger",
    answer_all: Callable[[], None],
    open_models: Callable[[], "ReadModel"],
    advice_in: AdviceIn,
) -> None:
    serving, rebuilding = open_models(), open_models()
    serving.ensure_current()
    answer_all()

    assert rebuilding.rebuild() == ledger.last_position()

    view = advice_in(serving)
    assert view is not None
    assert view["status"] == "answered"
    assert serving.position() == ledger.last_position()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # views files are SQLite's
@pytest.mark.parametrize("damage", [b"dit is geen database" * 500, b"\x00" * 8192])
def test_a_damaged_views_file_is_made_anew_from_the_log(
    ledger: "AdviceLedger",
    answer_all: Callable[[], None],
    open_models: Callable[[], "ReadModel"],
    advice_in: AdviceIn,
    damage: bytes,
) -> None:
    answer_all()
    first = open_models()
    first.ensure_current()
    first.close()
    ledger.location.views_file.write_bytes(damage)

    model = open_models()
    model.ensure_current()

    view = advice_in(model)
    assert view is not None
    assert view["status"] == "answered"
