"""Generating the log: a realistic mix of advice, answers and decisions, through the ledger's own
aggregates and mapper, reproducible from a seed."""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate

from bench.projections.common import (
    BODIES,
    IN_FLIGHT,
    INSERT_BATCH,
    OFFICE,
    POINT_TEXTS,
    REASONS,
)
from bench.projections.lives import Step, advice_life
from events import BodyKind, Deviation
from ledger import (
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
        return AdvicePlan(
            advice,
            advice_life(
                self.rng,
                self.meta,
                self.today,
                self.ledger.municipality,
                advice,
                body,
                len(points),
                day,
            ),
            plan,
        )

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
