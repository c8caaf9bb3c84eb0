"""The tree the last commit left, known to each writer: never trusted once another writer moved
the log on, and kept as it was when a lone command rolls back (both stores)."""

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from uuid import UUID

from ledger import Actor, AdviceLedger, ConflictError
from ledger.log_verify import verify_store
from tests.integration.group_commit_support import (
    pause_before_committing,
    positions,
    respond,
    submit,
)


def test_two_servers_writing_one_log_in_turns_keep_one_verifiable_tree(
    ledger: AdviceLedger, server_b: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    advice_id = submit(ledger, office, body_id, "Advies", submitted_on)

    for turn in range(7):
        # Each writer's own last commit is behind the other's: its known tree is not the log's.
        writer = ledger if turn % 2 else server_b
        respond(writer, office, advice_id, f"Beurt {turn}")
        respond(writer, office, advice_id, f"Beurt {turn}, nog eens")

    assert positions(ledger) == list(range(1, ledger.last_position() + 1))
    verified = verify_store(ledger.integrity.transaction, ledger.integrity.origin)
    assert verified.size == ledger.last_position() == 16


def test_a_lone_command_that_loses_a_conflict_leaves_the_tree_writable_and_verifiable(
    ledger: AdviceLedger, server_b: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    """Server B's command is built, then server A stores that advice's next version: B's
    transaction, holding only that command, rolls back; B writes on, from the store."""
    contested = submit(ledger, office, body_id, "Advies", submitted_on)
    other = submit(server_b, office, body_id, "Ander advies", submitted_on)
    arrived, proceed = threading.Event(), threading.Event()

    def stale() -> None:
        sys.settrace(pause_before_committing(server_b, arrived, proceed))
        try:
            respond(server_b, office, contested, "B, verouderd")
        finally:
            sys.settrace(None)

    with ThreadPoolExecutor(1) as pool:
        loser = pool.submit(stale)
        assert arrived.wait(timeout=20)
        respond(ledger, office, contested, "A, eerst")
        proceed.set()
        error = loser.exception()
    respond(server_b, office, other, "B, daarna")
    respond(server_b, office, other, "B, en weer")

    assert isinstance(error, ConflictError)
    assert positions(ledger) == list(range(1, ledger.last_position() + 1)) == [1, 2, 3, 4, 5, 6]
    assert verify_store(ledger.integrity.transaction, ledger.integrity.origin).size == 6
