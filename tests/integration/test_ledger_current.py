"""Aggregates kept in memory between commands: never trusted over the store, never left changed by
a command that failed, and forgotten texts never served from memory (ledger/current.py)."""

import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from types import FrameType
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
from tests.integration.ledger_support import (
    answer,
    logged_types,
    pause_before_saving,
    submit,
)

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


def test_a_command_decided_on_a_kept_advice_behind_the_store_never_stores_on_it(
    servers: list[AdviceLedger],
    ledger: AdviceLedger,
    office: Actor,
    advice_id: UUID,
    today: date,
) -> None:
    for server in servers:  # this server keeps version 2, the other version 3
        respond(server, office, advice_id, today, 1, "Opgewarmd.")
    both_decided = threading.Barrier(2, timeout=10)
    other_done = threading.Event()
    paused = threading.local()

    def race(index: int) -> Recorded | Exception:
        # Both decide, then the other server saves first; held at the first save only.
        pause = pause_before_saving(both_decided)

        def once(frame: FrameType, event: str, arg: object) -> None:
            if not getattr(paused, "done", False) and frame.f_code is AdviceLedger.save.__code__:
                paused.done = True
                pause(frame, event, arg)
                if index == 0:
                    assert other_done.wait(timeout=10)

        sys.settrace(once)
        try:
            return respond(servers[index], office, advice_id, today, 2, f"Server {index}.")
        except Exception as error:
            return error
        finally:
            sys.settrace(None)
            if index == 1:
                other_done.set()

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(race, range(2)))

    if ledger.location.backend == "postgresql":
        # This server decided on version 2 kept in memory, unasked; the store refused its version
        # 3, and the command ran again on what the store holds: version 5, after the other's 4.
        assert [getattr(o, "version", o) for o in outcomes] == [5, 4]
        texts = ["Server 1.", "Server 0."]
    else:
        # SQLite asks the store at every load: both decided on version 3 and the store let the
        # other server's version 4 win; this one was refused, and its next command builds on it.
        assert isinstance(outcomes[0], ConflictError)
        assert getattr(outcomes[1], "version", None) == 4
        texts = ["Server 1."]
    advice = ledger.get_advice(advice_id)
    assert [r.text for r in advice.points[1].responses] == texts
    after = respond(ledger, office, advice_id, today, 3, "Daarna.")
    assert after.version == advice.version + 1


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
