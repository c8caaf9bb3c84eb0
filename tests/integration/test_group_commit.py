"""Group commit: concurrent commands of one process share one transaction, each fails alone.

To see what lands in one transaction without a timer, a test holds the store's write lock from
a connection of its own (SQLite `BEGIN IMMEDIATE`, PostgreSQL the events table's lock): the first
command's transaction waits for it, the commands that come meanwhile queue, and on release they
are written together. The recorder counts its transactions.
"""

import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from types import FrameType
from typing import Any
from uuid import UUID

import psycopg

from events import BodyKind, Outcome, Role
from ledger import (
    Actor,
    AdviceLedger,
    ConflictError,
    PreconditionFailedError,
    Recorded,
)
from ledger.log_verify import verify_store
from ledger.recorders import IdempotencyKey, KeyRecord
from projections.log import LogReader
from tests.integration.actors import administrator

THREADS = 8
COMMANDS_EACH = 6


def positions(ledger: AdviceLedger) -> list[int]:
    reader = LogReader(ledger.location)
    try:
        return [row.position for row in reader.read(0, 100_000)]
    finally:
        reader.close()


def submit(ledger: AdviceLedger, office: Actor, body_id: UUID, title: str, on: date) -> UUID:
    return ledger.submit_advice(
        office, body_id=body_id, title=title, submitted_on=on, solicited=False, points=["Punt."]
    ).id


def respond(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, text: str, **extra: Any
) -> Recorded:
    return ledger.record_response(
        office,
        advice_id=advice_id,
        point=1,
        outcome=Outcome.NOTED,
        text=text,
        given_on=ledger.today(),
        **extra,
    )


@contextmanager
def store_locked(ledger: AdviceLedger) -> Iterator[Callable[[], None]]:
    """Hold the store's write lock from a connection of our own; yields its release."""
    recorder: Any = ledger.recorder
    if ledger.location.backend == "sqlite":
        conn: Any = sqlite3.connect(ledger.location.events_file, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    else:
        assert ledger.location.server is not None
        conn = psycopg.connect(ledger.location.server.conninfo())
        conn.execute(f"LOCK TABLE {recorder.tables.events} IN EXCLUSIVE MODE")
    released = threading.Event()

    def release() -> None:
        if not released.is_set():
            released.set()
            conn.rollback()

    try:
        yield release
    finally:
        release()
        conn.close()


def wait_for(condition: Callable[[], bool]) -> None:
    """Poll until `condition` holds (threads reaching a queue); fails after a generous bound."""
    for _ in range(2000):
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError("the commands never got there")


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


def pause_before_committing(
    ledger: AdviceLedger, arrived: threading.Event, proceed: threading.Event
) -> Callable[..., Any]:
    """Hold this thread where its events go to the committer (loaded, decided, encoded, the
    command lock let go): say it `arrived`, wait until it may `proceed`."""
    insert = type(ledger.recorder).insert_events.__code__

    def trace(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is insert:
            arrived.set()
            assert proceed.wait(timeout=20)

    return trace


def stale_in_a_batch(
    ledger: AdviceLedger,
    server_b: AdviceLedger,
    office: Actor,
    advices: list[UUID],
    stale_text: str,
) -> tuple["Future[Recorded]", list[Recorded], int]:
    """B answers the first advice (`stale_text`) and is held before committing while A stores
    its next version ("A, eerst"); then B's command is written in one transaction with B's
    answers to the others ("B, voorop" first, alone, then "B, samen"). The stale command's
    outcome, what the others stored, and the committer's transactions before B's batch."""
    contested, plug, *others = advices
    committer = server_b.recorder.committer  # type: ignore[attr-defined]
    arrived, proceed = threading.Event(), threading.Event()

    def stale() -> Recorded:
        sys.settrace(pause_before_committing(server_b, arrived, proceed))
        try:
            return respond(server_b, office, contested, stale_text)
        finally:
            sys.settrace(None)

    with ThreadPoolExecutor(len(advices)) as pool:
        late = pool.submit(stale)
        assert arrived.wait(timeout=20)
        respond(ledger, office, contested, "A, eerst")  # B is paused before committing
        with store_locked(ledger) as release:
            first = pool.submit(respond, server_b, office, plug, "B, voorop")
            wait_for(lambda: committer.writing() == 1)
            proceed.set()
            mates = [pool.submit(respond, server_b, office, a, "B, samen") for a in others]
            wait_for(lambda: committer.queued() == len(others) + 1)
            transactions: int = committer.transactions
            release()
            stored = [first.result(), *(m.result() for m in mates)]
        late.exception()  # settled
    return late, stored, transactions


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
