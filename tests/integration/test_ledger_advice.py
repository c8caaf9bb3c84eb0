"""Submitting advice and responding to its points, on SQLite and PostgreSQL."""

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from events import AdviceSubmitted, BodyKind, Outcome
from ledger import Actor, AdviceLedger, ConflictError, NotFoundError, ValidationError
from tests.integration.actors import administrator
from tests.integration.ledger_support import answer, ask, refused, refused_fields, rejected, submit

# Submission ---------------------------------------------------------------------------------


def test_advice_is_stored_with_its_points_numbered_in_order(
    ledger: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    before = ledger.last_position()

    recorded = submit(ledger, office, body_id, submitted_on, points=[" Eerst. ", "Dan."])

    advice = ledger.get_advice(recorded.id)
    assert [(p.number, p.text, p.outcome) for p in advice.points] == [
        (1, "Eerst.", Outcome.PENDING),
        (2, "Dan.", Outcome.PENDING),
    ]
    assert recorded.position == before + 1
    assert recorded.version == advice.version == 1


def test_advice_without_points_is_refused(
    ledger: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    with refused(ledger, {"points"}):
        submit(ledger, office, body_id, submitted_on, points=[])


def test_advice_with_a_blank_point_is_refused(
    ledger: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    with refused(ledger, {"points/1/text"}):
        submit(ledger, office, body_id, submitted_on, points=["Goed punt.", " \n"])


def test_every_broken_rule_of_a_submission_is_named_at_once(
    ledger: AdviceLedger, office: Actor, body_id: UUID, today: date
) -> None:
    with refused(ledger, {"title", "submitted_on", "points/0/text"}):
        submit(ledger, office, body_id, today + timedelta(days=1), title=" ", points=["", "x"])


def test_advice_dated_in_the_future_is_refused(
    ledger: AdviceLedger, office: Actor, body_id: UUID, today: date
) -> None:
    with refused(ledger, {"submitted_on"}):
        submit(ledger, office, body_id, today + timedelta(days=1))


def test_advice_dated_today_is_accepted(
    ledger: AdviceLedger, office: Actor, body_id: UUID, today: date
) -> None:
    recorded = submit(ledger, office, body_id, today)

    assert ledger.get_advice(recorded.id).submitted_on == today


def test_advice_for_an_unknown_body_is_refused(
    ledger: AdviceLedger, office: Actor, submitted_on: date
) -> None:
    with refused(ledger, {"body_id"}):
        submit(ledger, office, uuid4(), submitted_on)


def test_advice_for_a_body_of_another_municipality_is_refused_as_unknown(
    ledger: AdviceLedger,
    other_ledger: AdviceLedger,
    body_elsewhere: UUID,
    office: Actor,
    submitted_on: date,
) -> None:
    before, before_elsewhere = ledger.last_position(), other_ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        submit(ledger, office, body_elsewhere, submitted_on)

    assert refused_fields(refused) == {"body_id"}
    assert ledger.last_position() == before
    assert other_ledger.last_position() == before_elsewhere


def test_advice_naming_a_dossier_as_its_body_is_refused(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, submitted_on: date
) -> None:
    with refused(ledger, {"body_id"}):
        submit(ledger, office, dossier_id, submitted_on)


def test_advice_about_a_dossier_of_another_municipality_is_refused(
    ledger: AdviceLedger,
    other_ledger: AdviceLedger,
    office: Actor,
    another_advice: Callable[..., UUID],
    submitted_on: date,
) -> None:
    elsewhere = other_ledger.open_dossier(office, title="Nota elders", opened_on=submitted_on)
    with refused(ledger, {"dossier_id"}):
        another_advice(dossier_id=elsewhere.id)


def test_advice_answering_a_request_of_another_municipality_is_refused(
    ledger: AdviceLedger,
    other_ledger: AdviceLedger,
    office: Actor,
    body_elsewhere: UUID,
    another_advice: Callable[..., UUID],
    submitted_on: date,
) -> None:
    other_dossier = other_ledger.open_dossier(office, title="Nota elders", opened_on=submitted_on)
    elsewhere = ask(
        other_ledger, office, other_dossier.id, body_elsewhere, submitted_on, submitted_on
    )
    with refused(ledger, {"request_id"}):
        another_advice(solicited=True, request_id=elsewhere.id)


def test_advice_answering_a_request_made_to_another_body_is_refused(
    ledger: AdviceLedger, office: Actor, body_id: UUID, dossier_id: UUID, submitted_on: date
) -> None:
    other_body = ledger.register_body(
        administrator(), name="Adviesraad", kind=BodyKind.ADVISORY_COUNCIL
    )
    request = ask(ledger, office, dossier_id, other_body.id, submitted_on, submitted_on)
    with refused(ledger, {"request_id"}):
        submit(ledger, office, body_id, submitted_on, solicited=True, request_id=request.id)


def test_advice_naming_another_dossier_than_its_request_is_refused(
    ledger: AdviceLedger, office: Actor, body_id: UUID, dossier_id: UUID, submitted_on: date
) -> None:
    request = ask(ledger, office, dossier_id, body_id, submitted_on, submitted_on)
    other_dossier = ledger.open_dossier(office, title="Andere nota", opened_on=submitted_on)
    with refused(ledger, {"request_id"}):
        submit(
            ledger,
            office,
            body_id,
            submitted_on,
            solicited=True,
            dossier_id=other_dossier.id,
            request_id=request.id,
        )


def test_solicited_advice_takes_the_dossier_of_its_request(
    ledger: AdviceLedger, office: Actor, body_id: UUID, dossier_id: UUID, submitted_on: date
) -> None:
    request = ask(ledger, office, dossier_id, body_id, submitted_on, submitted_on)

    recorded = submit(ledger, office, body_id, submitted_on, solicited=True, request_id=request.id)

    stored = [e for e in ledger.events.get(recorded.id) if isinstance(e, AdviceSubmitted)]
    assert [(e.dossier_id, e.request_id) for e in stored] == [(dossier_id, request.id)]


# Responses ----------------------------------------------------------------------------------


@pytest.mark.parametrize("point", [0, 4])
def test_response_to_a_point_the_advice_lacks_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date, point: int
) -> None:
    with refused(ledger, {"point"}):
        answer(ledger, office, advice_id, today, point=point)
    assert ledger.get_advice(advice_id).version == 1


def test_pending_outcome_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    with refused(ledger, {"outcome"}):
        answer(ledger, office, advice_id, today, outcome=Outcome.PENDING, text="Nog niet.")


@pytest.mark.parametrize("outcome", [Outcome.NOT_FOLLOWED, Outcome.PARTIALLY_FOLLOWED])
@pytest.mark.parametrize("reasons", [None, " \t "])
def test_not_followed_without_reasons_is_refused(
    ledger: AdviceLedger,
    office: Actor,
    advice_id: UUID,
    today: date,
    outcome: Outcome,
    reasons: str | None,
) -> None:
    with refused(ledger, {"reasons"}):
        answer(
            ledger, office, advice_id, today, point=2, outcome=outcome, text="Nee.", reasons=reasons
        )
    assert ledger.get_advice(advice_id).points[1].outcome is Outcome.PENDING


@pytest.mark.parametrize("outcome", [Outcome.NOT_FOLLOWED, Outcome.PARTIALLY_FOLLOWED])
def test_not_followed_with_reasons_is_recorded(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date, outcome: Outcome
) -> None:
    recorded = answer(
        ledger,
        office,
        advice_id,
        today,
        point=2,
        outcome=outcome,
        text="Nee.",
        reasons=" Te duur. ",
    )

    point = ledger.get_advice(advice_id).points[1]
    assert point.outcome is outcome
    assert [r.reasons for r in point.responses] == ["Te duur."]
    assert recorded.version == 2


@pytest.mark.parametrize("outcome", [Outcome.FOLLOWED, Outcome.DEFERRED, Outcome.NOTED])
def test_outcomes_that_follow_or_defer_need_no_reasons(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date, outcome: Outcome
) -> None:
    answer(ledger, office, advice_id, today, point=3, outcome=outcome, text="Akkoord.")

    assert ledger.get_advice(advice_id).points[2].outcome is outcome


def test_response_with_blank_text_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    with refused(ledger, {"text"}):
        answer(ledger, office, advice_id, today, text="  ")


def test_a_later_response_supersedes_the_earlier_and_both_are_kept(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, submitted_on: date, today: date
) -> None:
    answer(ledger, office, advice_id, submitted_on, outcome=Outcome.DEFERRED, text="Later.")

    answer(ledger, office, advice_id, today, text="Gedaan.")

    point = ledger.get_advice(advice_id).points[0]
    assert point.outcome is Outcome.FOLLOWED
    assert [(r.outcome, r.text) for r in point.responses] == [
        (Outcome.DEFERRED, "Later."),
        (Outcome.FOLLOWED, "Gedaan."),
    ]


@pytest.mark.parametrize(
    "dated",
    [
        pytest.param(lambda submitted_on, _: submitted_on - timedelta(days=1), id="before_advice"),
        pytest.param(lambda _, today: today + timedelta(days=1), id="in_the_future"),
    ],
)
def test_response_dated_before_the_advice_or_in_the_future_is_refused(
    ledger: AdviceLedger,
    office: Actor,
    advice_id: UUID,
    submitted_on: date,
    today: date,
    dated: Callable[[date, date], date],
) -> None:
    with refused(ledger, {"given_on"}):
        answer(ledger, office, advice_id, dated(submitted_on, today))


def test_response_dated_on_the_day_of_the_advice_is_accepted(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, submitted_on: date
) -> None:
    answer(ledger, office, advice_id, submitted_on)

    assert ledger.get_advice(advice_id).points[0].responses[0].given_on == submitted_on


def test_response_to_a_withdrawn_advice_is_refused_as_a_conflict(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    ledger.withdraw_advice(office, advice_id=advice_id, reason="Achterhaald.")
    with rejected(ledger, ConflictError):
        answer(ledger, office, advice_id, today)
    assert ledger.get_advice(advice_id).version == 2


def test_response_to_an_advice_of_another_municipality_is_not_found(
    ledger: AdviceLedger, other_ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    before_elsewhere = other_ledger.last_position()

    with pytest.raises(NotFoundError):
        answer(other_ledger, office, advice_id, today)

    assert other_ledger.last_position() == before_elsewhere
    assert ledger.get_advice(advice_id).version == 1
