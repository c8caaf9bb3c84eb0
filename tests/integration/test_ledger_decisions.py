"""College decisions: they mention the advice (Awb 3:49) and motivate every deviation (3:50)."""

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from events import BodyKind, DecisionTaken, Deviation, Outcome
from ledger import Actor, AdviceLedger, Decision, ValidationError
from tests.integration.actors import administrator


def refused_fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {item.field for item in error.value.invalid}


def answer_every_point(ledger: AdviceLedger, office: Actor, advice_id: UUID, on: date) -> None:
    for point in ledger.get_advice(advice_id).pending_points():
        ledger.record_response(
            office,
            advice_id=advice_id,
            point=point,
            outcome=Outcome.FOLLOWED,
            text="Overgenomen.",
            given_on=on,
        )


def submit_two_point_advice(
    ledger: AdviceLedger, office: Actor, body_id: UUID, dossier_id: UUID, on: date
) -> UUID:
    return ledger.submit_advice(
        office,
        body_id=body_id,
        title="Tweede advies",
        submitted_on=on,
        solicited=False,
        points=["Eén.", "Twee."],
        dossier_id=dossier_id,
    ).id


def test_a_decision_on_answered_advice_is_taken(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    answer_every_point(ledger, office, advice_id, today)

    recorded = ledger.take_decision(
        office,
        dossier_id=dossier_id,
        title="Besluit nota",
        decided_on=today,
        advice_ids=[advice_id],
    )

    decision: object = ledger.repository.get(recorded.id)
    assert isinstance(decision, Decision)
    assert decision.dossier_id == dossier_id


def test_a_decision_listing_an_unknown_advice_is_refused_naming_its_place(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    answer_every_point(ledger, office, advice_id, today)
    before = ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        ledger.take_decision(
            office,
            dossier_id=dossier_id,
            title="Besluit",
            decided_on=today,
            advice_ids=[advice_id, uuid4()],
        )

    assert refused_fields(refused) == {"advice_ids/1"}
    assert ledger.last_position() == before


def test_a_decision_listing_advice_of_another_municipality_is_refused(
    ledger: AdviceLedger,
    other_ledger: AdviceLedger,
    office: Actor,
    dossier_id: UUID,
    submitted_on: date,
    today: date,
) -> None:
    other_body = other_ledger.register_body(
        administrator(), name="Stadadviseert", kind=BodyKind.ADVISORY_COUNCIL
    )
    elsewhere = other_ledger.submit_advice(
        office,
        body_id=other_body.id,
        title="Elders",
        submitted_on=submitted_on,
        solicited=False,
        points=["p"],
    )
    answer_every_point(other_ledger, office, elsewhere.id, today)
    before = ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        ledger.take_decision(
            office,
            dossier_id=dossier_id,
            title="Besluit",
            decided_on=today,
            advice_ids=[elsewhere.id],
        )

    assert refused_fields(refused) == {"advice_ids/0"}
    assert ledger.last_position() == before


def test_a_decision_listing_an_advice_twice_is_refused(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    answer_every_point(ledger, office, advice_id, today)
    before = ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        ledger.take_decision(
            office,
            dossier_id=dossier_id,
            title="Besluit",
            decided_on=today,
            advice_ids=[advice_id, advice_id],
        )

    assert refused_fields(refused) == {"advice_ids/1"}
    assert ledger.last_position() == before


def test_a_decision_over_pending_points_is_refused_naming_each_point(
    ledger: AdviceLedger,
    office: Actor,
    body_id: UUID,
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
    today: date,
) -> None:
    ledger.record_response(
        office, advice_id=advice_id, point=2, outcome=Outcome.FOLLOWED, text="Ja.", given_on=today
    )
    second = submit_two_point_advice(ledger, office, body_id, dossier_id, submitted_on)
    before = ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        ledger.take_decision(
            office,
            dossier_id=dossier_id,
            title="Besluit",
            decided_on=today,
            advice_ids=[advice_id, second],
        )

    assert refused_fields(refused) == {
        "advice_ids/0/points/1",
        "advice_ids/0/points/3",
        "advice_ids/1/points/1",
        "advice_ids/1/points/2",
    }
    assert ledger.last_position() == before


def test_a_decision_deviating_from_every_pending_point_with_reasons_is_taken(
    ledger: AdviceLedger,
    office: Actor,
    body_id: UUID,
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
    today: date,
) -> None:
    ledger.record_response(
        office, advice_id=advice_id, point=2, outcome=Outcome.FOLLOWED, text="Ja.", given_on=today
    )
    second = submit_two_point_advice(ledger, office, body_id, dossier_id, submitted_on)
    deviations = [
        Deviation(advice_id, 1, "Past niet in de begroting."),
        Deviation(advice_id, 3, " Wordt later bekeken. "),
        Deviation(second, 1, "Strijdig met de wet."),
        Deviation(second, 2, "Al geregeld."),
    ]

    recorded = ledger.take_decision(
        office,
        dossier_id=dossier_id,
        title="Besluit",
        decided_on=today,
        advice_ids=[advice_id, second],
        deviations=deviations,
    )

    taken = [e for e in ledger.events.get(recorded.id) if isinstance(e, DecisionTaken)]
    assert [e.advice_ids for e in taken] == [(advice_id, second)]
    assert [d.reasons for d in taken[0].deviations] == [
        "Past niet in de begroting.",
        "Wordt later bekeken.",
        "Strijdig met de wet.",
        "Al geregeld.",
    ]


def test_a_deviation_without_reasons_leaves_its_point_uncovered(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    ledger.record_response(
        office, advice_id=advice_id, point=1, outcome=Outcome.FOLLOWED, text="Ja.", given_on=today
    )
    ledger.record_response(
        office, advice_id=advice_id, point=2, outcome=Outcome.FOLLOWED, text="Ja.", given_on=today
    )
    before = ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        ledger.take_decision(
            office,
            dossier_id=dossier_id,
            title="Besluit",
            decided_on=today,
            advice_ids=[advice_id],
            deviations=[Deviation(advice_id, 3, "  ")],
        )

    assert refused_fields(refused) == {"deviations/0/reasons", "advice_ids/0/points/3"}
    assert ledger.last_position() == before


def test_a_deviation_from_advice_the_decision_does_not_list_is_refused(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    answer_every_point(ledger, office, advice_id, today)
    before = ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        ledger.take_decision(
            office,
            dossier_id=dossier_id,
            title="Besluit",
            decided_on=today,
            advice_ids=[advice_id],
            deviations=[Deviation(uuid4(), 1, "Niet gevolgd.")],
        )

    assert refused_fields(refused) == {"deviations/0/advice_id"}
    assert ledger.last_position() == before


def test_a_deviation_from_a_point_the_advice_lacks_is_refused(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    answer_every_point(ledger, office, advice_id, today)
    before = ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        ledger.take_decision(
            office,
            dossier_id=dossier_id,
            title="Besluit",
            decided_on=today,
            advice_ids=[advice_id],
            deviations=[Deviation(advice_id, 4, "Niet gevolgd.")],
        )

    assert refused_fields(refused) == {"deviations/0/point"}
    assert ledger.last_position() == before


def test_pending_points_of_a_withdrawn_advice_need_no_deviation(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    ledger.withdraw_advice(office, advice_id=advice_id, reason="Achterhaald.")

    recorded = ledger.take_decision(
        office, dossier_id=dossier_id, title="Besluit", decided_on=today, advice_ids=[advice_id]
    )

    assert ledger.exists(recorded.id)


def test_a_decision_on_a_dossier_of_another_municipality_is_refused(
    ledger: AdviceLedger, other_ledger: AdviceLedger, office: Actor, today: date
) -> None:
    elsewhere = other_ledger.open_dossier(office, title="Nota elders", opened_on=today)
    before = ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        ledger.take_decision(
            office, dossier_id=elsewhere.id, title="Besluit", decided_on=today, advice_ids=[]
        )

    assert refused_fields(refused) == {"dossier_id"}
    assert ledger.last_position() == before


def test_a_decision_dated_in_the_future_is_refused(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    answer_every_point(ledger, office, advice_id, today)
    before = ledger.last_position()

    with pytest.raises(ValidationError) as refused:
        ledger.take_decision(
            office,
            dossier_id=dossier_id,
            title="Besluit",
            decided_on=today + timedelta(days=1),
            advice_ids=[advice_id],
        )

    assert refused_fields(refused) == {"decided_on"}
    assert ledger.last_position() == before
