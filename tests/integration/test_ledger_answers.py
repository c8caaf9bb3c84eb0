"""Contract 1.1 on the write side: a besluit's afwijkingen answer points (so the ledger counts
them), Awb 3:49 for the dossier, term changes from their ingangsdatum, and advice on a request."""

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

import pytest

from events import Deviation, Outcome, Verdict
from ledger import Actor, AdviceLedger, ValidationError
from tests.integration.ledger_support import ask, decide, refused, refused_fields, submit


def test_an_afwijking_answers_its_point_for_the_next_besluit_and_for_a_wederwoord(
    ledger: AdviceLedger,
    office: Actor,
    member: Actor,
    dossier_id: UUID,
    advice_id: UUID,
    today: date,
) -> None:
    deviations = [Deviation(advice_id, n, "Past niet.") for n in (1, 2, 3)]
    decide(ledger, office, dossier_id, [advice_id], today, deviations=deviations)

    second = decide(ledger, office, dossier_id, [advice_id], today).id
    ledger.give_rejoinder(
        member, advice_id=advice_id, verdict=Verdict.NOT_SATISFIED, text="Jammer.", point=2
    )

    assert ledger.exists(second)
    assert ledger.decided_points(advice_id) == frozenset({1, 2, 3})


def test_an_afwijking_is_not_followed_or_partially_followed(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    deviations = [Deviation(advice_id, n, "Reden.", Outcome.FOLLOWED) for n in (1, 2, 3)]
    with refused(ledger, {f"deviations/{i}/outcome" for i in range(3)}):
        decide(ledger, office, dossier_id, [advice_id], today, deviations=deviations)


def test_a_besluit_must_list_every_advice_on_its_dossier_naming_the_missing_one(
    ledger: AdviceLedger,
    office: Actor,
    dossier_id: UUID,
    advice_id: UUID,
    another_advice: Callable[..., UUID],
    today: date,
) -> None:
    other = another_advice(title="Tweede advies", points=["Eén."], dossier_id=dossier_id)
    ledger.withdraw_advice(office, advice_id=other, reason="Vervangen.")
    third = another_advice(title="Derde advies", points=["Eén."], dossier_id=dossier_id)
    before = ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        decide(ledger, office, dossier_id, [third], today, deviations=[Deviation(third, 1, "Nee.")])

    assert [(i.field, "Advies over de nota" in i.reason) for i in refused.value.invalid] == [
        ("advice_ids", True)
    ]
    assert "Tweede advies" not in refused.value.invalid[0].reason  # withdrawn: not required
    assert ledger.last_position() == before


def test_a_besluit_may_list_advice_without_a_dossier_but_not_of_another_dossier(
    ledger: AdviceLedger,
    office: Actor,
    dossier_id: UUID,
    advice_id: UUID,
    another_advice: Callable[..., UUID],
    submitted_on: date,
    today: date,
) -> None:
    loose = another_advice(title="Los advies", points=["Eén."])
    elsewhere = ledger.open_dossier(office, title="Andere nota", opened_on=submitted_on)
    other = another_advice(title="Elders", points=["Eén."], dossier_id=elsewhere.id)
    pending = [Deviation(a, n, "Nee.") for a, n in ((advice_id, 1), (advice_id, 2), (advice_id, 3))]

    with pytest.raises(ValidationError) as refused:
        decide(ledger, office, dossier_id, [advice_id, other], today, deviations=pending)
    taken = decide(
        ledger,
        office,
        dossier_id,
        [advice_id, loose],
        today,
        deviations=[*pending, Deviation(loose, 1, "Nee.")],
    ).id

    assert refused_fields(refused) == {"advice_ids/1"}
    assert ledger.exists(taken)


def test_a_term_change_takes_effect_on_its_ingangsdatum(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, submitted_on: date, today: date
) -> None:
    original = ledger.get_advice(advice_id).due_on
    effective = submitted_on + timedelta(days=3)

    ledger.move_due_date(
        office,
        advice_id=advice_id,
        new_due_on=original + timedelta(days=30),
        reason="Reces.",
        effective_on=effective,
    )

    advice = ledger.get_advice(advice_id)
    assert advice.due_on_at(effective - timedelta(days=1)) == original
    assert advice.due_on_at(effective) == original + timedelta(days=30)


@pytest.mark.parametrize("days", [-11, 1])
def test_a_term_change_effective_before_the_advice_or_in_the_future_is_refused(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date, days: int
) -> None:
    with refused(ledger, {"effective_on"}):
        ledger.move_due_date(
            office,
            advice_id=advice_id,
            new_due_on=today + timedelta(days=60),
            reason="Reces.",
            effective_on=today + timedelta(days=days),
        )


def test_advice_on_a_request_is_solicited_and_of_the_requested_body(
    ledger: AdviceLedger, office: Actor, body_id: UUID, dossier_id: UUID, submitted_on: date
) -> None:
    from events import BodyKind
    from tests.integration.actors import administrator

    request = ask(
        ledger, office, dossier_id, body_id, submitted_on, submitted_on, "Wat vindt u?"
    ).id
    other_body = ledger.register_body(
        administrator(), name="Wmo-platform", kind=BodyKind.ADVISORY_COUNCIL
    )
    before = ledger.last_position()

    with pytest.raises(ValidationError) as unsolicited:
        submit(ledger, office, body_id, submitted_on, title="A", request_id=request)
    with pytest.raises(ValidationError) as wrong_body:
        submit(
            ledger,
            office,
            other_body.id,
            submitted_on,
            title="A",
            solicited=True,
            request_id=request,
        )

    assert refused_fields(unsolicited) == {"solicited"}
    assert refused_fields(wrong_body) == {"request_id"}
    assert ledger.last_position() == before
