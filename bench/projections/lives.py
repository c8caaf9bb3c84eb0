"""One advice's life in the generated log (generator.py): the steps that follow its submission —
term moves, responses, promises and their fulfilment, a rejoinder, sometimes a withdrawal."""

import random
from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from bench.projections.common import OFFICE, OUTCOMES, REASONS, RESPONSE_TEXTS
from events import Meta, Outcome, Role, Verdict
from ledger import Actor, Advice, AdvisoryBody

Step = Callable[[], Aggregate]


def advice_life(
    rng: random.Random,
    meta: Meta,
    today: date,
    municipality: str,
    advice: Advice,
    body: AdvisoryBody,
    points: int,
    day: date,
) -> list[Step]:
    """What happens to one advice after submission, in order, dated after `day`: each step
    stores exactly one event; drawn from `rng` in a fixed order, so a seed gives the same log."""
    member = Actor("lid", Role.MEMBER, "bench-member", body_id=body.id)
    member_meta = member.meta(municipality)
    steps: list[Step] = []
    fulfilments: list[Step] = []
    answered = 0

    def later(days: int) -> date:
        return min(today, day + timedelta(days=days))

    def move() -> Aggregate:
        new_due_on = advice.due_on_at(today) + timedelta(days=14)
        advice.move_due_date(
            meta,
            new_due_on=new_due_on,
            reason="Zomerreces",
            effective_on=later(30),
            today=today,
        )
        return advice

    def respond(point: int, outcome: Outcome, given_on: date) -> Step:
        def step() -> Aggregate:
            text = RESPONSE_TEXTS[rng.randrange(len(RESPONSE_TEXTS))]
            reasons = REASONS if outcome.needs_reasons else None
            advice.respond(
                meta,
                point=point,
                outcome=outcome,
                text=text,
                reasons=reasons,
                consequence=None,
                given_on=given_on,
                decision=None,
                today=today,
            )
            return advice

        return step

    def promise(point: int, promise_id: UUID, due_on: date) -> Step:
        def step() -> Aggregate:
            text = "Het college stuurt de raad een uitwerking met planning en kosten."
            advice.promise(
                meta, promise_id=promise_id, point=point, description=text, due_on=due_on
            )
            return advice

        return step

    def fulfil(promise_id: UUID, on: date) -> Step:
        def step() -> Aggregate:
            advice.fulfil(
                meta,
                promise_id=promise_id,
                fulfilled_on=on,
                note="De uitwerking is naar de raad gestuurd.",
                today=today,
            )
            return advice

        return step

    def rejoin() -> Aggregate:
        verdict = Verdict.SATISFIED if rng.random() < 0.6 else Verdict.NOT_SATISFIED
        text = "De adviesraad dankt het college voor de reactie op het advies."
        advice.give_rejoinder(
            member,
            member_meta,
            point=None,
            verdict=verdict,
            text=text,
            given_on=later(45),
            today=today,
        )
        return advice

    def withdraw() -> Aggregate:
        advice.withdraw(OFFICE, meta, reason="Het advies is vervangen door een nieuw advies.")
        return advice

    if rng.random() < 0.15:
        steps.append(move)
    for point in range(1, points + 1):
        if rng.random() < 0.08:
            continue  # left unanswered: the decision must motivate it
        answered += 1
        outcome = OUTCOMES[rng.randrange(len(OUTCOMES))]
        steps.append(respond(point, outcome, later(rng.randint(5, 40))))
        if rng.random() < 0.12:  # a later response supersedes the first
            steps.append(respond(point, Outcome.FOLLOWED, later(rng.randint(41, 70))))
        if rng.random() < 0.15:
            promise_id = uuid4()
            steps.append(promise(point, promise_id, later(rng.randint(60, 200))))
            if rng.random() < 0.7:
                fulfilments.append(fulfil(promise_id, later(rng.randint(45, 85))))
    steps.extend(fulfilments)
    if answered and rng.random() < 0.5:
        steps.append(rejoin)
    if rng.random() < 0.03:
        del steps[rng.randrange(len(steps) + 1) :]
        steps.append(withdraw)
    return steps or [move]
