"""Aggregates kept in memory between commands: never trusted over the store, never left changed by
a command that failed, and forgotten texts never served from memory (ledger/current.py)."""

import time
from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

import pytest

from events import BodyKind, Outcome, Role
from ledger import (
    Actor,
    AdviceLedger,
    ConflictError,
    Ledgers,
    PreconditionFailedError,
    Recorded,
    ValidationError,
)
from ledger.application import ResponseInput
from ledger.personal_keys import TTL_SECONDS
from tests.integration.actors import administrator
from tests.integration.ledger_support import answer, logged_types, race, submit

SYSTEM = Actor("opdrachtregel (test)", Role.SYSTEM, "req-forget")


def respond(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date, point: int, text: str
) -> Recorded:
    return answer(ledger, office, advice_id, today, point=point, text=text)


def test_an_advice_kept_by_one_server_sees_what_another_server_stored_since(
    ledger: AdviceLedger, server_b: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    first = respond(ledger, office, advice_id, today, 1, "Eerste server.")  # kept here now

    second = respond(server_b, office, advice_id, today, 2, "Tweede server.")
    third = respond(ledger, office, advice_id, today, 3, "Eerste server weer.")

    assert (first.version, second.version, third.version) == (2, 3, 4)
    advice = ledger.get_advice(advice_id)
    assert [p.responses[-1].text for p in advice.points] == [
        "Eerste server.",
        "Tweede server.",
        "Eerste server weer.",
    ]


def test_rules_run_on_what_another_server_stored_not_on_what_was_kept(
    ledger: AdviceLedger, server_b: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    respond(ledger, office, advice_id, today, 1, "Gekend op deze server.")
    server_b.withdraw_advice(office, advice_id=advice_id, reason="Vervallen.")
    before = ledger.last_position()

    with pytest.raises(ConflictError, match="ingetrokken"):
        respond(ledger, office, advice_id, today, 2, "Op een ingetrokken advies.")
    with pytest.raises(PreconditionFailedError):
        answer(
            ledger,
            office,
            advice_id,
            today,
            point=2,
            text="Met de versie die deze server kende.",
            expected_version=2,
        )
    assert ledger.last_position() == before


def test_the_loser_of_a_race_reloads_and_its_next_command_builds_on_the_winner(
    ledger: AdviceLedger, servers: list[AdviceLedger], office: Actor, advice_id: UUID, today: date
) -> None:
    for server in servers:  # both keep the advice at version 1 … 2
        respond(server, office, advice_id, today, 1, "Opgewarmd.")

    outcomes = race(
        servers, lambda server, i: respond(server, office, advice_id, today, 2, f"Server {i}.")
    )
    loser = next(i for i, o in enumerate(outcomes) if isinstance(o, ConflictError))
    after = respond(servers[loser], office, advice_id, today, 3, "Daarna.")

    winner = outcomes[1 - loser]
    assert isinstance(winner, Recorded)
    assert after.version == winner.version + 1
    advice = servers[loser].get_advice(advice_id)
    assert [p.responses[-1].text for p in advice.points[1:]] == [f"Server {1 - loser}.", "Daarna."]


def test_a_table_refused_after_a_valid_row_leaves_nothing_of_that_row_behind(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    respond(ledger, office, advice_id, today, 3, "Al eerder.")  # the advice is kept
    valid = ResponseInput(advice_id, 1, Outcome.FOLLOWED, "Geldige rij.", today)
    wrong = ResponseInput(advice_id, 9, Outcome.FOLLOWED, "Geen punt 9.", today)
    before = ledger.last_position()

    with pytest.raises(ValidationError):
        ledger.record_responses(office, [valid, wrong])
    ledger.record_responses(office, [valid], check_only=True)
    recorded = respond(ledger, office, advice_id, today, 2, "Daarna.")

    assert logged_types(ledger, before) == ["ResponseRecorded"]
    assert recorded.version == 3
    advice = ledger.get_advice(advice_id)
    assert advice.version == 3
    assert advice.points[0].outcome is Outcome.PENDING
    assert advice.points[0].responses == []


def test_a_command_refused_by_a_rule_leaves_the_advice_as_stored(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    respond(ledger, office, advice_id, today, 1, "Eerste.")
    with pytest.raises(ValidationError):
        respond(ledger, office, advice_id, today, 1, "   ")

    recorded = respond(ledger, office, advice_id, today, 2, "Tweede.")

    assert recorded.version == 3
    assert [len(p.responses) for p in ledger.get_advice(advice_id).points] == [1, 1, 0]


def test_an_advice_read_outside_a_command_is_a_copy_that_cannot_change_the_kept_one(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    respond(ledger, office, advice_id, today, 1, "Eerste.")
    read = ledger.get_advice(advice_id)
    read.withdrawn = True
    read.points[1].responses.append(read.points[0].responses[0])

    recorded = respond(ledger, office, advice_id, today, 2, "Tweede.")

    assert recorded.version == 3
    assert [len(p.responses) for p in ledger.get_advice(advice_id).points] == [1, 1, 0]


def test_forgetting_in_another_process_is_not_served_from_memory(
    open_ledgers: Callable[[], Ledgers],
    municipality: str,
    ledger: AdviceLedger,
    office: Actor,
    today: date,
) -> None:
    body = ledger.register_body(administrator(), name="Jan Smit", kind=BodyKind.RESIDENT).id
    advice_id = submit(
        ledger,
        office,
        body,
        today - timedelta(days=5),
        title="Over mijn straat",
        points=["Meer groen.", "Minder auto's."],
    ).id
    respond(ledger, office, advice_id, today, 1, "Wij planten bomen.")  # kept, texts opened
    assert ledger.get_advice(advice_id).title == "Over mijn straat"

    open_ledgers()[municipality].forget_body(SYSTEM, body)
    time.sleep(TTL_SECONDS + 0.2)  # how long another process may keep a key (ledger/personal_keys)
    respond(ledger, office, advice_id, today, 2, "Wij weren auto's.")

    advice = ledger.get_advice(advice_id)
    assert advice.title == "[verwijderd]"
    assert [p.text for p in advice.points] == ["[verwijderd]", "[verwijderd]"]
    responses = [p.responses[-1].text for p in advice.points]
    assert responses == ["Wij planten bomen.", "Wij weren auto's."]
