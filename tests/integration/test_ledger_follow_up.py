"""After the response: follow-up promises, the body's rejoinder, and withdrawing advice."""

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from events import Outcome, RejoinderGiven, Role, Verdict
from ledger import (
    Actor,
    AdviceLedger,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from ledger.advice import Promise
from tests.integration.ledger_support import (
    answer,
    promise,
    refused,
    refused_fields,
    rejected,
    rejoin,
)


def rejoinders(ledger: AdviceLedger, advice_id: UUID) -> list[tuple[int | None, Verdict]]:
    events = ledger.events.get(advice_id)
    return [(e.point, e.verdict) for e in events if isinstance(e, RejoinderGiven)]


# Promises -----------------------------------------------------------------------------------


def test_a_promise_is_kept_on_its_point_with_its_due_date(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    promise_id = uuid4()

    promise(
        ledger,
        office,
        advice_id,
        today + timedelta(days=90),
        description="Er komt een brochure.",
        promise_id=promise_id,
    )

    promises = ledger.get_advice(advice_id).promises
    assert promises == {promise_id: Promise(1, today + timedelta(days=90))}


@pytest.mark.parametrize("point", [0, 4])
def test_a_promise_on_a_point_the_advice_lacks_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date, point: int
) -> None:
    with refused(ledger, {"point"}):
        promise(ledger, office, advice_id, today, point=point)
    assert ledger.get_advice(advice_id).promises == {}


def test_a_promise_due_before_the_advice_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, submitted_on: date
) -> None:
    with refused(ledger, {"due_on"}):
        promise(ledger, office, advice_id, submitted_on - timedelta(days=1))


def test_a_promise_without_a_description_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    with refused(ledger, {"description"}):
        promise(ledger, office, advice_id, today, description=" ")


