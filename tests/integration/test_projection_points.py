"""The points view paged in SQL and one advice's view read by id: the same answers as the views
built from every document, and the documents of other records never read (shown by damaging
them in the views: a read of one would fail to decode it)."""

from collections.abc import Callable
from datetime import date, timedelta
from itertools import product
from typing import TYPE_CHECKING
from uuid import UUID

import orjson
import pytest

from tests.integration.actors import administrator
from tests.integration.ledger_support import answer, submit

if TYPE_CHECKING:
    from ledger import Actor, AdviceLedger
    from projections import ReadModel


@pytest.fixture
def model(open_models: Callable[..., "ReadModel"]) -> "ReadModel":
    """A read model of pages of four events."""
    return open_models(page_size=4)


def _points(n: int) -> list[str]:
    return [f"Punt een van {n}.", f"Punt twee van {n}.", f"Punt drie van {n}."]


def _advice(ledger: "AdviceLedger", office: "Actor", body: UUID, on: date, n: int) -> UUID:
    return submit(ledger, office, body, on, title=f"Advies {n}", points=_points(n)).id


def _decide(
    ledger: "AdviceLedger",
    office: "Actor",
    dossier: UUID | None,
    on: date,
    advice: UUID,
    title: str,
) -> UUID:
    """A decision on one advice that deviates on each of its points (in a dossier of its own
    unless one is given)."""
    from events import Deviation

    if dossier is None:
        dossier = ledger.open_dossier(office, title=f"Dossier {title}", opened_on=on).id
    return ledger.take_decision(
        office,
        dossier_id=dossier,
        title=title,
        decided_on=on,
        advice_ids=[advice],
        deviations=[Deviation(advice, n, "Anders besloten.") for n in (1, 2, 3)],
    ).id


def _damage(model: "ReadModel", ids: list[UUID]) -> None:
    """Overwrite these records' documents in the views with bytes that are no JSON."""
    with model.store.transaction(commit=True) as cursor:
        cursor.executemany(
            model.store.tables.sql("UPDATE {docs} SET doc = ? WHERE id = ?"),
            [(b"\x00 beschadigd", str(i)) for i in ids],
        )


def test_one_advice_reads_only_the_decisions_that_name_it(
    ledger: "AdviceLedger",
    office: "Actor",
    dossier_id: UUID,
    advice_id: UUID,
    another_advice: Callable[..., UUID],
    submitted_on: date,
    model: "ReadModel",
    today: date,
) -> None:
    from projections import views

    others = [another_advice(title=f"Advies {n}", points=_points(n)) for n in range(3)]
    own = _decide(ledger, office, dossier_id, submitted_on + timedelta(days=2), advice_id, "Eigen")
    unrelated = [
        _decide(ledger, office, None, submitted_on, other, f"Besluit {n}")
        for n, other in enumerate(others)
    ]
    model.ensure_current()
    doc = model.doc(str(advice_id))
    assert doc is not None
    expected = views.advice_view(doc, today, model.context())

    view = model.advice(str(advice_id), today)

    assert view == expected
    assert view["decisions"] == [str(own)]
    assert view["points"][1]["outcome"] == "not_followed"
    _damage(model, unrelated)
    assert model.advice(str(advice_id), today) == expected
    with pytest.raises(orjson.JSONDecodeError):
        model.advice(str(others[0]), today)  # a damaged decision that is read fails


def _story(
    ledger: "AdviceLedger", office: "Actor", body_id: UUID, dossier_id: UUID, start: date
) -> list[UUID]:
    """Advice of two bodies over several days: answered, decided on, a term moved, withdrawn."""
    from events import BodyKind, Outcome

    other = ledger.register_body(administrator(), name="Jeugdraad", kind=BodyKind.CLIENT_COUNCIL).id
    advice = [
        _advice(ledger, office, body_id if n % 3 else other, start + timedelta(days=n), n)
        for n in range(7)
    ]
    for n, point in ((0, 1), (1, 3), (4, 1), (4, 2)):
        outcome = Outcome.FOLLOWED if point != 2 else Outcome.DEFERRED
        on = start + timedelta(days=n + 3)
        answer(ledger, office, advice[n], on, point=point, outcome=outcome, text="Gedaan.")
    _decide(ledger, office, None, start + timedelta(days=9), advice[2], "Besluit")
    ledger.move_due_date(
        office,
        advice_id=advice[3],
        new_due_on=start + timedelta(days=6),
        reason="Sneller nodig.",
        effective_on=start + timedelta(days=4),
    )
    ledger.withdraw_advice(office, advice_id=advice[5], reason="Vergissing.")
    return advice


@pytest.fixture
def story(
    ledger: "AdviceLedger",
    office: "Actor",
    body_id: UUID,
    dossier_id: UUID,
    model: "ReadModel",
    today: date,
) -> tuple[date, list[UUID]]:
    """The story's first day and its advice, in views caught up with it."""
    start = today - timedelta(days=60)
    advice = _story(ledger, office, body_id, dossier_id, start)
    model.ensure_current()
    return start, advice


