"""The measured command (`record_response`), the advices it runs on, grown to each length, and
the measurement: cold first commands, then warm rounds over the lengths."""

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from bench.ledger.workload import responded, submitted
from events import BodyKind, Outcome, Role
from ledger import Actor, AdviceLedger, AdvisoryBody

HEADLINE_HISTORY = 500
GOAL_US = 300.0
LENGTHS = (5, 50, 500, 5000)
QUICK_LENGTHS = (5, 50, 500)
POINTS = 10
GROWTH_BATCH = 500  # events per transaction while an advice is grown (not measured)
COMMANDS = 200  # measured commands per length
QUICK_COMMANDS = 40
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
OFFICE = Actor(name="bench-secretariaat", role=Role.SECRETARIAT, request_id="bench")
ADMINISTRATOR = Actor(name="bench-beheer", role=Role.ADMINISTRATOR, request_id="bench")
TITLE = "Advies over het concept-beleidsplan sociaal domein 2027-2030"
POINT = "Betrek cliënten vanaf het begin bij de uitvoeringsagenda (punt {})."
RESPONSE = "Het college neemt dit punt over en werkt het uit in de uitvoeringsagenda."
OUTCOMES = (Outcome.FOLLOWED, Outcome.NOTED)


@dataclass(frozen=True)
class Row:
    """The figures of one history length."""

    history: int
    advices: int
    commands: int
    warm_us: float
    cold_us: float


def _advices_for(history: int, commands: int) -> int:
    """Commands go round-robin over several advices, so that each advice grows by little while
    it is measured (at 5,000 events: one advice, 200 commands, 4 %)."""
    return max(1, min(40, commands // 5, 4000 // history))


def _day(ledger: AdviceLedger) -> date:
    return ledger.today() - timedelta(days=30)


def grown_advice(ledger: AdviceLedger, body: AdvisoryBody, history: int) -> UUID:
    """An advice with `history` events: submitted, then responses, saved in large batches
    (the growth is not what is measured)."""
    points = [POINT.format(n) for n in range(1, POINTS + 1)]
    advice = submitted(ledger, OFFICE, body, TITLE, points, _day(ledger))
    for n in range(1, history):
        responded(ledger, OFFICE, advice, n % POINTS + 1, OUTCOMES[n % 2], RESPONSE)
        if n % GROWTH_BATCH == 0:
            ledger.save(advice)
    ledger.save(advice)
    assert advice.version == history
    return advice.id


def command(ledger: AdviceLedger, advice_id: UUID, n: int) -> None:
    """The measured command: what `POST /adviezen/{id}/reacties` runs."""
    ledger.record_response(
        OFFICE,
        advice_id=advice_id,
        point=n % POINTS + 1,
        outcome=OUTCOMES[n % 2],
        text=RESPONSE,
        given_on=_day(ledger),
    )


def _cpu_us(ledger: AdviceLedger, advice_id: UUID, n: int) -> float:
    started = time.process_time_ns()
    command(ledger, advice_id, n)
    return (time.process_time_ns() - started) / 1000


def measure(
    ledger: AdviceLedger, fresh: Callable[[], AdviceLedger], lengths: Sequence[int], commands: int
) -> list[Row]:
    """Grow advices to each length, in one store; time the first command of each in a ledger
    opened afresh (cold: nothing of them in memory), then `commands` more per length, in rounds
    of one command per length, each round starting at another length (warm): a change of the
    machine's load meets every length alike."""
    body_id = ledger.register_body(
        ADMINISTRATOR, name="Adviesraad Sociaal Domein", kind=BodyKind.ADVISORY_COUNCIL
    ).id
    body = ledger.get_body(body_id)
    ids = {
        history: [
            grown_advice(ledger, body, history) for _ in range(_advices_for(history, commands))
        ]
        for history in lengths
    }
    cold: dict[int, list[float]] = {history: [] for history in lengths}
    warm: dict[int, list[float]] = {history: [] for history in lengths}
    measured = fresh()
    try:
        for history in lengths:
            cold[history] = [_cpu_us(measured, advice_id, 0) for advice_id in ids[history]]
        command(measured, ids[lengths[0]][0], 1)  # warm-up: connections, statements, caches
        for n in range(commands):
            # Each round starts at another length: none is always the first after the others.
            for history in [*lengths[n % len(lengths) :], *lengths[: n % len(lengths)]]:
                advices = ids[history]
                warm[history].append(_cpu_us(measured, advices[n % len(advices)], n))
    finally:
        measured.close()
    return [
        Row(
            history,
            len(ids[history]),
            commands,
            statistics.median(warm[history]),
            statistics.median(cold[history]),
        )
        for history in lengths
    ]
