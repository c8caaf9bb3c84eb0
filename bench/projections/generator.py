"""Generating the log: a realistic mix of advice, answers and decisions, through the ledger's own
aggregates and mapper, reproducible from a seed."""

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, CanMutateAggregate

from bench.projections.common import (
    BODIES,
    IN_FLIGHT,
    INSERT_BATCH,
    OFFICE,
    OUTCOMES,
    POINT_TEXTS,
    REASONS,
    RESPONSE_TEXTS,
)
from events import BodyKind, Deviation, Outcome, Role, Verdict
from ledger import (
    Actor,
    Advice,
    AdviceLedger,
    AdviceRequest,
    AdvisoryBody,
    Decision,
    Dossier,
    amsterdam_today,
)
from ledger.decisions import DossierAdvice, ListedAdvice

# Generating the log ---------------------------------------------------------------------------


def seeded(seed: int) -> random.Random:
    """The same workload on every run; nothing here is a secret."""
    return random.Random(seed)  # noqa: S311 - reproducibility, not cryptography


Step = Callable[[], Aggregate]


@dataclass
class DossierPlan:
    """A dossier, the advice still to be given on it, and the advice given (for the decision)."""

    dossier: Dossier
    unstarted: int
    in_flight: int = 0
    given: list[Advice] = field(default_factory=list)


@dataclass
class AdvicePlan:
    """One advice being worked on: the steps still to come, each storing exactly one event."""

    advice: Advice
    steps: list[Step]
    dossier: DossierPlan | None


class LogGenerator:
    """A realistic municipality, written through the ledger's aggregates, mapper and recorder.

    Several hundred advices are in flight at once and the next step is taken for a random one,
    so one advice's events are spread over the log, as they are when people work on many at once.
    Business dates run from eight years ago to three months ago; recorded moments are real.
    """

    def __init__(self, ledger: AdviceLedger, total: int, seed: int = 2027) -> None:
        self.ledger, self.total, self.rng = ledger, total, seeded(seed)
        self.today = amsterdam_today()
        self.first_day = self.today - timedelta(days=8 * 365)
        self.span = (self.today - timedelta(days=90) - self.first_day).days
        self.meta = OFFICE.meta(ledger.municipality)
        self.produced = 0
        self.counts: Counter[str] = Counter()
        self.batch: list[CanMutateAggregate[UUID]] = []
        self.bodies: list[AdvisoryBody] = []
        self.filling: DossierPlan | None = None
        self.serial = 0

    def run(self) -> Counter[str]:
        kinds = list(BodyKind)
        for i in range(min(BODIES, self.total)):
            body = AdvisoryBody.register(
                self.meta,
                name=f"Adviesraad {i + 1}",
                kind=kinds[i % len(kinds)],
                response_term_days=(28, 42, 56)[i % 3],
                id=None,
            )
            self.bodies.append(body)
            self.emit(body)
        in_flight: list[AdvicePlan] = []
        while self.produced < self.total:
            if len(in_flight) < IN_FLIGHT:
                plan = self.start_advice()
                if plan is not None:
                    in_flight.append(plan)
                continue
            index = self.rng.randrange(len(in_flight))
            plan = in_flight[index]
            self.emit(plan.steps.pop(0)())
            if not plan.steps:
                in_flight[index] = in_flight[-1]
                in_flight.pop()
                self.finish(plan)
        self.flush()
        return self.counts

    def emit(self, aggregate: Aggregate) -> None:
        for event in aggregate.collect_events():
            self.batch.append(event)
            self.counts[type(event).__name__] += 1
            self.produced += 1
        if len(self.batch) >= INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        mapper = self.ledger.mapper
        self.ledger.recorder.insert_events([mapper.to_stored_event(e) for e in self.batch])
        self.batch.clear()

    def day(self) -> date:
        return self.first_day + timedelta(days=self.span * self.produced // self.total)

    def start_advice(self) -> AdvicePlan | None:
        """Opens a dossier and asks for advice when needed, then submits one advice (≥ 1 event)."""
        rng, day = self.rng, self.day()
        self.serial += 1
        if self.filling is None or self.filling.unstarted == 0:
            self.filling = None
            if rng.random() < 0.8:
                dossier = Dossier.open(
                    self.meta,
                    title=f"Beleidsnota sociaal domein {self.serial}",
                    reference=f"OS {self.serial}",
                    portfolio_holder="wethouder Zorg",
                    opened_on=day - timedelta(days=30),
                    today=self.today,
                    id=None,
                )
                self.emit(dossier)
                self.filling = DossierPlan(dossier, unstarted=rng.randint(1, 4))
        plan = self.filling
        if self.produced >= self.total:
            return None
        body = rng.choice(self.bodies)
        request = None
        if plan is not None and rng.random() < 0.7:
            request = AdviceRequest.request(
                self.meta,
                dossier=plan.dossier,
                body=body,
                question="Wilt u het college adviseren over de nota?",
                requested_on=day - timedelta(days=20),
                due_on=day + timedelta(days=30),
                today=self.today,
                id=None,
            )
            self.emit(request)
            if self.produced >= self.total:
                return None
        first = rng.randrange(len(POINT_TEXTS))
        points = [
            f"{POINT_TEXTS[(first + n) % len(POINT_TEXTS)]} ({self.serial}.{n + 1})"
            for n in range(rng.randint(3, 10))
        ]
        advice = Advice.submit(
            OFFICE,
            self.meta,
            body=body,
            title=f"Advies over de beleidsnota sociaal domein {self.serial}",
            submitted_on=day,
            solicited=request is not None or rng.random() < 0.5,
            points=points,
            dossier=plan.dossier if plan else None,
            request=request,
            reference=f"AR-{self.serial}",
            today=self.today,
            id=None,
        )
        self.emit(advice)
        if plan is not None:
            plan.unstarted -= 1
            plan.in_flight += 1
        return AdvicePlan(advice, self.script(advice, body, len(points), day), plan)

    def script(self, advice: Advice, body: AdvisoryBody, points: int, day: date) -> list[Step]:
        """What happens to one advice after submission, in order, dated after `day`."""
        rng, meta, today = self.rng, self.meta, self.today
        member = Actor("lid", Role.MEMBER, "bench-member", body_id=body.id)
        member_meta = member.meta(self.ledger.municipality)
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

    def finish(self, plan: AdvicePlan) -> None:
        """A dossier whose advice are all done gets its decision (most of the time)."""
        dossier = plan.dossier
        if dossier is None:
            return
        dossier.in_flight -= 1
        dossier.given.append(plan.advice)
        if dossier.in_flight or dossier.unstarted or self.produced >= self.total:
            return
        if self.rng.random() < 0.8:
            deviations = [
                Deviation(advice.id, number, REASONS)
                for advice in dossier.given
                if not advice.withdrawn
                for number in advice.pending_points()
            ]
            decision = Decision.take(
                self.meta,
                dossier=dossier.dossier,
                title=f"Besluit over {dossier.dossier.title}",
                decided_on=min(self.today, self.day() + timedelta(days=60)),
                listed=[ListedAdvice(advice.id, advice) for advice in dossier.given],
                on_dossier=[DossierAdvice(a.id, a.title, a.withdrawn) for a in dossier.given],
                reference=f"B-{self.serial}",
                deviations=deviations,
                today=self.today,
                id=None,
            )
            self.emit(decision)
