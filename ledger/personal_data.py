"""Personal texts sealed on their way into the store and opened on their way out (the write side).

Which texts are personal, and whose (events/sealing.py holds the envelope, ledger/personal_keys.py
the key table):

- every event's `meta.actor`, the name of who recorded it, and a token's `name`: the actor's;
- a resident's (body kind `resident`, `inwoner`) name when it is registered: the body's;
- what a resident wrote: its advice's `title`, `reference` and `points`, and the `text` of a
  rejoinder and the `reason` of a withdrawal on that advice: the body's.

The college's texts (responses, promises, decisions) are not a resident's and stay as they are.
"""

from typing import Any

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import StoredEvent

from events.sealing import MARK_BYTES, reveal, seal, subjects_in
from ledger.codec import TypedMapper
from ledger.personal_keys import ForgottenError, PersonalKeys, Subject

# Per kind of event, the fields that hold the words of the subject its record belongs to.
_RESIDENT_WORDS = {
    "AdviceSubmitted": ("title", "reference", "points"),
    "RejoinderGiven": ("text",),
    "AdviceWithdrawn": ("reason",),
}


def _seal_fields(state: dict[str, Any], subject: Subject, fields: tuple[str, ...]) -> None:
    if subject.key is None:
        raise ForgottenError(subject.id)
    for name in fields:
        value = state.get(name)
        if isinstance(value, str):
            state[name] = seal(value, subject.key, subject.id, name)
        elif isinstance(value, list):
            state[name] = [seal(item, subject.key, subject.id, name) for item in value]


def seal_state(event_type: str, record_id: str, state: dict[str, Any], keys: PersonalKeys) -> None:
    """Seal the personal texts of one event's state, in place (the key table made as needed)."""
    meta = state.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("actor"), str):
        actor = keys.actor(meta["actor"])
        assert actor.key is not None
        meta["actor"] = seal(meta["actor"], actor.key, actor.id, "meta.actor")
    if event_type == "AdvisoryBodyRegistered" and state.get("kind") == "resident":
        _seal_fields(state, keys.body_subject(record_id), ("name",))
    elif event_type == "TokenIssued":
        _seal_fields(state, keys.actor(state["name"]), ("name",))
    elif event_type == "AdviceSubmitted":
        subject = keys.body(str(state["body_id"]))
        if subject is not None:
            keys.link(record_id, subject.id)
            _seal_fields(state, subject, _RESIDENT_WORDS[event_type])
    elif event_type in _RESIDENT_WORDS:
        subject = keys.of_record(record_id)
        if subject is not None:
            _seal_fields(state, subject, _RESIDENT_WORDS[event_type])


class PersonalMapper(TypedMapper):
    """The typed mapper, sealing personal texts when an event is stored, opening them (or
    `[verwijderd]`, once forgotten) when it is read back."""

    keys: PersonalKeys
    seals = True  # False only in bench/integrity.py, to measure what sealing costs

    def to_stored_event(self, domain_event: DomainEventProtocol[Any]) -> StoredEvent:
        return self.to_stored_and_plain(domain_event)[0]

    def to_stored_and_plain(
        self, domain_event: DomainEventProtocol[Any]
    ) -> tuple[StoredEvent, dict[str, Any]]:
        """The stored event, its personal texts sealed, and its state before sealing: what the
        stored state reads once opened (its moment aside, which the store may move on)."""
        stored = super().to_stored_event(domain_event)
        plain: dict[str, Any] = orjson.loads(stored.state)
        if not self.seals:
            return stored, plain
        state = orjson.loads(stored.state)
        event_type = stored.topic.rpartition(":")[2]
        seal_state(event_type, str(stored.originator_id), state, self.keys)
        sealed = StoredEvent(
            stored.originator_id, stored.originator_version, stored.topic, orjson.dumps(state)
        )
        return sealed, plain

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[Any]:
        if MARK_BYTES in stored_event.state:
            stored_event = StoredEvent(
                stored_event.originator_id,
                stored_event.originator_version,
                stored_event.topic,
                orjson.dumps(self.open(stored_event.state)),
            )
        return super().to_domain_event(stored_event)

    def open(self, state: bytes) -> dict[str, Any]:
        """A stored state with its sealed texts opened (`[verwijderd]` once forgotten)."""
        decoded: dict[str, Any] = orjson.loads(state)
        if MARK_BYTES not in state:
            return decoded
        return reveal(decoded, self.keys.keys(subjects_in(decoded)))
