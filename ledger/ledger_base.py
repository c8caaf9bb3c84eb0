"""The ledger's base: its store, and loading records for a command (kept, never trusted stale).

`LedgerBase` opens the municipality's store with our recorder and the key table of personal data,
and loads records: inside a command the aggregate kept in memory (ledger/current.py), brought up
to date with what was stored since and changed in place; outside one, a copy. Saving is in
ledger/ledger_save.py, the commands in ledger/commands_*.py.
"""

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from datetime import date
from functools import cached_property
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Transcoder
from eventsourcing.utils import get_topic

from events.store import LEDGER_NAME, LogLocation
from ledger.advice import Advice
from ledger.bodies import AdvisoryBody
from ledger.codec import OrjsonTranscoder
from ledger.current import CurrentAggregates, StoredVersions, Trust
from ledger.decisions import Decision
from ledger.dossiers import AdviceRequest, Dossier
from ledger.errors import Invalid, NotFoundError, PreconditionFailedError, ValidationError
from ledger.group_commit import CommandGate
from ledger.index import LedgerIndex
from ledger.log_integrity import LogIntegrity
from ledger.personal_data import PersonalMapper
from ledger.personal_keys import PersonalKeys
from ledger.recorder_postgres import LedgerPostgresRecorder
from ledger.recorder_sqlite import LedgerSQLiteRecorder
from ledger.recorders import GroupCommits
from ledger.rules import Actor, amsterdam_today
from ledger.storage import application_env, store_prepared
from ledger.tokens import AccessToken
from ledger.tree import Progress

A = TypeVar("A", bound=Aggregate)

# Current aggregates kept in memory per ledger (ledger/current.py): enough for every open advice
# of a busy municipality; a least recently used one is replayed when it is needed again.
KEPT_AGGREGATES = 2000

_NOUNS: dict[type[Aggregate], str] = {
    AdvisoryBody: "Het adviesorgaan",
    Dossier: "Het dossier",
    AdviceRequest: "De adviesaanvraag",
    Advice: "Het advies",
    Decision: "Het besluit",
    AccessToken: "Het token",
}


