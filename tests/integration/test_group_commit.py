"""Group commit: concurrent commands of one process share one transaction, each fails alone.

To see what lands in one transaction without a timer, a test holds the store's write lock from
a connection of its own (SQLite `BEGIN IMMEDIATE`, PostgreSQL the events table's lock): the first
command's transaction waits for it, the commands that come meanwhile queue, and on release they
are written together. The recorder counts its transactions.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from uuid import UUID

from ledger import Actor, AdviceLedger, ConflictError, Recorded
from ledger.log_verify import verify_store
from ledger.recorders import IdempotencyKey, KeyRecord
from tests.integration.group_commit_support import (
    positions,
    respond,
    stale_in_a_batch,
    store_locked,
    submit,
    wait_for,
)

THREADS = 8
COMMANDS_EACH = 6


def test_many_threads_at_once_store_every_acknowledged_event_dense_and_verifiable(
    ledger: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    advices = [submit(ledger, office, body_id, f"Advies {n}", submitted_on) for n in range(THREADS)]
    before = ledger.last_position()
    start = threading.Barrier(THREADS, timeout=10)

    def work(thread: int) -> list[Recorded | KeyRecord]:
        start.wait()
        done: list[Recorded | KeyRecord] = []
        for n in range(COMMANDS_EACH):
            # Every thread sends its second command twice with one key: answered once.
            key = IdempotencyKey(f"thread-{thread}-{n // 2}", "hash")

            def command(text: str = f"{n}") -> Recorded:
                return respond(ledger, office, advices[thread], text)

            done.append(ledger.once(key, command))
        return done

    with ThreadPoolExecutor(THREADS) as pool:
        answers = [a for done in pool.map(work, range(THREADS)) for a in done]

    stored = [a for a in answers if isinstance(a, Recorded)]
    repeated = [a for a in answers if isinstance(a, KeyRecord)]
    assert len(stored) == len(repeated) == THREADS * COMMANDS_EACH // 2
    assert sorted(a.position for a in stored) == list(range(before + 1, ledger.last_position() + 1))
    assert {a.position for a in repeated} == {a.position for a in stored}
    assert positions(ledger) == list(range(1, ledger.last_position() + 1))
    moments = [a.recorded_at for a in sorted(stored, key=lambda a: a.position)]
    assert moments == sorted(moments)
    for advice_id in advices:
        assert ledger.get_advice(advice_id).version == 1 + COMMANDS_EACH // 2
    verified = verify_store(ledger.integrity.transaction, ledger.integrity.origin)
    assert verified.size == ledger.last_position()


def test_commands_arriving_during_a_commit_are_written_together_in_the_next_transaction(
    ledger: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    advices = [submit(ledger, office, body_id, f"Advies {n}", submitted_on) for n in range(6)]
    committer = ledger.recorder.committer  # type: ignore[attr-defined]
    transactions, before = committer.transactions, ledger.last_position()

    with ThreadPoolExecutor(6) as pool, store_locked(ledger) as release:
        first = pool.submit(respond, ledger, office, advices[0], "eerste")
        wait_for(lambda: committer.writing() == 1)
        rest = [pool.submit(respond, ledger, office, a, "samen") for a in advices[1:]]
        wait_for(lambda: committer.queued() == 5)
        release()
        answers = [first.result(), *(f.result() for f in rest)]

    assert committer.transactions == transactions + 2
    assert sorted(a.position for a in answers) == list(range(before + 1, before + 7))
    assert positions(ledger) == list(range(1, before + 7))
    assert verify_store(ledger.integrity.transaction, ledger.integrity.origin).size == before + 6


def test_a_command_that_loses_a_version_conflict_fails_alone_and_its_batch_mates_commit(
    ledger: AdviceLedger, server_b: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    """Server B loads the advice, server A stores its next version, then B's stale command is
    written in one transaction with other commands of B: only it fails."""
    contested, plug, *others = [
        submit(ledger, office, body_id, f"Advies {n}", submitted_on) for n in range(5)
    ]
    committer = server_b.recorder.committer  # type: ignore[attr-defined]

    loser, stored, transactions = stale_in_a_batch(
        ledger, server_b, office, [contested, plug, *others], "B, verouderd"
    )
    error = loser.exception()

    assert isinstance(error, ConflictError)
    assert committer.transactions == transactions + 2
    assert [r.version for r in stored] == [2, 2, 2, 2]
    texts = [r.text for r in ledger.get_advice(contested).points[0].responses]
    assert texts == ["A, eerst"]
    assert positions(ledger) == list(range(1, ledger.last_position() + 1))
    assert max(r.position for r in stored) == ledger.last_position()
    assert verify_store(ledger.integrity.transaction, ledger.integrity.origin).size > 0
