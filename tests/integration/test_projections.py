"""The read side on a real store: views after catch-up, exactly-once tracking, resuming after a
stop halfway, rebuild, and the business date (peildatum) for deadlines."""

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pytest

from tests.integration.actors import administrator
from tests.integration.ledger_support import answer, decide, promise

if TYPE_CHECKING:
    from events.store import StoreUrl
    from ledger import Actor, AdviceLedger
    from projections import ReadModel


@pytest.fixture
def open_models(open_models: Callable[..., "ReadModel"]) -> Callable[[], "ReadModel"]:
    """The read models of these tests take pages of three events: a catch-up takes several."""
    return partial(open_models, page_size=3)


@pytest.fixture
def responses(
    ledger: "AdviceLedger", office: "Actor", member: "Actor", advice_id: UUID, submitted_on: date
) -> None:
    """Three responses (the first point answered twice), a promise and a rejoinder."""
    from events import Outcome, Verdict

    given = submitted_on + timedelta(days=2)
    answer(ledger, office, advice_id, given, text="Mee eens.")
    answer(
        ledger,
        office,
        advice_id,
        given,
        point=2,
        outcome=Outcome.NOT_FOLLOWED,
        text="Nee.",
        reasons="Te duur.",
    )
    answer(ledger, office, advice_id, given, outcome=Outcome.DEFERRED, text="Later.")
    promise(ledger, office, advice_id, submitted_on + timedelta(days=5), description="Brochure")
    ledger.give_rejoinder(
        member, advice_id=advice_id, verdict=Verdict.NOT_SATISFIED, text="Jammer.", point=2
    )


def test_latest_response_is_the_outcome_and_every_event_stays_in_history(
    responses: None, advice_id: UUID, model: "ReadModel", today: date
) -> None:
    model.ensure_current()
    view = model.advice(str(advice_id), today)

    assert view is not None
    assert [p["outcome"] for p in view["points"]] == ["deferred", "not_followed", "pending"]
    assert view["points"][1]["reasons"] == "Te duur."
    assert len(view["points"][0]["responses"]) == 2
    assert view["status"] == "partially_answered"
    history = model.history(str(advice_id))
    assert [h["type"] for h in history] == [
        "AdviceSubmitted",
        "ResponseRecorded",
        "ResponseRecorded",
        "ResponseRecorded",
        "FollowUpPromised",
        "RejoinderGiven",
    ]
    assert [h["position"] for h in history] == sorted(h["position"] for h in history)
    assert history[-1]["actor"]["actor"] == "lid WIJ-raad"


def test_silence_past_the_due_date_is_overdue_at_the_business_date(
    ledger: "AdviceLedger", advice_id: UUID, model: "ReadModel", submitted_on: date
) -> None:
    model.ensure_current()
    due = submitted_on + timedelta(days=42)

    on_due_date = model.advice(str(advice_id), due)
    day_after = model.advice(str(advice_id), due + timedelta(days=1))

    assert on_due_date is not None
    assert day_after is not None
    assert on_due_date["due_on"] == due.isoformat()
    assert on_due_date["overdue"] is False
    assert day_after["overdue"] is True
    assert all(p["overdue"] for p in day_after["points"])


def test_a_response_dated_after_the_business_date_leaves_the_point_pending_then(
    ledger: "AdviceLedger",
    office: "Actor",
    advice_id: UUID,
    model: "ReadModel",
    submitted_on: date,
) -> None:
    answer(ledger, office, advice_id, submitted_on + timedelta(days=5))
    model.ensure_current()

    before = model.advice(str(advice_id), submitted_on + timedelta(days=4))
    after = model.advice(str(advice_id), submitted_on + timedelta(days=5))

    assert before is not None
    assert after is not None
    assert before["points"][0]["outcome"] == "followed"
    assert before["points"][0]["pending"] is True
    assert after["points"][0]["pending"] is False


def test_follow_up_board_lists_each_point_under_each_reason(
    responses: None,
    body_id: UUID,
    submitted_on: date,
    model: "ReadModel",
    today: date,
) -> None:
    model.ensure_current()

    items = model.follow_up_board(str(body_id), today)

    reasons = sorted((item["point"], item["reason"]) for item in items)
    assert reasons == [
        (1, "deferred"),
        (1, "promise_overdue"),
        (1, "response_without_rejoinder"),
        (2, "rejoinder_unsatisfied"),
        (3, "overdue" if today > submitted_on + timedelta(days=42) else "pending"),
    ]


