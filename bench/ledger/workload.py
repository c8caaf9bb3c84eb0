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
from events import BodyKind
from ledger import Advice, AdviceLedger, AdvisoryBody


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


def submit(ledger: AdviceLedger, body: AdvisoryBody, i: int) -> Advice:
    meta, day = ACTOR.meta(ledger.municipality), submitted_on(ledger)
    points = [POINT.format(n) for n in range(1, POINTS + 1)]
    return Advice.submit(
        ACTOR,
        meta,
        body=body,
        title=f"{TITLE} {i}",
        submitted_on=day,
        solicited=True,
        points=points,
        dossier=None,
        request=None,
        reference=None,
        today=ledger.today(),
        id=None,
    )


def respond(ledger: AdviceLedger, advice: Advice, point: int) -> None:
    meta, day = ACTOR.meta(ledger.municipality), submitted_on(ledger)
    advice.respond(
        meta,
        point=point,
        outcome=OUTCOMES[point % 2],
        text=RESPONSE,
        reasons=None,
        consequence=None,
        given_on=day,
        decision=None,
        today=ledger.today(),
    )


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
