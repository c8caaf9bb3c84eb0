"""College decisions: they mention the advice (Awb 3:49) and motivate every deviation (3:50)."""

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from events import DecisionTaken, Deviation
from ledger import Actor, AdviceLedger, Decision, Recorded
from tests.integration.ledger_support import answer, decide, refused, submit


def answer_every_point(ledger: AdviceLedger, office: Actor, advice_id: UUID, on: date) -> None:
    for point in ledger.get_advice(advice_id).pending_points():
        answer(ledger, office, advice_id, on, point=point, text="Overgenomen.")


@pytest.fixture
def second(
    ledger: AdviceLedger,
    office: Actor,
    advice_id: UUID,
    another_advice: Callable[..., UUID],
    dossier_id: UUID,
    today: date,
) -> UUID:
    """A second advice of two points on the dossier, after point 2 of the first was answered."""
    answer(ledger, office, advice_id, today, point=2)
    return another_advice(title="Tweede advies", points=["Eén.", "Twee."], dossier_id=dossier_id)


DecideOn = Callable[..., Recorded]


@pytest.fixture
def decide_on_both(
    ledger: AdviceLedger,
    office: Actor,
    dossier_id: UUID,
    advice_id: UUID,
    second: UUID,
    today: date,
) -> DecideOn:
    """Takes a decision on the dossier, today, listing the first advice and the second, with the
    deviations given (none unless told)."""

    def decide_(deviations: Sequence[Deviation] = ()) -> Recorded:
        return decide(ledger, office, dossier_id, [advice_id, second], today, deviations=deviations)

    return decide_


def test_a_decision_on_answered_advice_is_taken(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    answer_every_point(ledger, office, advice_id, today)

    recorded = decide(ledger, office, dossier_id, [advice_id], today, title="Besluit nota")

    decision: object = ledger.repository.get(recorded.id)
    assert isinstance(decision, Decision)
    assert decision.dossier_id == dossier_id


def test_a_decision_listing_an_unknown_advice_is_refused_naming_its_place(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    answer_every_point(ledger, office, advice_id, today)
    with refused(ledger, {"advice_ids/1"}):
        decide(ledger, office, dossier_id, [advice_id, uuid4()], today)


def test_a_decision_listing_advice_of_another_municipality_is_refused(
    ledger: AdviceLedger,
    other_ledger: AdviceLedger,
    body_elsewhere: UUID,
    office: Actor,
    dossier_id: UUID,
    submitted_on: date,
    today: date,
) -> None:
    elsewhere = submit(other_ledger, office, body_elsewhere, submitted_on, title="Elders")
    answer_every_point(other_ledger, office, elsewhere.id, today)
    with refused(ledger, {"advice_ids/0"}):
        decide(ledger, office, dossier_id, [elsewhere.id], today)


def test_a_decision_listing_an_advice_twice_is_refused(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    answer_every_point(ledger, office, advice_id, today)
    with refused(ledger, {"advice_ids/1"}):
        decide(ledger, office, dossier_id, [advice_id, advice_id], today)


def test_a_decision_over_pending_points_is_refused_naming_each_point(
    ledger: AdviceLedger, advice_id: UUID, second: UUID, decide_on_both: DecideOn
) -> None:
    with refused(
        ledger,
        {
            "advice_ids/0/points/1",
            "advice_ids/0/points/3",
            "advice_ids/1/points/1",
            "advice_ids/1/points/2",
        },
    ):
        decide_on_both()


def test_a_decision_deviating_from_every_pending_point_with_reasons_is_taken(
    ledger: AdviceLedger, advice_id: UUID, second: UUID, decide_on_both: DecideOn
) -> None:
    deviations = [
        Deviation(advice_id, 1, "Past niet in de begroting."),
        Deviation(advice_id, 3, " Wordt later bekeken. "),
        Deviation(second, 1, "Strijdig met de wet."),
        Deviation(second, 2, "Al geregeld."),
    ]

    recorded = decide_on_both(deviations)

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
    answer(ledger, office, advice_id, today)
    answer(ledger, office, advice_id, today, point=2)
    with refused(ledger, {"deviations/0/reasons", "advice_ids/0/points/3"}):
        decide(
            ledger,
            office,
            dossier_id,
            [advice_id],
            today,
            deviations=[Deviation(advice_id, 3, "  ")],
        )


@pytest.mark.parametrize(
    ("lacking", "field"),
    [("advice", "deviations/0/advice_id"), ("point", "deviations/0/point")],
    ids=["a_deviation_from_advice_the_decision_does_not_list", "from_a_point_the_advice_lacks"],
)
def test_a_deviation_from_what_the_decision_lacks_is_refused(
    ledger: AdviceLedger,
    office: Actor,
    dossier_id: UUID,
    advice_id: UUID,
    today: date,
    lacking: str,
    field: str,
) -> None:
    answer_every_point(ledger, office, advice_id, today)
    deviation = (
        Deviation(uuid4(), 1, "Niet gevolgd.")
        if lacking == "advice"
        else Deviation(advice_id, 4, "Niet gevolgd.")
    )

    with refused(ledger, {field}):
        decide(ledger, office, dossier_id, [advice_id], today, deviations=[deviation])


def test_pending_points_of_a_withdrawn_advice_need_no_deviation(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    ledger.withdraw_advice(office, advice_id=advice_id, reason="Achterhaald.")

    recorded = decide(ledger, office, dossier_id, [advice_id], today)

    assert ledger.exists(recorded.id)


def test_a_decision_on_a_dossier_of_another_municipality_is_refused(
    ledger: AdviceLedger, other_ledger: AdviceLedger, office: Actor, today: date
) -> None:
    elsewhere = other_ledger.open_dossier(office, title="Nota elders", opened_on=today)
    with refused(ledger, {"dossier_id"}):
        decide(ledger, office, elsewhere.id, [], today)


def test_a_decision_dated_in_the_future_is_refused(
    ledger: AdviceLedger, office: Actor, dossier_id: UUID, advice_id: UUID, today: date
) -> None:
    answer_every_point(ledger, office, advice_id, today)
    with refused(ledger, {"decided_on"}):
        decide(ledger, office, dossier_id, [advice_id], today + timedelta(days=1))