class LedgerBase(Application[UUID]):
    """One municipality's store, and its records as they are now."""

    name = LEDGER_NAME

    def __init__(
        self,
        location: LogLocation,
        today: Callable[[], date] = amsterdam_today,
        tree_progress: Progress | None = None,
    ) -> None:
        self.municipality = location.municipality
        self.location = location
        self.today = today
        # The key table of personal data, outside the event store (ledger/personal_keys.py).
        self.personal = PersonalKeys(location)
        self._forgotten_seen = -1
        # Aggregates as they are now, kept between commands (ledger/current.py): a command loads
        # its aggregate without replaying or copying it, after reading what was stored since.
        self._current = CurrentAggregates(KEPT_AGGREGATES)
        # Commands of one process load, check and build their events one at a time per
        # municipality (no needless conflicts), changing the aggregates kept in place; their
        # commits may overlap, several in one transaction (ledger/group_commit.py).
        self._command_lock = CommandGate(self._current)
        # Whether this thread's command builds on kept aggregates unasked (`rerun_if_stale`):
        # on PostgreSQL, where asking is a round trip; SQLite's answer costs less than trusting.
        self._trust = Trust()
        self._trusts_kept = location.backend == "postgresql"
        # The idempotency key of the command running in this thread, if any (see `once`).
        self._keys = threading.local()
        # What the last save of this thread stored, opened: its answer (ledger/ledger_save.py).
        self._answers = threading.local()
        recorder = LedgerSQLiteRecorder if location.backend == "sqlite" else LedgerPostgresRecorder
        env = {
            **application_env(location),
            # Our recorder: dense positions, and idempotency keys in the events' transaction.
            "APPLICATION_RECORDER_TOPIC": get_topic(recorder),
        }
        with store_prepared(location):
            super().__init__(env=env)
            self._versions = StoredVersions(location, getattr(self.recorder, "last_version", None))
            # The log's Merkle tree: a store written before it existed gets its leaves once, here.
            self.integrity = LogIntegrity(cast(Any, self.recorder), location.municipality)
            self.integrity.bring_up_to_date(tree_progress)

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_mapper(self) -> PersonalMapper:
        mapper = cast(
            PersonalMapper,
            self.factory.mapper(
                transcoder=self.construct_transcoder(), mapper_class=PersonalMapper
            ),
        )
        mapper.keys = self.personal
        return mapper

    def open_state(self, state: bytes) -> dict[str, Any]:
        """A stored event's state with its personal texts opened (`[verwijderd]` if forgotten)."""
        return cast(PersonalMapper, self.mapper).open(state)

    def close(self) -> None:
        cast(GroupCommits, self.recorder).close()
        super().close()
        self.personal.close()
        self._versions.close()

    # Reads for the write side ---------------------------------------------------------------

    def get_advice(self, advice_id: UUID, version: int | None = None) -> Advice:
        return self._load(Advice, advice_id, version)

    def decided_points(self, advice_id: UUID) -> frozenset[int]:
        """The points of an advice that a decision's deviation answered."""
        with self._command_lock:
            return self._index.decided_points(advice_id)

    def get_body(self, body_id: UUID) -> AdvisoryBody:
        return self._load(AdvisoryBody, body_id)

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # Helpers --------------------------------------------------------------------------------

    def _meta(self, actor: Actor) -> Any:
        return actor.meta(self.municipality)

    @contextmanager
    def _advice(self, advice_id: UUID, expected_version: int | None) -> Iterator[Advice]:
        with self._command_lock:
            advice = self._load(Advice, advice_id)
            if expected_version is not None and advice.version != expected_version:
                msg = (
                    f"Het advies is intussen gewijzigd (versie {advice.version}, "
                    f"verwacht {expected_version})."
                )
                raise PreconditionFailedError(msg)
            yield advice

    def _find(self, cls: type[A], aggregate_id: UUID, version: int | None = None) -> A | None:
        """The aggregate as stored (at `version`, or now). Inside a command, the one kept in
        memory, brought up to date and changed in place by the command; outside, a copy."""
        in_command = self._command_lock.held
        with self._command_lock:
            # A record whose commit is in flight is read once that commit is done, either way
            # (waited for holding the gate: no command can start another commit of it meanwhile).
            self._command_lock.wait_settled(aggregate_id)
            generation = self.personal.generation()
            if generation != self._forgotten_seen:
                # Something was forgotten (here or in another process): aggregates kept in memory
                # may hold its texts opened; they are loaded again.
                self._current.clear()
            self._forgotten_seen = generation
            try:
                if version is not None:
                    aggregate: Aggregate = self.repository.get(
                        aggregate_id, version=version, projector_func=_project
                    )
                else:
                    trusting = in_command and self._trusts_kept and self._trust.trusting
                    aggregate = self._current_aggregate(aggregate_id, trusting=trusting)
            except AggregateNotFoundError:
                return None
            if not isinstance(aggregate, cls):
                return None
            if version is not None:
                return aggregate
            if in_command:
                self._command_lock.hand(aggregate)
                return aggregate
            return deepcopy(aggregate)

    def _current_aggregate(self, aggregate_id: UUID, *, trusting: bool = False) -> Aggregate:
        """The aggregate kept, with the events stored after its version applied (another
        process may have written them); replayed from the store if none is kept. `trusting`:
        the kept one as it is, its version noted for the store to confirm (ledger/current.py)."""
        kept = self._current.get(aggregate_id)
        if kept is None:
            aggregate: Aggregate = self.repository.get(aggregate_id, projector_func=_project)
            self._current.put(aggregate)
            return aggregate
        if trusting:
            self._trust.unchecked.setdefault(aggregate_id, kept.version)
            return kept
        last = self._versions.last(aggregate_id)
        if last == kept.version:
            return kept
        if last is not None and last < kept.version:
            # Ahead of the store: never trusted (its commit failed); replayed from the store.
            self._current.drop(aggregate_id)
            return self._current_aggregate(aggregate_id)
        try:
            current: Aggregate = _project(
                kept, self.repository.event_store.get(aggregate_id, gt=kept.version)
            )
        except BaseException:
            self._current.drop(aggregate_id)
            raise
        return current

    def _any_stale(self, versions: dict[UUID, int]) -> bool:
        """Whether any of these aggregates, kept at these versions, is behind the store; those
        that are (or are no longer kept as such) are dropped."""
        stale = False
        with self._command_lock:
            for aggregate_id, version in versions.items():
                if self._versions.last(aggregate_id) != version:
                    self._current.drop(aggregate_id)
                    stale = True
        return stale

    def _load(self, cls: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        aggregate = self._find(cls, aggregate_id, version)
        if aggregate is None:
            msg = f"{_NOUNS[cls]} bestaat niet in deze gemeente."
            raise NotFoundError(msg)
        return aggregate

    def _reference(self, cls: type[A], aggregate_id: UUID | None, field: str) -> A:
        """A record named inside a command: unknown here (or elsewhere) is invalid input."""
        found = self._find(cls, aggregate_id) if aggregate_id else None
        if found is None:
            msg = f"{_NOUNS[cls]} bestaat niet in deze gemeente."
            raise ValidationError([Invalid(field, msg)])
        return found

    # What one aggregate cannot know of the others ------------------------------------------

    @cached_property
    def _index(self) -> LedgerIndex:
        return LedgerIndex(self.recorder)


def _project(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's `project_aggregate` without its `isinstance` of every event against a
    runtime-checkable Protocol: our events are the library's `Aggregate.Event`s."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