def test_a_promise_on_a_withdrawn_advice_is_refused_as_a_conflict(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    ledger.withdraw_advice(office, advice_id=advice_id, reason="Achterhaald.")
    with rejected(ledger, ConflictError):
        promise(ledger, office, advice_id, today)


def test_a_promise_is_fulfilled_once_and_a_second_time_is_a_conflict(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    promise_id = uuid4()
    promise(ledger, office, advice_id, today, promise_id=promise_id)
    ledger.fulfil_promise(
        office,
        advice_id=advice_id,
        promise_id=promise_id,
        fulfilled_on=today,
        note="De brochure is er.",
    )
    with rejected(ledger, ConflictError):
        ledger.fulfil_promise(
            office, advice_id=advice_id, promise_id=promise_id, fulfilled_on=today, note="Nogmaals."
        )
    assert ledger.get_advice(advice_id).promises[promise_id].fulfilled_on == today


def test_fulfilling_an_unknown_promise_is_not_found(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    with rejected(ledger, NotFoundError):
        ledger.fulfil_promise(
            office, advice_id=advice_id, promise_id=uuid4(), fulfilled_on=today, note="Gedaan."
        )


def test_a_fulfilment_dated_in_the_future_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    promise_id = uuid4()
    promise(ledger, office, advice_id, today, promise_id=promise_id)
    with refused(ledger, {"fulfilled_on"}):
        ledger.fulfil_promise(
            office,
            advice_id=advice_id,
            promise_id=promise_id,
            fulfilled_on=today + timedelta(days=1),
            note="Bijna klaar.",
        )
    assert ledger.get_advice(advice_id).promises[promise_id].fulfilled_on is None


# Rejoinders ---------------------------------------------------------------------------------


def test_the_advising_body_gives_a_rejoinder_on_an_answered_point(
    ledger: AdviceLedger, office: Actor, member: Actor, advice_id: UUID, today: date
) -> None:
    answer(ledger, office, advice_id, today, point=2)

    ledger.give_rejoinder(
        member, advice_id=advice_id, verdict=Verdict.SATISFIED, text="Dank.", point=2
    )

    assert rejoinders(ledger, advice_id) == [(2, Verdict.SATISFIED)]


def test_a_rejoinder_without_a_point_is_recorded_as_a_general_one(
    ledger: AdviceLedger, office: Actor, member: Actor, advice_id: UUID, today: date
) -> None:
    answer(ledger, office, advice_id, today)
    answer(
        ledger,
        office,
        advice_id,
        today,
        point=3,
        outcome=Outcome.NOT_FOLLOWED,
        text="Nee.",
        reasons="Geld.",
    )

    ledger.give_rejoinder(
        member,
        advice_id=advice_id,
        verdict=Verdict.NOT_SATISFIED,
        text="Punt 3 is teleurstellend.",
    )

    assert rejoinders(ledger, advice_id) == [(None, Verdict.NOT_SATISFIED)]


def test_a_rejoinder_from_a_member_of_another_body_is_forbidden(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    answer(ledger, office, advice_id, today)
    stranger = Actor("lid elders", Role.MEMBER, "req", body_id=uuid4())
    with rejected(ledger, ForbiddenError):
        rejoin(ledger, stranger, advice_id)


def test_the_secretariat_records_a_rejoinder_on_the_bodys_behalf_as_such(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, submitted_on: date, today: date
) -> None:
    answer(ledger, office, advice_id, today)
    letter_of = submitted_on + timedelta(days=1)

    rejoin(
        ledger,
        office,
        advice_id,
        verdict=Verdict.NOT_SATISFIED,
        text="Per brief.",
        point=1,
        given_on=letter_of,
    )

    given = [e for e in ledger.events.get(advice_id) if isinstance(e, RejoinderGiven)]
    assert [(e.on_behalf, e.meta.role, e.given_on) for e in given] == [
        (True, Role.SECRETARIAT, letter_of)
    ]


def test_a_rejoinder_dated_in_the_future_or_before_the_advice_is_refused(
    ledger: AdviceLedger,
    office: Actor,
    member: Actor,
    advice_id: UUID,
    submitted_on: date,
    today: date,
) -> None:
    answer(ledger, office, advice_id, today)
    before = ledger.last_position()

    for given_on in (today + timedelta(days=1), submitted_on - timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            rejoin(ledger, member, advice_id, text="Ok.", given_on=given_on)
        assert refused_fields(refused) == {"given_on"}
    assert ledger.last_position() == before


def test_a_rejoinder_on_an_unanswered_point_is_refused(
    ledger: AdviceLedger, office: Actor, member: Actor, advice_id: UUID, today: date
) -> None:
    answer(ledger, office, advice_id, today)
    with refused(ledger, {"point"}):
        rejoin(ledger, member, advice_id, point=2)


def test_a_rejoinder_before_any_response_is_refused(
    ledger: AdviceLedger, member: Actor, advice_id: UUID
) -> None:
    with refused(ledger, {"point"}):
        rejoin(ledger, member, advice_id, verdict=Verdict.NOT_SATISFIED, text="Geen reactie!")


def test_a_rejoinder_on_a_withdrawn_advice_is_refused_as_a_conflict(
    ledger: AdviceLedger, office: Actor, member: Actor, advice_id: UUID, today: date
) -> None:
    answer(ledger, office, advice_id, today)
    ledger.withdraw_advice(member, advice_id=advice_id, reason="Achterhaald.")
    with rejected(ledger, ConflictError):
        rejoin(ledger, member, advice_id)


# Withdrawal ---------------------------------------------------------------------------------


def test_the_advising_body_withdraws_its_advice(
    ledger: AdviceLedger, member: Actor, advice_id: UUID
) -> None:
    ledger.withdraw_advice(member, advice_id=advice_id, reason="Achterhaald door de nieuwe nota.")

    assert ledger.get_advice(advice_id).withdrawn is True


def test_the_secretariat_withdraws_an_advice(
    ledger: AdviceLedger, office: Actor, advice_id: UUID
) -> None:
    ledger.withdraw_advice(office, advice_id=advice_id, reason="Op verzoek van het adviesorgaan.")

    assert ledger.get_advice(advice_id).withdrawn is True


def test_a_member_of_another_body_may_not_withdraw_the_advice(
    ledger: AdviceLedger, advice_id: UUID
) -> None:
    stranger = Actor("lid elders", Role.MEMBER, "req", body_id=uuid4())
    with rejected(ledger, ForbiddenError):
        ledger.withdraw_advice(stranger, advice_id=advice_id, reason="Weg ermee.")
    assert ledger.get_advice(advice_id).withdrawn is False


def test_withdrawing_twice_is_refused_as_a_conflict(
    ledger: AdviceLedger, member: Actor, office: Actor, advice_id: UUID
) -> None:
    ledger.withdraw_advice(member, advice_id=advice_id, reason="Achterhaald.")
    with rejected(ledger, ConflictError):
        ledger.withdraw_advice(office, advice_id=advice_id, reason="Nogmaals.")


def test_withdrawing_without_a_reason_is_refused(
    ledger: AdviceLedger, member: Actor, advice_id: UUID
) -> None:
    with refused(ledger, {"reason"}):
        ledger.withdraw_advice(member, advice_id=advice_id, reason="  ")
    assert ledger.get_advice(advice_id).withdrawn is False
