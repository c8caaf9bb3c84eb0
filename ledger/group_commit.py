"""Group commit: the commands of one process that wait for the disk at the same time share one
durable transaction, and the lock that keeps commands one at a time only while they build events.

A command's commit goes to a `GroupCommitter`: the first thread to arrive while no commit is in
flight leads; it takes every command queued by then and writes them in one transaction, each in
a savepoint of its own (a command that loses a conflict rolls back alone), commits once (one
fsync), and hands each waiting thread its own result or its own error. Commands that arrive while
that commit is in flight are the next batch, led by the first of them. Nothing waits on a timer:
a batch is whatever gathered during the previous commit.

`CommandGate` is the municipality's command lock. A command holds it to load its records, check
its rules and build its events, marks its records as committing, then lets the gate go while its
transaction commits, so the next command can be built meanwhile. A command that loads a record
still committing waits for that commit first: it never builds on a version that may yet fail.
"""

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, TypeAlias, TypeVar

from eventsourcing.domain import Aggregate

from ledger.current import CurrentAggregates

W = TypeVar("W")
R = TypeVar("R")

# What the writer of a batch returns for each command: its result, or the error that rolled back
# its savepoint (the others committed). An error raised by the writer itself fails the batch.
Outcome: TypeAlias = R | BaseException


@dataclass(eq=False)
class _Waiter(Generic[W, R]):
    work: W
    woken: threading.Event = field(default_factory=threading.Event)
    outcome: Any = None
    leads: bool = False


class GroupCommitter(Generic[W, R]):
    """Queue commands; one thread at a time writes everything queued in one transaction."""

    def __init__(self, write: Callable[[Sequence[W]], Sequence[Outcome[R]]]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._queue: list[_Waiter[W, R]] = []
        self._busy = False
        self._writing = 0
        # Transactions written and commands they held: what tests and benches read.
        self.transactions = 0
        self.commands = 0

    def queued(self) -> int:
        """Commands waiting for the next transaction (not those of the one in flight)."""
        with self._lock:
            return len(self._queue)

    def writing(self) -> int:
        """Commands in the transaction being written now."""
        with self._lock:
            return self._writing

    def submit(self, work: W) -> R:
        """Write `work` in the next transaction; its result once that committed, or its error."""
        waiter: _Waiter[W, R] = _Waiter(work)
        with self._lock:
            self._queue.append(waiter)
            leads = not self._busy
            self._busy = True
        if not leads:
            waiter.woken.wait()
            leads = waiter.leads
        if leads:
            self._lead()
        outcome = waiter.outcome
        if isinstance(outcome, BaseException):
            raise outcome
        result: R = outcome
        return result

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue, []
            self._writing = len(batch)
        try:
            outcomes: Sequence[Outcome[R]] = self._write([w.work for w in batch])
        except BaseException as error:  # the store failed: every command fails with its error
            outcomes = [error] * len(batch)
        for waiter, outcome in zip(batch, outcomes, strict=True):
            waiter.outcome = outcome
        with self._lock:
            self._writing = 0
            self.transactions += 1
            self.commands += len(batch)
            after = self._queue[0] if self._queue else None
            if after is None:
                self._busy = False
            else:
                after.leads = True
        for waiter in batch:
            waiter.woken.set()
        if after is not None:
            after.woken.set()


class _Held(threading.local):
    depth = 0
    holds = False
    exclusive = 0

    def __init__(self) -> None:
        # The kept aggregates handed to this thread's command (ledger/current.py).
        self.handed: dict[Any, Aggregate] = {}


class CommandGate:
    """A re-entrant command lock that a command gives up while its transaction commits, the
    records whose commit is in flight, and the kept aggregates each command was handed.

    When a thread's outermost command ends, an aggregate it was handed is dropped from the kept
    ones if the command failed or the aggregate still holds unsaved events; a record whose commit
    failed is dropped before anyone waiting for it may load it. The next command then loads it
    from the store, which is the truth.
    """

    def __init__(self, current: CurrentAggregates) -> None:
        self._lock = threading.Lock()
        self._held = _Held()
        self._settled = threading.Condition()
        self._committing: dict[Any, int] = {}
        self._current = current

    def __enter__(self) -> None:
        held = self._held
        if not held.holds:  # also a command that gave the gate up for its commit and goes on
            self._lock.acquire()
            held.holds = True
        held.depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        held = self._held
        held.depth -= 1
        if held.depth == 0:
            for aggregate_id, aggregate in held.handed.items():
                if exc_type is not None or aggregate.pending_events:
                    self._current.drop(aggregate_id)
            held.handed.clear()
            if held.holds:
                held.holds = False
                self._lock.release()

    @property
    def held(self) -> bool:
        """Whether this thread is inside a command (then aggregates are handed out as kept)."""
        return self._held.depth > 0

    def hand(self, aggregate: Aggregate) -> None:
        """Note that this thread's command got this kept aggregate."""
        self._held.handed[aggregate.id] = aggregate

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the gate until the end, commit included, after every commit in flight is done:
        for commands that read beyond their own records (an index, the personal keys)."""
        with self:
            self._held.exclusive += 1
            try:
                self.wait_settled(None)
                yield
            finally:
                self._held.exclusive -= 1

    @contextmanager
    def committing(self, ids: Collection[Any]) -> Iterator[None]:
        """Mark `ids` as committing and (outside `exclusive`) let the gate go until the end of
        this thread's outermost command; they are settled when the block ends, either way."""
        with self._settled:
            for i in ids:
                self._committing[i] = self._committing.get(i, 0) + 1
        held = self._held
        if held.holds and not held.exclusive:
            held.holds = False
            self._lock.release()
        try:
            yield
        except BaseException:
            # Its events are not in the store: what is kept of these records is ahead of it.
            for i in ids:
                self._current.drop(i)
            raise
        finally:
            with self._settled:
                for i in ids:
                    left = self._committing[i] - 1
                    if left:
                        self._committing[i] = left
                    else:
                        del self._committing[i]
                self._settled.notify_all()

    def wait_settled(self, aggregate_id: Any) -> None:
        """Wait until no commit of this record (None: of any record) is in flight."""
        with self._settled:
            if aggregate_id is None:
                self._settled.wait_for(lambda: not self._committing)
            else:
                self._settled.wait_for(lambda: aggregate_id not in self._committing)
