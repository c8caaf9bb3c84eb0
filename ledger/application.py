"""The advice ledger: one Application per municipality; its methods are the commands."""

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

import orjson
from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
)
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import IntegrityError, Notification, Recording, Transcoder
from eventsourcing.utils import get_topic

from events import BodyKind, Deviation, LedgerEvent, Outcome, Role, SubjectKind, Verdict
from events.base import RECORDING_CLOCK
from events.store import LEDGER_NAME, LogLocation
from ledger.advice import Advice
from ledger.bodies import DEFAULT_RESPONSE_TERM_DAYS, AdvisoryBody
from ledger.codec import OrjsonTranscoder
from ledger.current import CurrentAggregates, StoredVersions
from ledger.decisions import Decision, DossierAdvice, ListedAdvice
from ledger.dossiers import AdviceRequest, Dossier
from ledger.errors import (
    ConflictError,
    ForbiddenError,
    Invalid,
    NotFoundError,
    PreconditionFailedError,
    Refusals,
    ValidationError,
)
from ledger.forgetting import Forgetting
from ledger.group_commit import CommandGate
from ledger.index import LedgerIndex
from ledger.log_integrity import LogIntegrity
from ledger.personal_data import PersonalMapper
from ledger.personal_keys import ForgottenError, PersonalKeys
from ledger.recorder_postgres import LedgerPostgresRecorder
from ledger.recorder_sqlite import LedgerSQLiteRecorder
from ledger.recorders import KEY_ARGUMENT, IdempotencyKey, KeyRecord, KeyTakenError
from ledger.rules import ADMINISTRATOR_ROLES, Actor, amsterdam_today
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


@dataclass(frozen=True)
class IssuedToken:
    """A token as the edge store knows it, to record its issue after the fact (a token made
    before tokens were recorded in the log) when it is revoked."""

    role: Role
    body_id: UUID | None
    name: str
    issued_at: datetime


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
    # The stored state decoded, its personal texts opened: what the answer shows.
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ResponseInput:
    """One row of a reaction table: the college's answer to one point (see `record_responses`)."""

    advice_id: UUID
    point: int
    outcome: Outcome
    text: str
    given_on: date
    reasons: str | None = None
    consequence: str | None = None


