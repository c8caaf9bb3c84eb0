"""Idempotency keys live in the event's own transaction; positions count without gaps."""

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from ledger import (
    Actor,
    AdviceLedger,
    ConflictError,
    IdempotencyKey,
    KeyRecord,
    Ledgers,
    Recorded,
    ValidationError,
)
from projections.log import LogReader
from tests.integration.ledger_support import answer, race, submit
from tests.integration.test_ledger_concurrency import write_round


def positions(ledger: AdviceLedger) -> list[int]:
    reader = LogReader(ledger.location)
    try:
        return [row.position for page in reader.pages() for row in page]
    finally:
        reader.close()


def respond(
    ledger: AdviceLedger, actor: Actor, advice_id: UUID, today: date, text: str
) -> Recorded:
    return answer(ledger, actor, advice_id, today, text=text)


def race_keyed(
    servers: list[AdviceLedger],
    key: Callable[[int], IdempotencyKey],
    write: Callable[[AdviceLedger, int], Recorded],
) -> list[Recorded | KeyRecord | Exception]:
    """`write(server, index)` under the idempotency key `key(index)` on every server at once (see
    `race`)."""
    return race(servers, lambda server, i: server.once(key(i), lambda: write(server, i)))


def assert_one_recorded_and_one_answered_again(
    ledger: AdviceLedger, outcomes: list[Recorded | KeyRecord | Exception], before: int
) -> None:
    """One server stored the event; the other answered with its position; nothing else stored."""
    recorded = [o for o in outcomes if isinstance(o, Recorded)]
    answered_again = [o for o in outcomes if isinstance(o, KeyRecord)]
    assert len(recorded) == 1, outcomes
    assert len(answered_again) == 1, outcomes
    assert answered_again[0].position == recorded[0].position
    assert positions(ledger)[before:] == [before + 1]


def test_a_retry_after_a_restart_finds_the_key_and_records_nothing(
    open_ledgers: Callable[[], Ledgers],
    municipality: str,
    ledger: AdviceLedger,
    office: Actor,
    advice_id: UUID,
    today: date,
) -> None:
    key = IdempotencyKey("scope-1", "hash-1")
    first = ledger.once(key, lambda: respond(ledger, office, advice_id, today, "Eerste."))
    assert isinstance(first, Recorded)
    before = ledger.last_position()

    # A new process: nothing of the first one's memory survives, only what was committed.
    restarted = open_ledgers()[municipality]
    again = restarted.once(key, lambda: respond(restarted, office, advice_id, today, "Tweede."))

    assert again == KeyRecord("hash-1", first.position)
    assert restarted.last_position() == before
    texts = [r.text for r in restarted.get_advice(advice_id).points[0].responses]
    assert texts == ["Eerste."]


def test_a_refused_command_leaves_its_key_free_for_a_corrected_retry(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    key = IdempotencyKey("scope-2", "hash-2")
    before = ledger.last_position()

    with pytest.raises(ValidationError):
        ledger.once(key, lambda: respond(ledger, office, advice_id, today, "   "))

    assert ledger.find_key("scope-2") is None
    assert ledger.last_position() == before
    retried = ledger.once(key, lambda: respond(ledger, office, advice_id, today, "Nu goed."))
    assert isinstance(retried, Recorded)
    assert ledger.find_key("scope-2") == KeyRecord("hash-2", retried.position)


def test_a_key_is_not_stored_when_its_event_loses_a_conflict(
    ledger: AdviceLedger, servers: list[AdviceLedger], office: Actor, advice_id: UUID, today: date
) -> None:
    keys = [IdempotencyKey(f"scope-race-{i}", "hash") for i in range(2)]

    outcomes = race_keyed(
        servers,
        lambda i: keys[i],
        lambda server, i: respond(server, office, advice_id, today, f"Server {i}."),
    )

    winner = next(i for i, o in enumerate(outcomes) if isinstance(o, Recorded))
    loser = 1 - winner
    assert isinstance(outcomes[loser], ConflictError), outcomes
    assert ledger.find_key(keys[winner].scope) is not None
    assert ledger.find_key(keys[loser].scope) is None


def test_two_requests_racing_with_one_key_record_one_event(
    ledger: AdviceLedger, servers: list[AdviceLedger], office: Actor, body_id: UUID, today: date
) -> None:
    key = IdempotencyKey("scope-same", "hash-same")
    before = ledger.last_position()

    # Each server makes a new advice with an id of its own: only the key can tell.
    outcomes = race_keyed(
        servers,
        lambda _: key,
        lambda server, i: submit(
            server, office, body_id, today, title=f"Advies {i}", points=["Eén."]
        ),
    )

    assert_one_recorded_and_one_answered_again(ledger, outcomes, before)


def test_positions_count_without_gaps_after_writes_that_lost_conflicts(
    ledger: AdviceLedger, servers: list[AdviceLedger], office: Actor, advice_id: UUID, today: date
) -> None:
    losses = 0
    for version in range(1, 5):
        outcomes = write_round(servers, office, advice_id, today, version, writers=4)
        losses += sum(1 for o in outcomes if not isinstance(o, Recorded))

    assert losses >= 4  # every round has losers, and none of them may use up a position
    found = positions(ledger)
    assert found == list(range(1, len(found) + 1))


def test_one_key_racing_on_one_advice_across_servers_answers_the_winner_to_both(
    ledger: AdviceLedger, servers: list[AdviceLedger], office: Actor, advice_id: UUID, today: date
) -> None:
    key = IdempotencyKey("scope-one-advice", "hash")
    before = ledger.last_position()

    # The same request reached two servers: the loser meets the winner's new version first, and
    # must answer the winner's answer, not a conflict.
    outcomes = race_keyed(
        servers, lambda _: key, lambda server, _: respond(server, office, advice_id, today, "Eén.")
    )

    assert_one_recorded_and_one_answered_again(ledger, outcomes, before)