def test_the_points_view_paged_in_sql_is_the_view_of_every_document(
    story: tuple[date, list[UUID]], body_id: UUID, model: "ReadModel", today: date
) -> None:
    from projections import views
    from projections.point_list import Filters

    start, _ = story
    for days, body, year, outcome, overdue in product(
        (3, 8, 20, 50, 60),
        (None, str(body_id)),
        (None, start.year, start.year + 1),
        (None, "pending", "followed", "not_followed", "deferred"),
        (None, True, False),
    ):
        as_of = start + timedelta(days=days)
        filters = Filters(body_id=body, year=year, outcome=outcome, overdue=overdue)
        everything = views.points_view(model.advice_list(as_of))
        expected = [row for row in everything if filters.keep(row)]

        paged = model.points(as_of, filters=filters)

        assert len(paged) == len(expected)
        assert list(paged) == expected
        assert paged[1:4] == expected[1:4]
    overdue_then = model.points(start + timedelta(days=50), filters=Filters(overdue=True))
    assert {r["advice_title"] for r in overdue_then} >= {"Advies 3"}  # its term moved earlier
    whole, own = list(model.points(today)), model.points(today, filters=Filters(str(body_id)))
    counted, unanswered = _counts(model), _unanswered(model)
    assert {outcome for _, _, outcome, _ in counted} >= {"pending", "followed", "deferred"}
    # Days 20, 50 and 60 lie past the last answer's date (day 9) and term change (day 4), so
    # `verlopen` above was counted from the unanswered points per due date; days 3 and 8 not.
    assert model.store.query("SELECT what, on_date FROM {latest}") == [
        ("horizon", (start + timedelta(days=9)).isoformat())
    ]
    model.rebuild()  # the bulk load keeps the same rows and counts
    assert list(model.points(today)) == whole
    assert _counts(model) == counted
    assert _unanswered(model) == unanswered
    assert model.store.query("SELECT what, on_date FROM {latest}") == [
        ("horizon", (start + timedelta(days=9)).isoformat())
    ]
    for body, overdue in product((None, str(body_id)), (True, False)):
        filters = Filters(body_id=body, overdue=overdue)
        expected = [r for r in views.points_view(model.advice_list(today)) if filters.keep(r)]
        assert len(model.points(today, filters=filters)) == len(expected)
        assert list(model.points(today, filters=filters)) == expected
    for body, outcome in product((None, str(body_id)), ("pending", "followed", "not_followed")):
        filters = Filters(body_id=body, outcome=outcome)
        assert list(model.points(today, filters=filters)) == [r for r in whole if filters.keep(r)]
    assert len(model.points(today)) == len(whole) == 3 * 6  # one of seven advice withdrawn
    assert len(model.points(today, filters=Filters(str(body_id)))) == len(own)
    assert len(model.points(today, filters=Filters(year=1999))) == 0


def _unanswered(model: "ReadModel") -> list[tuple[str, str, int]]:
    """The unanswered points counted per body and due date in force, checked against the rows."""
    kept = model.store.query("SELECT body_id, due_on, points FROM {pendingdue}")
    rows = model.store.query(
        "SELECT body_id, due_now, COUNT(*) FROM {pointlist} WHERE outcome = 'pending' "
        "GROUP BY body_id, due_now"
    )
    found = sorted((str(b), str(d), int(n)) for b, d, n in kept if n)
    assert found == sorted((str(b), str(d), int(n)) for b, d, n in rows)
    assert found, "the story leaves points unanswered"
    return found


def _counts(model: "ReadModel") -> list[tuple[str, int, str, int]]:
    """The points counted per body, year and outcome, each checked against the rows counted."""
    kept = model.store.query("SELECT body_id, year, outcome, points FROM {pointcount}")
    rows = model.store.query(
        "SELECT body_id, year, outcome, COUNT(*) FROM {pointlist} GROUP BY body_id, year, outcome"
    )
    found = sorted((str(b), int(y), str(o), int(n)) for b, y, o, n in kept if n)
    assert found == sorted((str(b), int(y), str(o), int(n)) for b, y, o, n in rows)
    return found


def test_a_page_of_points_builds_only_its_own_advice(
    story: tuple[date, list[UUID]], model: "ReadModel", today: date
) -> None:
    from projections.point_list import Filters

    _, advice = story
    whole = list(model.points(today))
    newest = {UUID(r["advice_id"]) for r in whole[:3]}  # the newest advice's three points
    _damage(model, [a for a in advice if a not in newest])

    points = model.points(today)

    assert len(points) == len(whole) == 3 * 6
    assert points[:3] == whole[:3]
    with pytest.raises(orjson.JSONDecodeError):
        points[3:6]  # a page of damaged documents is read, and fails
    found = {(r["advice_id"], r["number"]) for r in whole[:2]}
    assert model.points(today, filters=Filters(found=found))[:] == whole[:2]
