"""The first catch-up of empty views (a new deployment, or views dropped by a VIEWS_VERSION
change) builds them apart in bulk, as a rebuild does, and puts them in place; processes that
catch up at the same moment build them once, and all end with the same views."""

import threading
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

import pytest

from tests.integration.projection_story import views_of

if TYPE_CHECKING:
    from ledger import AdviceLedger
    from projections import ReadModel

Open = Callable[..., "ReadModel"]


@pytest.fixture
def open_model(open_models: Open) -> Open:
    """A read model of one event a page (pages of 10,000 in a rebuild) that builds empty views
    in bulk only from the position given."""
    return partial(open_models, page_size=1, rebuild_page=10_000, bulk_from=1_000_000)


def _as_of_an_older_version(model: "ReadModel") -> None:
    """The views' version row set back, as views of the version before this one have it."""
    with model.store.transaction(commit=True) as cursor:
        cursor.execute(
            model.store.tables.sql("UPDATE {meta} SET value = ? WHERE name = ?"), ("4", "version")
        )


def test_views_emptied_by_a_version_change_are_built_in_bulk_equal_to_a_rebuild(
    ledger: "AdviceLedger", story: list[str], today: date, open_model: Open
) -> None:
    reference_model = open_model()  # one event per transaction
    reference_model.ensure_current()
    reference = views_of(reference_model, story, today)
    _as_of_an_older_version(reference_model)

    model = open_model(bulk_from=1)  # opening drops the views of the older version
    assert model.position() == 0
    calls: list[tuple[int, int]] = []

    assert model.catch_up(progress=lambda done, total: calls.append((done, total))) == (
        ledger.last_position()
    )

    # One bulk page of 10,000 (its progress once), not one page per event.
    assert calls == [(ledger.last_position(), ledger.last_position())]
    assert views_of(model, story, today) == reference
    assert model.rebuild() == ledger.last_position()
    assert views_of(model, story, today) == reference


def test_below_the_threshold_empty_views_catch_up_page_by_page(
    ledger: "AdviceLedger", story: list[str], today: date, open_model: Open
) -> None:
    model = open_model(bulk_from=ledger.last_position() + 1)
    calls: list[tuple[int, int]] = []

    model.catch_up(progress=lambda done, total: calls.append((done, total)))

    assert [done for done, _ in calls] == list(range(1, ledger.last_position() + 1))


def test_processes_catching_up_empty_views_at_once_end_with_the_same_views(
    ledger: "AdviceLedger", story: list[str], today: date, open_model: Open
) -> None:
    reference_model = open_model()
    reference_model.ensure_current()
    reference = views_of(reference_model, story, today)
    _as_of_an_older_version(reference_model)
    # Two that build in bulk and one that goes page by page, as different processes would (each
    # model has its own connections and lock; the builders' lock is across processes).
    models = [open_model(bulk_from=1), open_model(bulk_from=1), open_model(page_size=2)]
    assert models[0].position() == 0
    reached: list[int] = []
    failed: list[BaseException] = []
    start = threading.Barrier(len(models))

    def catch_up(model: "ReadModel") -> None:
        start.wait()
        try:
            reached.append(model.catch_up())
        except BaseException as error:  # reported below, in the test's thread
            failed.append(error)

    threads = [threading.Thread(target=catch_up, args=(m,)) for m in models]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert failed == []
    assert reached == [ledger.last_position()] * len(models)
    for model in models:
        assert views_of(model, story, today) == reference
