"""Group commit: a command refused inside a shared transaction fails alone, the others commit."""

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, timedelta
from uuid import UUID

from events import BodyKind, Role
from ledger import (
    Actor,
    AdviceLedger,
    ConflictError,
    PreconditionFailedError,
    Recorded,
)
from ledger.log_verify import verify_store
from ledger.recorders import IdempotencyKey, KeyRecord
from tests.integration.actors import administrator
from tests.integration.group_commit_support import (
    positions,
    respond,
    store_locked,
    submit,
    wait_for,
)


def test_a_key_taken_inside_the_same_transaction_fails_that_command_alone(
    ledger: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date
) -> None:
    advices = [submit(ledger, office, body_id, f"Advies {n}", submitted_on) for n in range(4)]
    committer = ledger.recorder.committer  # type: ignore[attr-defined]
    key = IdempotencyKey("een-sleutel", "hash")

    def keyed(advice_id: UUID) -> Recorded | KeyRecord:
        return ledger.once(key, lambda: respond(ledger, office, advice_id, "met sleutel"))

    with ThreadPoolExecutor(4) as pool, store_locked(ledger) as release:
        first = pool.submit(respond, ledger, office, advices[0], "voorop")
        wait_for(lambda: committer.writing() == 1)
        winner = pool.submit(keyed, advices[1])
        wait_for(lambda: committer.queued() == 1)
        repeat = pool.submit(keyed, advices[2])
        wait_for(lambda: committer.queued() == 2)
        after = pool.submit(respond, ledger, office, advices[3], "erna")
        wait_for(lambda: committer.queued() == 3)
        release()
        answers = [first.result(), winner.result(), repeat.result(), after.result()]

    won, repeated, last = answers[1], answers[2], answers[3]
    assert isinstance(won, Recorded)
    assert repeated == KeyRecord("hash", won.position)
    assert isinstance(last, Recorded)
    assert last.position == won.position + 1  # the rolled-back command used up no position
    assert ledger.get_advice(advices[2]).version == 1
    assert positions(ledger) == list(range(1, ledger.last_position() + 1))
    assert verify_store(ledger.integrity.transaction, ledger.integrity.origin).size == last.position


def test_a_command_for_a_forgotten_body_fails_alone_among_concurrent_commands(
    ledger: AdviceLedger, office: Actor, body_id: UUID, submitted_on: date, today: date
) -> None:
    resident = ledger.register_body(administrator(), name="Jan Inwoner", kind=BodyKind.RESIDENT).id
    ledger.forget_body(Actor("opdrachtregel (test)", Role.SYSTEM, "req-forget"), resident)
    advices = [submit(ledger, office, body_id, f"Advies {n}", submitted_on) for n in range(4)]
    start = threading.Barrier(5, timeout=10)

    def forgotten() -> Recorded:
        start.wait()
        return ledger.submit_advice(
            office,
            body_id=resident,
            title="Nog een",
            submitted_on=today - timedelta(days=1),
            solicited=False,
            points=["Punt."],
        )

    def answered(advice_id: UUID) -> Recorded:
        start.wait()
        return respond(ledger, office, advice_id, "gewoon")

    with ThreadPoolExecutor(5) as pool:
        refused: Future[Recorded] = pool.submit(forgotten)
        stored = [pool.submit(answered, a) for a in advices]
        results = [f.result() for f in stored]
        error = refused.exception()

    assert isinstance(error, ConflictError)
    assert "vergeten" in error.message
    assert all(ledger.get_advice(a).version == 2 for a in advices)
    assert sorted(r.position for r in results) == list(
        range(ledger.last_position() - 3, ledger.last_position() + 1)
    )
    assert positions(ledger) == list(range(1, ledger.last_position() + 1))


def test_a_second_command_on_a_record_still_committing_builds_on_the_first(
    ledger: AdviceLedger, office: Actor, advice_id: UUID
) -> None:
    """Two commands expecting the same version: the second waits for the first's commit and is
    then refused, never written beside it."""
    committer = ledger.recorder.committer  # type: ignore[attr-defined]
    with ThreadPoolExecutor(2) as pool, store_locked(ledger) as release:
        first = pool.submit(respond, ledger, office, advice_id, "eerst", expected_version=1)
        wait_for(lambda: committer.writing() == 1)
        second = pool.submit(respond, ledger, office, advice_id, "tweede", expected_version=1)
        release()
        assert first.result().version == 2
        assert isinstance(second.exception(), PreconditionFailedError)
    assert [r.text for r in ledger.get_advice(advice_id).points[0].responses] == ["eerst"]