class AdviceLedger(Application[UUID]):
    """All writes of one municipality go through here, and nowhere else."""

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
        # The idempotency key of the command running in this thread, if any (see `once`).
        self._keys = threading.local()
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
        super().close()
        self.personal.close()
        self._versions.close()

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

    def record_responses(
        self, actor: Actor, rows: Sequence[ResponseInput], *, check_only: bool = False
    ) -> Recorded | None:
        """Several responses (an imported reaction table) in ONE transaction: all or none.

        Every row is checked before anything is saved; the refusals name `rows/<i>/<field>`.
        With `check_only` nothing is saved (a preview); else the last event stored is returned.
        Combined with `once`, the whole table is one idempotent batch.
        """
        actor.require_office()
        if not rows:
            raise ValidationError([Invalid("rows", "De tabel bevat geen reacties.")])
        with self._command_lock:
            loaded: dict[UUID, Advice] = {}
            refusals = Refusals()
            meta, today = self._meta(actor), self.today()
            for index, row in enumerate(rows):
                advice = loaded.get(row.advice_id) or self._find(Advice, row.advice_id)
                if advice is None:
                    refusals.add(f"rows/{index}/advice_id", "Dit advies bestaat niet.")
                    continue
                loaded[row.advice_id] = advice
                try:
                    advice.respond(
                        meta,
                        point=row.point,
                        outcome=row.outcome,
                        text=row.text,
                        reasons=row.reasons,
                        consequence=row.consequence,
                        given_on=row.given_on,
                        decision=None,
                        today=today,
                    )
                except ValidationError as error:
                    for item in error.invalid:
                        refusals.add(f"rows/{index}/{item.field}", item.reason)
                except ConflictError as error:
                    refusals.add(f"rows/{index}/advice_id", error.message)
            refusals.raise_if_any()
            if check_only:
                return None
            return self._save_all(list(loaded.values()))

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
        # Exclusive: it reads the index (advice on the dossier), which shows committed events.
        with self._command_lock.exclusive():
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

    # Who could act when --------------------------------------------------------------------

    def issue_token(
        self,
        actor: Actor,
        *,
        token_id: UUID,
        role: Role,
        name: str,
        body_id: UUID | None = None,
        issued_at: datetime | None = None,
    ) -> Recorded:
        """Record that a token was made (never its secret): before it is handed out."""
        _require_token_keeper(actor)
        if body_id is not None:
            self._reference(AdvisoryBody, body_id, "body_id")
        meta = self._meta(actor)
        with self._command_lock:
            token = AccessToken.issue(
                meta, token_id, role, body_id, name, issued_at or RECORDING_CLOCK.now()
            )
            return self._save(token)

    def revoke_token(
        self, actor: Actor, *, token_id: UUID, issued: IssuedToken | None = None
    ) -> Recorded:
        """Record that a token was revoked; a token the log never saw issued (`issued`: as the
        edge store knows it) gets its issue recorded first, in the same transaction."""
        _require_token_keeper(actor)
        meta = self._meta(actor)
        with self._command_lock:
            token = self._find(AccessToken, token_id)
            if token is None:
                if issued is None:
                    raise NotFoundError("Het token bestaat niet in deze gemeente.")
                token = AccessToken.issue(
                    meta, token_id, issued.role, issued.body_id, issued.name, issued.issued_at
                )
            token.revoke(meta)
            return self._save(token)

    # Personal data ---------------------------------------------------------------------------

    def forget_body(self, actor: Actor, body_id: UUID) -> Recorded:
        """Forget a resident: record that, then destroy its key (its name and texts read
        `[verwijderd]` everywhere from then on; the views must be rebuilt to drop their copy)."""
        _require_token_keeper(actor)
        # Exclusive until the key is destroyed: nothing is sealed with it after the forgetting.
        with self._command_lock.exclusive():
            body = self._load(AdvisoryBody, body_id)
            subject = self.personal.body(str(body_id))
            if body.kind is not BodyKind.RESIDENT or subject is None:
                msg = "Alleen van een inwoner (soort inwoner) zijn de gegevens persoonsgegevens."
                raise ValidationError([Invalid("body_id", msg)])
            if subject.key is None:
                raise ConflictError("De gegevens van dit adviesorgaan zijn al vergeten.")
            recorded = self._save(
                Forgetting.record(self._meta(actor), SubjectKind.BODY, str(body_id))
            )
            self.personal.forget_body(str(body_id))
            return recorded

    def forget_actor(self, actor: Actor, name: str) -> Recorded:
        """Forget the actor of this name: record that (with its opaque id, never the name), then
        destroy its key and name."""
        _require_token_keeper(actor)
        with self._command_lock.exclusive():
            subject_id = self.personal.actor_id(name)
            if subject_id is None:
                raise NotFoundError(
                    f"Onder deze naam is in gemeente {self.municipality} niets vastgelegd."
                )
            recorded = self._save(
                Forgetting.record(self._meta(actor), SubjectKind.ACTOR, subject_id)
            )
            self.personal.forget_actor(name)
            return recorded

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
                    aggregate = self._current_aggregate(aggregate_id)
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

    def _current_aggregate(self, aggregate_id: UUID) -> Aggregate:
        """The aggregate kept, with the events stored after its version applied (another
        process may have written them); replayed from the store if none is kept."""
        kept = self._current.get(aggregate_id)
        if kept is None:
            aggregate: Aggregate = self.repository.get(aggregate_id, projector_func=_project)
            self._current.put(aggregate)
            return aggregate
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
            except ForgottenError:
                msg = (
                    "De gegevens van dit adviesorgaan zijn vergeten; er kan niets meer van of "
                    "namens dit adviesorgaan worden vastgelegd."
                )
                raise ConflictError(msg) from None
            # The event as stored: its personal texts sealed, its moment taken inside the insert
            # transaction (ledger/recorders.py).
            state = self._recorder.stored_states()[-1]
        last, data = recordings[-1], self.open_state(state)
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
        processing_event = ProcessingEvent[UUID]()
        for aggregate in cast(tuple[Aggregate, ...], objs):
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Encode the events (holding the command lock), commit them in the next group commit
        (not holding it: the next command is built meanwhile), then give each event the moment
        it was stored with (moved on by the recorder when it was not after the previous stored
        event's), so what the process holds is what the log holds."""
        events = processing_event.events
        stored = [self.mapper.to_stored_event(e) for e in events]
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
        # Committed: the aggregates as they are now are kept for the next command.
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


def _project(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's `project_aggregate` without its `isinstance` of every event against a
    runtime-checkable Protocol: our events are the library's `Aggregate.Event`s."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def _require_token_keeper(actor: Actor) -> None:
    if actor.role not in ADMINISTRATOR_ROLES:
        raise ForbiddenError("Alleen de beheerder mag tokens uitgeven of intrekken.")
