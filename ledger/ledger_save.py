"""Saving a command's events: encoded under the command gate, committed in the next group
commit outside it, answered from what was stored; and idempotency keys (`once`)."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import IntegrityError, Notification, Recording

from events import LedgerEvent
from ledger.errors import ConflictError
from ledger.ledger_base import LedgerBase
from ledger.personal_data import PersonalMapper
from ledger.personal_keys import ForgottenError
from ledger.recorded import Recorded
from ledger.recorder_postgres import LedgerPostgresRecorder
from ledger.recorder_sqlite import LedgerSQLiteRecorder
from ledger.recorders import KEY_ARGUMENT, IdempotencyKey, KeyRecord, KeyTakenError


class SavingLedger(LedgerBase):
    """A ledger that saves: what every command ends with."""

    def once(self, key: IdempotencyKey, command: Callable[[], Recorded]) -> Recorded | KeyRecord:
        """Run `command` unless `key` was stored before: then the key's record, to answer again.

        The key is stored in the same transaction as the command's event, so after a crash at
        any moment a retry either finds both or neither. Two requests racing with one key: the
        store lets one commit; the other rolls back and finds the winner's key.
        """
        found = self.find_key(key.scope)
        if found is not None:
            return found
        self._keys.current = key
        try:
            return command()
        except KeyTakenError:
            found = self.find_key(key.scope)
            assert found is not None, "a taken key is stored"
            return found
        except ConflictError:
            # The same request on another server, with the same key, may have won the race for
            # this record's next version: then that is the answer, not a conflict.
            found = self.find_key(key.scope)
            if found is None:
                raise
            return found
        finally:
            self._keys.current = None

    def find_key(self, scope: str) -> KeyRecord | None:
        return self._recorder.find_key(scope)

    def _save(self, aggregate: Aggregate) -> Recorded:
        key = getattr(self._keys, "current", None)
        with self._command_lock:
            try:
                recordings = self.save(aggregate, **{KEY_ARGUMENT: key})
            except IntegrityError:
                msg = "Iemand anders legde tegelijk iets vast voor dit record; probeer het opnieuw."
                raise ConflictError(msg) from None
            except ForgottenError:
                msg = (
                    "De gegevens van dit adviesorgaan zijn vergeten; er kan niets meer van of "
                    "namens dit adviesorgaan worden vastgelegd."
                )
                raise ConflictError(msg) from None
            # The event as stored: its personal texts sealed, its moment taken inside the insert
            # transaction (ledger/recorders.py); and what it reads opened, known without opening.
            state, data = self._recorder.stored_states()[-1], self._answers.plain[-1]
        last = recordings[-1]
        return Recorded(
            id=aggregate.id,
            position=last.notification.id,
            recorded_at=datetime.fromisoformat(data["timestamp"]),
            version=aggregate.version,
            topic=last.notification.topic,
            state=state,
            data=data,
        )

    def _save_all(self, aggregates: Sequence[Aggregate]) -> Recorded:
        """Save the new events of several aggregates in one transaction (one idempotency key)."""
        key = getattr(self._keys, "current", None)
        with self._command_lock:
            try:
                recordings = self.save(*aggregates, **{KEY_ARGUMENT: key})
            except IntegrityError:
                msg = "Iemand anders legde tegelijk iets vast bij deze adviezen; probeer opnieuw."
                raise ConflictError(msg) from None
            state = self._recorder.stored_states()[-1]
        last = recordings[-1]
        event = cast(LedgerEvent, last.domain_event)
        return Recorded(
            id=event.originator_id,
            position=last.notification.id,
            recorded_at=datetime.fromisoformat(orjson.loads(state)["timestamp"]),
            version=event.originator_version,
            topic=last.notification.topic,
            state=state,
        )

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """`Application.save`, without its `isinstance` of each aggregate against two
        runtime-checkable Protocols (tens of µs a command): what it does, in order."""
        if not all(isinstance(obj, Aggregate) for obj in objs):
            return super().save(*objs, **kwargs)
        aggregates = cast(tuple[Aggregate, ...], objs)
        if self._trusts_kept:
            self._confirm_kept({a.id for a in aggregates if a.pending_events})
        processing_event = ProcessingEvent[UUID]()
        for aggregate in aggregates:
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def _confirm_kept(self, written: set[UUID]) -> None:
        """Refuse (the command then runs again, ledger/current.py) when a kept aggregate this
        command read unasked, and does not write, is behind the store; one it writes, the
        store's unique (id, version) confirms."""
        trust = self._trust
        read = {i: v for i, v in trust.unchecked.items() if i not in written}
        if trust.trusting and read and self._any_stale(read):
            msg = "Iemand anders legde tegelijk iets vast voor dit record; probeer het opnieuw."
            raise ConflictError(msg)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Encode the events (holding the command lock), commit them in the next group commit
        (not holding it: the next command is built meanwhile), then give each event the moment
        it was stored with (moved on by the recorder when it was not after the previous stored
        event's), so what the process holds is what the log holds."""
        events = processing_event.events
        mapper = cast(PersonalMapper, self.mapper)
        encoded = [mapper.to_stored_and_plain(e) for e in events]
        stored = [s for s, _ in encoded]
        ids = {e.originator_id for e in events}
        with self._command_lock.committing(ids):
            positions = self.recorder.insert_events(
                stored, tracking=processing_event.tracking, **processing_event.saved_kwargs
            )
        if not positions:
            # Nothing inserted: no stored states of this save, and what the command changed in
            # place is not what the store holds.
            for aggregate_id in processing_event.aggregates:
                self._current.drop(aggregate_id)
            return []
        # Committed: the aggregates as they are now are kept for the next command, which
        # this one no longer runs again.
        if self._trusts_kept:
            self._trust.committed = True
        for aggregate in processing_event.aggregates.values():
            self._current.put(cast(Aggregate, aggregate))
        recordings = [
            Recording(
                e,
                Notification(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                    id=n,
                ),
            )
            for e, s, n in zip(events, stored, positions, strict=True)
        ]
        states = self._recorder.stored_states()
        for recording, state, (_, plain) in zip(recordings, states, encoded, strict=True):
            event = cast(LedgerEvent, recording.domain_event)
            plain["timestamp"] = orjson.loads(state)["timestamp"]
            moment = datetime.fromisoformat(plain["timestamp"])
            if event.timestamp != moment:
                # Frozen: set once, before anyone else sees the event.
                object.__setattr__(event, "timestamp", moment)
        # The stored states opened, for this thread's answer (`_save`).
        self._answers.plain = [plain for _, plain in encoded]
        return recordings

    @property
    def _recorder(self) -> LedgerSQLiteRecorder | LedgerPostgresRecorder:
        return cast(LedgerSQLiteRecorder | LedgerPostgresRecorder, self.recorder)