def test_statistics_count_outcomes_follow_rate_and_median_days(
    responses: None, submitted_on: date, model: "ReadModel", today: date
) -> None:
    from events import Outcome

    model.ensure_current()

    stats = model.statistics(today)

    assert stats["points"] == 3
    assert stats["per_outcome"][Outcome("deferred")] == 1
    assert stats["per_outcome"][Outcome("not_followed")] == 1
    assert stats["per_outcome"][Outcome("pending")] == 1
    assert stats["follow_rate"] == 0.0
    assert stats["median_response_days"] == 2
    assert model.statistics(today, year=submitted_on.year - 1)["points"] == 0


def test_withdrawn_advice_leaves_the_board_and_the_statistics(
    ledger: "AdviceLedger",
    member: "Actor",
    body_id: UUID,
    advice_id: UUID,
    model: "ReadModel",
    today: date,
) -> None:
    ledger.withdraw_advice(member, advice_id=advice_id, reason="Achterhaald.")
    model.ensure_current()

    view = model.advice(str(advice_id), today)

    assert view is not None
    assert view["status"] == "withdrawn"
    assert model.follow_up_board(str(body_id), today) == []
    assert model.statistics(today)["points"] == 0


def _snapshot(model: "ReadModel") -> dict[str, Any]:
    kinds = ("body", "dossier", "advice", "decision")
    return {kind: model.docs(kind) for kind in kinds} | {"position": model.position()}


def test_a_projection_stopped_halfway_resumes_exactly_where_it_was(
    ledger: "AdviceLedger",
    responses: None,
    advice_id: UUID,
    open_models: Callable[[], "ReadModel"],
) -> None:
    last = ledger.last_position()
    first = open_models()
    assert first.catch_up(upto=last // 2) == last // 2
    first.close()

    resumed = open_models()
    resumed.catch_up()
    resumed_state = _snapshot(resumed)
    resumed.rebuild()

    assert resumed_state["position"] == last
    assert _snapshot(resumed) == resumed_state
    assert len(resumed.history(str(advice_id))) == 6


def test_reprocessing_a_page_is_refused_and_changes_nothing(
    ledger: "AdviceLedger", advice_id: UUID, model: "ReadModel"
) -> None:
    from eventsourcing.persistence import IntegrityError

    model.ensure_current()
    before = _snapshot(model)
    position = model.position()

    with pytest.raises(IntegrityError), model.store.transaction(commit=True) as cursor:
        model.store.write_page(cursor, [], position)

    assert _snapshot(model) == before
    assert model.catch_up() == position


def test_views_of_one_municipality_never_show_another(
    ledger: "AdviceLedger",
    other_ledger: "AdviceLedger",
    office: "Actor",
    advice_id: UUID,
    store_url: "StoreUrl",
    today: date,
) -> None:
    from events import BodyKind
    from projections import ReadModel

    other_ledger.register_body(administrator(), name="Elders", kind=BodyKind.OTHER)
    other = ReadModel(store_url.location(other_ledger.municipality))
    try:
        other.ensure_current()
        assert other.advice(str(advice_id), today) is None
        assert [d["name"] for d in other.docs("body")] == ["Elders"]
    finally:
        other.close()


def test_a_dossier_overview_shows_its_advice_and_decisions(
    ledger: "AdviceLedger",
    office: "Actor",
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
    model: "ReadModel",
    today: date,
) -> None:
    from events import Deviation

    deviations = [Deviation(advice_id, n, "Anders besloten.") for n in (1, 2, 3)]
    decide(
        ledger,
        office,
        dossier_id,
        [advice_id],
        submitted_on + timedelta(days=3),
        deviations=deviations,
    )
    model.ensure_current()

    overview = model.dossier(str(dossier_id), today)

    assert overview is not None
    assert [a["id"] for a in overview["advice"]] == [str(advice_id)]
    assert overview["advice"][0]["outcomes"]["not_followed"] == 3
    assert [d["title"] for d in overview["decisions"]] == ["Besluit"]
    assert len(overview["decisions"][0]["deviations"]) == 3
