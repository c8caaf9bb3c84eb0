"""The ledger's workload: advices submitted and answered, as commands or as plain saves."""

from datetime import date, timedelta
from uuid import UUID

from bench.ledger.common import (
    ACTOR,
    ADMINISTRATOR,
    BATCH,
    EVENTS_PER_ADVICE,
    OUTCOMES,
    POINT,
    POINTS,
    RESPONSE,
    TITLE,
    Laps,
)
from events import BodyKind, Outcome
from ledger import Actor, Advice, AdviceLedger, AdvisoryBody


def register_body(ledger: AdviceLedger) -> AdvisoryBody:
    name, kind = "Adviesraad Sociaal Domein", BodyKind.ADVISORY_COUNCIL
    recorded = ledger.register_body(ADMINISTRATOR, name=name, kind=kind)
    return ledger.get_body(recorded.id)


def submitted_on(ledger: AdviceLedger) -> date:
    return ledger.today() - timedelta(days=7)


def run_commands(ledger: AdviceLedger, body: AdvisoryBody, advices: int) -> None:
    """What the HTTP handlers do: every command loads, checks its rules and saves once."""
    day = submitted_on(ledger)
    for i in range(advices):
        points = [POINT.format(n) for n in range(1, POINTS + 1)]
        advice_id = ledger.submit_advice(
            ACTOR,
            body_id=body.id,
            title=f"{TITLE} {i}",
            submitted_on=day,
            solicited=True,
            points=points,
        ).id
        for n in range(1, POINTS + 1):
            ledger.record_response(
                ACTOR,
                advice_id=advice_id,
                point=n,
                outcome=OUTCOMES[n % 2],
                text=RESPONSE,
                given_on=day,
            )


def submitted(
    ledger: AdviceLedger, actor: Actor, body: AdvisoryBody, title: str, points: list[str], day: date
) -> Advice:
    """A solicited advice made by the aggregate itself (`Advice.submit`), not saved yet."""
    return Advice.submit(
        actor,
        actor.meta(ledger.municipality),
        body=body,
        title=title,
        submitted_on=day,
        solicited=True,
        points=points,
        dossier=None,
        request=None,
        reference=None,
        today=ledger.today(),
        id=None,
    )


def responded(
    ledger: AdviceLedger, actor: Actor, advice: Advice, point: int, outcome: Outcome, text: str
) -> None:
    """A response to `point` by the aggregate itself (`advice.respond`), given on the day the
    advice was submitted; not saved yet."""
    advice.respond(
        actor.meta(ledger.municipality),
        point=point,
        outcome=outcome,
        text=text,
        reasons=None,
        consequence=None,
        given_on=advice.submitted_on,
        decision=None,
        today=ledger.today(),
    )


def submit(ledger: AdviceLedger, body: AdvisoryBody, i: int) -> Advice:
    points = [POINT.format(n) for n in range(1, POINTS + 1)]
    return submitted(ledger, ACTOR, body, f"{TITLE} {i}", points, submitted_on(ledger))


def respond(ledger: AdviceLedger, advice: Advice, point: int) -> None:
    responded(ledger, ACTOR, advice, point, OUTCOMES[point % 2], RESPONSE)


def run_saves(ledger: AdviceLedger, body: AdvisoryBody, advices: int, laps: Laps) -> None:
    """The same events, but only the library's `save` (encode, insert, commit) is timed."""
    for i in range(advices):
        advice = submit(ledger, body, i)
        with laps.lap():
            ledger.save(advice)
        for n in range(1, POINTS + 1):
            respond(ledger, advice, n)
            with laps.lap():
                ledger.save(advice)


def build_log(ledger: AdviceLedger, events: int) -> list[UUID]:
    """A log of advices with responses, saved many aggregates per transaction to be quick."""
    body, batch, ids = register_body(ledger), list[Advice](), list[UUID]()
    for i in range(max(1, events // EVENTS_PER_ADVICE)):
        advice = submit(ledger, body, i)
        for n in range(1, POINTS + 1):
            respond(ledger, advice, n)
        batch.append(advice)
        ids.append(advice.id)
        if len(batch) == BATCH:
            ledger.save(*batch)
            batch.clear()
    if batch:
        ledger.save(*batch)
    return ids
