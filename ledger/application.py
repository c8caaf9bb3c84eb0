"""The advice ledger: one Application per municipality; its methods are the commands."""

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

import orjson
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Mapper, Recording, Transcoder
from eventsourcing.utils import get_topic

from events import BodyKind, Deviation, LedgerEvent, Outcome, Verdict
from events.store import LEDGER_NAME, LogLocation
from ledger.advice import Advice
from ledger.bodies import DEFAULT_RESPONSE_TERM_DAYS, AdvisoryBody
from ledger.codec import OrjsonTranscoder, TypedMapper
from ledger.decisions import Decision, DossierAdvice, ListedAdvice
from ledger.dossiers import AdviceRequest, Dossier
from ledger.errors import (
    ConflictError,
    Invalid,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from ledger.index import LedgerIndex
from ledger.recorders import (
    KEY_ARGUMENT,
    IdempotencyKey,
    KeyRecord,
    KeyTakenError,
    LedgerPostgresRecorder,
    LedgerSQLiteRecorder,
)
from ledger.rules import Actor, amsterdam_today
from ledger.storage import application_env, prepare_store

A = TypeVar("A", bound=Aggregate)

_NOUNS: dict[type[Aggregate], str] = {
    AdvisoryBody: "Het adviesorgaan",
    Dossier: "Het dossier",
    AdviceRequest: "De adviesaanvraag",
    Advice: "Het advies",
    Decision: "Het besluit",
}


@dataclass(frozen=True)
class Recorded:
    """What a command stored: which record, at which log position, when, and its new version;
    and the last event exactly as stored (its topic and bytes), to answer from what was stored."""

    id: UUID
    position: int
    recorded_at: datetime
    version: int
    topic: str
    state: bytes


class AdviceLedger(Application[UUID]):
    """All writes of one municipality go through here, and nowhere else."""

    name = LEDGER_NAME

    def __init__(self, location: LogLocation, today: Callable[[], date] = amsterdam_today) -> None:
        prepare_store(location)
        self.municipality = location.municipality
        self.location = location
        self.today = today
        # Commands of one process run one at a time per municipality: no needless conflicts, and
        # recorded moments follow log positions.
        self._command_lock = threading.RLock()
        # The idempotency key of the command running in this thread, if any (see `once`).
        self._keys = threading.local()
        recorder = LedgerSQLiteRecorder if location.backend == "sqlite" else LedgerPostgresRecorder
        env = {
            **application_env(location),
            # Aggregates are kept between commands (copied out, fast-forwarded from the store, so
            # another process's writes are seen): a command no longer replays the whole advice.
            "AGGREGATE_CACHE_MAXSIZE": "2000",
            # Our recorder: dense positions, and idempotency keys in the events' transaction.
            "APPLICATION_RECORDER_TOPIC": get_topic(recorder),
        }
        super().__init__(env=env)

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=TypedMapper)

    # Commands -------------------------------------------------------------------------------

    def register_body(
        self,
        actor: Actor,
        *,
        name: str,
        kind: BodyKind,
        response_term_days: int = DEFAULT_RESPONSE_TERM_DAYS,
        id: UUID | None = None,
    ) -> Recorded:
        actor.require_administrator()
        body = AdvisoryBody.register(
            self._meta(actor), name=name, kind=kind, response_term_days=response_term_days, id=id
        )
        return self._save(body)

    def open_dossier(
        self,
        actor: Actor,
        *,
        title: str,
        opened_on: date,
        reference: str | None = None,
        portfolio_holder: str | None = None,
        id: UUID | None = None,
    ) -> Recorded:
        actor.require_office()
        dossier = Dossier.open(
            self._meta(actor),
            title=title,
            reference=reference,
            portfolio_holder=portfolio_holder,
            opened_on=opened_on,
            today=self.today(),
            id=id,
        )
        return self._save(dossier)

    def request_advice(
        self,
        actor: Actor,
        *,
        dossier_id: UUID,
        body_id: UUID,
        question: str,
        requested_on: date,
        due_on: date,
        id: UUID | None = None,
    ) -> Recorded:
        actor.require_office()
        dossier = self._reference(Dossier, dossier_id, "dossier_id")
        body = self._reference(AdvisoryBody, body_id, "body_id")
        request = AdviceRequest.request(
            self._meta(actor),
            dossier=dossier,
            body=body,
            question=question,
            requested_on=requested_on,
            due_on=due_on,
            today=self.today(),
            id=id,
        )
        return self._save(request)

    def submit_advice(
        self,
        actor: Actor,
        *,
        body_id: UUID,
        title: str,
        submitted_on: date,
        solicited: bool,
        points: Sequence[str],
        dossier_id: UUID | None = None,
        request_id: UUID | None = None,
        reference: str | None = None,
        id: UUID | None = None,
    ) -> Recorded:
        actor.require_writer()
        body = self._reference(AdvisoryBody, body_id, "body_id")
        dossier = self._reference(Dossier, dossier_id, "dossier_id") if dossier_id else None
        request = self._reference(AdviceRequest, request_id, "request_id") if request_id else None
        advice = Advice.submit(
            actor,
            self._meta(actor),
            body=body,
            title=title,
            submitted_on=submitted_on,
            solicited=solicited,
            points=list(points),
            dossier=dossier,
            request=request,
            reference=reference,
            today=self.today(),
            id=id,
        )
        return self._save(advice)

    def record_response(
        self,
        actor: Actor,
        *,
        advice_id: UUID,
        point: int,
        outcome: Outcome,
        text: str,
        given_on: date,
        reasons: str | None = None,
        consequence: str | None = None,
        decision: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        actor.require_office()
        with self._advice(advice_id, expected_version) as advice:
            advice.respond(
                self._meta(actor),
                point=point,
                outcome=outcome,
                text=text,
                reasons=reasons,
                consequence=consequence,
                given_on=given_on,
                decision=decision,
                today=self.today(),
            )
            return self._save(advice)

    def move_due_date(
        self,
        actor: Actor,
        *,
        advice_id: UUID,
        new_due_on: date,
        reason: str,
        effective_on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Move the due date from `effective_on` (default today) on."""
        actor.require_office()
        with self._advice(advice_id, expected_version) as advice:
            today = self.today()
            advice.move_due_date(
                self._meta(actor),
                new_due_on=new_due_on,
                reason=reason,
                effective_on=effective_on or today,
                today=today,
            )
            return self._save(advice)

    def promise_follow_up(
        self,
        actor: Actor,
        *,
        advice_id: UUID,
        point: int,
        description: str,
        due_on: date,
        promise_id: UUID | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        actor.require_office()
        with self._advice(advice_id, expected_version) as advice:
            advice.promise(
                self._meta(actor),
                promise_id=promise_id or uuid4(),
                point=point,
                description=description,
                due_on=due_on,
            )
            return self._save(advice)

    def fulfil_promise(
        self,
        actor: Actor,
        *,
        advice_id: UUID,
        promise_id: UUID,
        fulfilled_on: date,
        note: str,
        expected_version: int | None = None,
    ) -> Recorded:
        actor.require_office()
        with self._advice(advice_id, expected_version) as advice:
            advice.fulfil(
                self._meta(actor),
                promise_id=promise_id,
                fulfilled_on=fulfilled_on,
                note=note,
                today=self.today(),
            )
            return self._save(advice)

    def give_rejoinder(
        self,
        actor: Actor,
        *,
        advice_id: UUID,
        verdict: Verdict,
        text: str,
        point: int | None = None,
        given_on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """The body's rejoinder (a member of it, or the secretariat on its behalf)."""
        actor.require_writer()
        with self._advice(advice_id, expected_version) as advice:
            today = self.today()
            advice.give_rejoinder(
                actor,
                self._meta(actor),
                point=point,
                verdict=verdict,
                text=text,
                given_on=given_on or today,
                today=today,
                decided=self._index.decided_points(advice_id),
            )
            return self._save(advice)

    def withdraw_advice(
        self, actor: Actor, *, advice_id: UUID, reason: str, expected_version: int | None = None
    ) -> Recorded:
        actor.require_writer()
        with self._advice(advice_id, expected_version) as advice:
            advice.withdraw(actor, self._meta(actor), reason=reason)
            return self._save(advice)

    def take_decision(
        self,
        actor: Actor,
        *,
        dossier_id: UUID,
        title: str,
        decided_on: date,
        advice_ids: Sequence[UUID],
        reference: str | None = None,
        deviations: Sequence[Deviation] = (),
        id: UUID | None = None,
    ) -> Recorded:
        actor.require_office()
        with self._command_lock:
            dossier = self._reference(Dossier, dossier_id, "dossier_id")
            listed = [
                ListedAdvice(i, self._find(Advice, i), self._index.decided_points(i))
                for i in advice_ids
            ]
            decision = Decision.take(
                self._meta(actor),
                dossier=dossier,
                title=title,
                decided_on=decided_on,
                listed=listed,
                on_dossier=self._advice_on_dossier(dossier_id),
                reference=reference,
                deviations=deviations,
                today=self.today(),
                id=id,
            )
            return self._save(decision)

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

    # Idempotency ----------------------------------------------------------------------------

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
        finally:
            self._keys.current = None

    def find_key(self, scope: str) -> KeyRecord | None:
        return self._recorder.find_key(scope)

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
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

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

    def _save(self, aggregate: Aggregate) -> Recorded:
        key = getattr(self._keys, "current", None)
        with self._command_lock:
            try:
                recordings = self.save(aggregate, **{KEY_ARGUMENT: key})
            except IntegrityError:
                msg = "Iemand anders legde tegelijk iets vast voor dit record; probeer het opnieuw."
                raise ConflictError(msg) from None
            # The moment as stored: taken inside the insert transaction (ledger/recorders.py).
            state = self._recorder.stored_states()[-1]
        last = recordings[-1]
        topic = self.mapper.to_stored_event(cast(LedgerEvent, last.domain_event)).topic
        return Recorded(
            id=aggregate.id,
            position=last.notification.id,
            recorded_at=datetime.fromisoformat(orjson.loads(state)["timestamp"]),
            version=aggregate.version,
            topic=topic,
            state=state,
        )

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Record, then give each event the moment it was stored with (moved on by the recorder
        when it was not after the previous stored event's), so what the process holds is what
        the log holds."""
        recordings = super()._record(processing_event)
        if not recordings:
            return recordings  # nothing inserted: no stored states of this save
        states = self._recorder.stored_states()
        for recording, state in zip(recordings, states, strict=True):
            event = cast(LedgerEvent, recording.domain_event)
            moment = datetime.fromisoformat(orjson.loads(state)["timestamp"])
            if event.timestamp != moment:
                # Frozen: set once, before anyone else sees the event.
                object.__setattr__(event, "timestamp", moment)
        return recordings

    @property
    def _recorder(self) -> LedgerSQLiteRecorder | LedgerPostgresRecorder:
        return cast(LedgerSQLiteRecorder | LedgerPostgresRecorder, self.recorder)

    # What one aggregate cannot know of the others ------------------------------------------

    @cached_property
    def _index(self) -> LedgerIndex:
        return LedgerIndex(self.recorder)

    def _advice_on_dossier(self, dossier_id: UUID) -> list[DossierAdvice]:
        found = (self._find(Advice, i) for i in self._index.advice_on(dossier_id))
        return [DossierAdvice(a.id, a.title, a.withdrawn) for a in found if a is not None]
