"""Aggregate rules without storage: due dates, superseding responses, rejoinders, decisions."""

from collections.abc import Sequence
from datetime import date
from uuid import uuid4

import pytest

from events import (
    BodyKind,
    Deviation,
    Outcome,
    RejoinderGiven,
    ResponseRecorded,
    Role,
    Verdict,
)
from ledger import Actor, Advice, AdvisoryBody, Decision, Dossier, ForbiddenError, ValidationError
from ledger.decisions import ListedAdvice

OFFICE = Actor("secretariaat", Role.SECRETARIAT, "req-1")
META = OFFICE.meta("groningen")
TODAY = date(2024, 6, 28)


def register(term: int = 42) -> AdvisoryBody:
    return AdvisoryBody.register(
        META, name="WIJ-raad", kind=BodyKind.CLIENT_COUNCIL, response_term_days=term, id=None
    )


def submit(
    body: AdvisoryBody, on: date = date(2024, 5, 1), points: int = 3, actor: Actor = OFFICE
) -> Advice:
    texts = [f"Punt {n}." for n in range(1, points + 1)]
    return Advice.submit(
        actor,
        META,
        body=body,
        title="Advies",
        submitted_on=on,
        solicited=False,
        points=texts,
        dossier=None,
        request=None,
        reference=None,
        today=TODAY,
        id=None,
    )


def respond(advice: Advice, point: int, outcome: Outcome, reasons: str | None = None) -> None:
    advice.respond(
        META,
        point=point,
        outcome=outcome,
        text="Reactie.",
        reasons=reasons,
        consequence=None,
        given_on=TODAY,
        decision=None,
        today=TODAY,
    )


def open_dossier() -> Dossier:
    return Dossier.open(
        META,
        title="Nota",
        reference=None,
        portfolio_holder=None,
        opened_on=TODAY,
        today=TODAY,
        id=None,
    )


def take_decision(
    dossier: Dossier, listed: list[ListedAdvice], deviations: Sequence[Deviation]
) -> Decision:
    return Decision.take(
        META,
        dossier=dossier,
        title="Besluit",
        decided_on=TODAY,
        listed=listed,
        on_dossier=[],
        reference=None,
        deviations=deviations,
        today=TODAY,
        id=None,
    )


def test_due_date_counts_calendar_days_across_a_leap_day() -> None:
    advice = submit(register(), on=date(2024, 2, 20))

    assert advice.due_on == date(2024, 4, 2)


def test_due_date_follows_the_bodys_own_response_term() -> None:
    advice = submit(register(term=30), on=date(2023, 12, 15))

    assert advice.due_on == date(2024, 1, 14)


def test_a_later_response_supersedes_the_earlier_and_both_are_kept() -> None:
    advice = submit(register())
    respond(advice, 2, Outcome.DEFERRED)

    respond(advice, 2, Outcome.NOT_FOLLOWED, reasons="Te duur.")

    point = advice.points[1]
    assert point.outcome is Outcome.NOT_FOLLOWED
    assert [r.outcome for r in point.responses] == [Outcome.DEFERRED, Outcome.NOT_FOLLOWED]
    assert all(isinstance(r, ResponseRecorded) for r in point.responses)
    assert advice.version == 3


@pytest.mark.parametrize("outcome", [Outcome.NOT_FOLLOWED, Outcome.PARTIALLY_FOLLOWED])
@pytest.mark.parametrize("reasons", [None, "", " ", "\n\t"])
def test_not_followed_without_reasons_is_refused(outcome: Outcome, reasons: str | None) -> None:
    advice = submit(register())
    advice.collect_events()

    with pytest.raises(ValidationError) as refused:
        respond(advice, 1, outcome, reasons)

    assert [item.field for item in refused.value.invalid] == ["reasons"]
    assert advice.collect_events() == []
    assert (advice.version, advice.points[0].outcome) == (1, Outcome.PENDING)


def test_pending_points_are_the_unanswered_ones() -> None:
    advice = submit(register(), points=4)

    respond(advice, 2, Outcome.FOLLOWED)
    respond(advice, 4, Outcome.NOTED)

    assert advice.pending_points() == [1, 3]


def test_a_rejoinder_without_a_point_is_recorded_as_a_general_one() -> None:
    body = register()
    advice = submit(body, points=4)
    respond(advice, 1, Outcome.FOLLOWED)
    respond(advice, 3, Outcome.DEFERRED)
    member = Actor("lid", Role.MEMBER, "req-2", body_id=body.id)
    advice.collect_events()

    advice.give_rejoinder(
        member,
        member.meta("groningen"),
        point=None,
        verdict=Verdict.SATISFIED,
        text="Dank.",
        given_on=TODAY,
        today=TODAY,
    )

    given = advice.collect_events()
    assert [(type(e), getattr(e, "point", 0)) for e in given] == [(RejoinderGiven, None)]


def test_a_member_submits_advice_only_for_its_own_body() -> None:
    body = register()
    own = Actor("lid", Role.MEMBER, "req-3", body_id=body.id)
    stranger = Actor("lid elders", Role.MEMBER, "req-4", body_id=uuid4())

    submitted = submit(body, actor=own)

    assert submitted.body_id == body.id
    with pytest.raises(ForbiddenError):
        submit(body, actor=stranger)


def test_a_decision_names_each_pending_point_of_each_listed_advice() -> None:
    body = register()
    first, second = submit(body, points=3), submit(body, points=2)
    respond(first, 2, Outcome.FOLLOWED)
    dossier = open_dossier()
    listed = [ListedAdvice(first.id, first), ListedAdvice(second.id, second)]

    with pytest.raises(ValidationError) as refused:
        take_decision(dossier, listed, deviations=())

    assert [item.field for item in refused.value.invalid] == [
        "advice_ids/0/points/1",
        "advice_ids/0/points/3",
        "advice_ids/1/points/1",
        "advice_ids/1/points/2",
    ]


def test_a_decision_deviating_with_reasons_from_each_pending_point_is_taken() -> None:
    body = register()
    advice = submit(body, points=2)
    respond(advice, 1, Outcome.FOLLOWED)
    dossier = open_dossier()

    decision = take_decision(
        dossier,
        [ListedAdvice(advice.id, advice)],
        deviations=[Deviation(advice.id, 2, "Past niet in de begroting.")],
    )

    assert decision.dossier_id == dossier.id
