"""Response terms: due dates of advice and of advice requests, and moving them."""

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from events import BodyKind, DueDateMoved
from ledger import Actor, AdviceLedger, AdviceRequest, ConflictError
from tests.integration.actors import administrator
from tests.integration.ledger_support import ask, refused, rejected, submit


def test_advice_is_due_42_calendar_days_after_submission_by_default(
    ledger: AdviceLedger, office: Actor, body_id: UUID, today: date
) -> None:
    submitted_on = today - timedelta(days=100)

    recorded = submit(ledger, office, body_id, submitted_on)

    assert ledger.get_body(body_id).response_term_days == 42
    assert ledger.get_advice(recorded.id).due_on == submitted_on + timedelta(days=42)


def test_advice_to_a_body_with_a_30_day_term_is_due_30_days_later(
    ledger: AdviceLedger, office: Actor, today: date
) -> None:
    body = ledger.register_body(
        administrator(), name="Stadadviseert", kind=BodyKind.ADVISORY_COUNCIL, response_term_days=30
    )
    submitted_on = date(today.year - 1, 12, 15)

    recorded = submit(ledger, office, body.id, submitted_on)

    assert ledger.get_advice(recorded.id).due_on == date(today.year, 1, 14)


@pytest.mark.parametrize("days", [0, 367])
def test_a_body_with_a_response_term_out_of_range_is_refused(
    ledger: AdviceLedger, office: Actor, days: int
) -> None:
    with refused(ledger, {"response_term_days"}):
        ledger.register_body(
            administrator(),
            name="Wmo-platform",
            kind=BodyKind.CLIENT_COUNCIL,
            response_term_days=days,
        )


@pytest.mark.parametrize("reason", ["", "   "])
def test_moving_the_due_date_without_a_reason_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, reason: str
) -> None:
    due_on = ledger.get_advice(advice_id).due_on
    with refused(ledger, {"reason"}):
        ledger.move_due_date(
            office, advice_id=advice_id, new_due_on=due_on + timedelta(days=14), reason=reason
        )
    assert ledger.get_advice(advice_id).due_on == due_on


def test_moving_the_due_date_with_a_reason_keeps_the_old_date_in_history(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    due_on = ledger.get_advice(advice_id).due_on

    ledger.move_due_date(
        office, advice_id=advice_id, new_due_on=due_on + timedelta(days=14), reason=" Zomerreces. "
    )

    moves = [e for e in ledger.events.get(advice_id) if isinstance(e, DueDateMoved)]
    assert [(m.previous_due_on, m.new_due_on, m.reason, m.effective_on) for m in moves] == [
        (due_on, due_on + timedelta(days=14), "Zomerreces.", today)
    ]
    assert ledger.get_advice(advice_id).due_on_at(today) == due_on + timedelta(days=14)


def test_moving_the_due_date_before_the_advice_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, submitted_on: date
) -> None:
    with refused(ledger, {"new_due_on"}):
        ledger.move_due_date(
            office,
            advice_id=advice_id,
            new_due_on=submitted_on - timedelta(days=1),
            reason="Vergissing.",
        )


def test_moving_the_due_date_to_the_same_date_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID
) -> None:
    due_on = ledger.get_advice(advice_id).due_on
    with refused(ledger, {"new_due_on"}):
        ledger.move_due_date(
            office, advice_id=advice_id, new_due_on=due_on, reason="Geen wijziging."
        )


def test_moving_the_due_date_of_a_withdrawn_advice_is_refused_as_a_conflict(
    ledger: AdviceLedger, office: Actor, advice_id: UUID
) -> None:
    due_on = ledger.get_advice(advice_id).due_on
    ledger.withdraw_advice(office, advice_id=advice_id, reason="Achterhaald.")
    with rejected(ledger, ConflictError):
        ledger.move_due_date(
            office, advice_id=advice_id, new_due_on=due_on + timedelta(days=7), reason="Reces."
        )


def test_an_advice_request_carries_its_own_due_date(
    ledger: AdviceLedger, office: Actor, body_id: UUID, dossier_id: UUID, submitted_on: date
) -> None:
    due_on = submitted_on + timedelta(days=21)

    recorded = ask(
        ledger, office, dossier_id, body_id, submitted_on, due_on, "Wat vindt u van de nota?"
    )

    request: object = ledger.repository.get(recorded.id)
    assert isinstance(request, AdviceRequest)
    assert (request.due_on, request.body_id, request.dossier_id) == (due_on, body_id, dossier_id)


def test_an_advice_request_due_before_it_was_made_is_refused(
    ledger: AdviceLedger, office: Actor, body_id: UUID, dossier_id: UUID, submitted_on: date
) -> None:
    with refused(ledger, {"due_on"}):
        ask(ledger, office, dossier_id, body_id, submitted_on, submitted_on - timedelta(days=1))


def test_an_advice_request_dated_in_the_future_is_refused(
    ledger: AdviceLedger, office: Actor, body_id: UUID, dossier_id: UUID, today: date
) -> None:
    tomorrow = today + timedelta(days=1)
    with refused(ledger, {"requested_on"}):
        ask(ledger, office, dossier_id, body_id, tomorrow, tomorrow + timedelta(days=30))


def test_an_advice_request_to_a_body_of_another_municipality_is_refused(
    ledger: AdviceLedger, body_elsewhere: UUID, office: Actor, dossier_id: UUID, submitted_on: date
) -> None:
    with refused(ledger, {"body_id"}):
        ask(ledger, office, dossier_id, body_elsewhere, submitted_on, submitted_on)


def test_an_advice_request_on_an_unknown_dossier_is_refused(
    ledger: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    with refused(ledger, {"dossier_id"}):
        ask(ledger, office, uuid4(), body_id, submitted_on, submitted_on)
