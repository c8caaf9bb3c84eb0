"""On PostgreSQL a command builds on the advice kept in memory without asking the store first; the
store's unique (id, version) refuses a write built on a kept advice that another process moved
on, and the command runs again on what the store holds (ledger/current.py). SQLite asks at every
load. Either way, on both stores: every command's outcome is the store's, versions stay dense."""

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from uuid import UUID

import pytest

from ledger import (
    Actor,
    AdviceLedger,
    ConflictError,
    PreconditionFailedError,
    Recorded,
)
from ledger.log_verify import verify_store
from ledger.recorders import IdempotencyKey, KeyRecord
from tests.integration.group_commit_support import (
    pause_before_committing,
    positions,
    respond,
    stale_in_a_batch,
    submit,
)


def stored_versions(ledger: AdviceLedger, advice_id: UUID) -> list[int]:
    return [e.originator_version for e in ledger.recorder.select_events(advice_id)]


def test_two_servers_writing_one_advice_in_turns_each_get_their_own_outcome_dense(
    servers: list[AdviceLedger],
    ledger: AdviceLedger,
    office: Actor,
    advice_id: UUID,
) -> None:
    outcomes: list[Recorded] = []
    for turn in range(8):  # from the second turn on, each server's kept advice is behind
        outcomes.append(respond(servers[turn % 2], office, advice_id, f"Beurt {turn}."))

    assert [o.version for o in outcomes] == list(range(2, 10))
    assert stored_versions(ledger, advice_id) == list(range(1, 10))
    for server in servers:
        texts = [r.text for r in server.get_advice(advice_id).points[0].responses]
        assert texts == [f"Beurt {turn}." for turn in range(8)]
    assert positions(ledger) == list(range(1, ledger.last_position() + 1))


def test_a_rule_refused_on_a_kept_advice_behind_the_store_is_checked_again_on_the_store(
    server_b: AdviceLedger,
    ledger: AdviceLedger,
    office: Actor,
    advice_id: UUID,
    today: date,
) -> None:
    """A promise made on the other server is unknown to the advice kept here: fulfilling it is
    refused on what was kept, and accepted on what the store holds."""
    respond(ledger, office, advice_id, "Hier gekend.")
    promised = server_b.promise_follow_up(
        office, advice_id=advice_id, point=1, description="Nazorg.", due_on=today
    )
    promise_id = next(iter(server_b.get_advice(advice_id).promises))

    fulfilled = ledger.fulfil_promise(
        office, advice_id=advice_id, promise_id=promise_id, fulfilled_on=today, note="Gedaan."
    )

    assert fulfilled.version == promised.version + 1
    assert stored_versions(ledger, advice_id) == list(range(1, fulfilled.version + 1))


def test_an_if_match_is_checked_against_the_store_not_the_kept_advice(
    server_b: AdviceLedger,
    ledger: AdviceLedger,
    office: Actor,
    advice_id: UUID,
) -> None:
    kept = respond(ledger, office, advice_id, "Hier gekend.")  # version 2, kept here
    moved = respond(server_b, office, advice_id, "Elders.")  # version 3
    before = ledger.last_position()

    # The caller's version is the one kept here, but not the store's: refused, nothing stored.
    with pytest.raises(PreconditionFailedError, match="versie 3"):
        respond(ledger, office, advice_id, "Met versie 2.", expected_version=kept.version)
    assert ledger.last_position() == before
    # The store's version, which the advice kept here does not have yet: accepted.
    accepted = respond(ledger, office, advice_id, "Met versie 3.", expected_version=moved.version)
    assert accepted.version == 4


def test_a_stale_command_in_a_batch_fails_alone_and_runs_again_its_batch_mates_commit(
    server_b: AdviceLedger,
    ledger: AdviceLedger,
    office: Actor,
    body_id: UUID,
    submitted_on: date,
) -> None:
    """Server B keeps an advice, server A stores its next version, then B's command built on
    what B kept is written in one transaction with other commands of B: it fails alone in its
    savepoint, the others commit, and (PostgreSQL) it runs again on A's version."""
    contested, plug, *others = [
        submit(ledger, office, body_id, f"Advies {n}", submitted_on) for n in range(5)
    ]
    respond(server_b, office, contested, "B, gekend")  # version 2, kept by B
    committer = server_b.recorder.committer  # type: ignore[attr-defined]

    late, stored, transactions = stale_in_a_batch(
        ledger, server_b, office, [contested, plug, *others], "B, op de oude versie"
    )

    assert [r.version for r in stored] == [2, 2, 2, 2]
    texts = [r.text for r in ledger.get_advice(contested).points[0].responses]
    if ledger.location.backend == "postgresql":
        # The batch of five committed four; the stale one ran again, in a transaction of its own.
        again = late.result()
        assert committer.transactions == transactions + 3
        assert again.version == 4
        assert texts == ["B, gekend", "A, eerst", "B, op de oude versie"]
        assert stored_versions(ledger, contested) == [1, 2, 3, 4]
    else:
        # B asked the store at its load and lost the race after it: refused alone (409).
        assert isinstance(late.exception(), ConflictError)
        assert committer.transactions == transactions + 2
        assert texts == ["B, gekend", "A, eerst"]
        assert stored_versions(ledger, contested) == [1, 2, 3]
    assert positions(ledger) == list(range(1, ledger.last_position() + 1))
    assert verify_store(ledger.integrity.transaction, ledger.integrity.origin).size > 0


def test_a_key_stored_by_the_commit_before_fails_the_next_command_alone_and_answers_the_first(
    ledger: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    """Two commands of one process with one key, in transactions one after the other (on
    PostgreSQL each written in one round trip, the tree known): the second finds the key taken
    in its own transaction, rolls back, and answers the first's record."""
    first_advice, second_advice = (
        submit(ledger, office, body_id, f"Advies {n}", submitted_on) for n in range(2)
    )
    # Quotes, a backslash and a semicolon: on PostgreSQL the key is a literal in the statement.
    key = IdempotencyKey("sleutel'); DELETE FROM x; --\\", "h'a\\sh")
    arrived, proceed = threading.Event(), threading.Event()

    def keyed(advice_id: UUID, text: str) -> Recorded | KeyRecord:
        return ledger.once(key, lambda: respond(ledger, office, advice_id, text))

    def paused() -> Recorded | KeyRecord:
        sys.settrace(pause_before_committing(ledger, arrived, proceed))
        try:
            return keyed(second_advice, "tweede")  # the key is not stored yet when it looks
        finally:
            sys.settrace(None)

    with ThreadPoolExecutor(1) as pool:
        second = pool.submit(paused)
        assert arrived.wait(timeout=20)
        first = keyed(first_advice, "eerste")
        proceed.set()
        repeated = second.result()

    assert isinstance(first, Recorded)
    assert repeated == KeyRecord(key.request_hash, first.position)
    assert ledger.find_key(key.scope) == repeated
    assert ledger.get_advice(second_advice).version == 1
    after = respond(ledger, office, second_advice, "erna")
    assert after.position == first.position + 1  # the rolled-back command used up no position
    assert positions(ledger) == list(range(1, ledger.last_position() + 1))
    assert verify_store(ledger.integrity.transaction, ledger.integrity.origin).size > 0
