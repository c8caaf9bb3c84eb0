"""Steps of the group-commit tests: commands, the log's positions, holding the store's lock,
holding a command before its commit (also used by test_log_tree_writers.py and
test_ledger_current_stale.py)."""

import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from types import FrameType
from typing import Any
from uuid import UUID

import psycopg

from events import Outcome
from ledger import Actor, AdviceLedger, Recorded
from projections.log import LogReader


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
