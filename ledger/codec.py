"""Plain-JSON event storage: orjson in, types restored from the event class on the way out.

The stored state is ordinary JSON (dates as "YYYY-MM-DD", ids as UUID strings, moments as RFC 3339),
so the read side and auditors can read the log with any JSON parser, at orjson speed.
"""

import dataclasses
import types
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, Union, cast, get_args, get_origin, get_type_hints
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder

Reviver = Callable[[Any], Any]


class OrjsonTranscoder(Transcoder):
    """Encodes event state as plain JSON with orjson; decodes to plain Python values."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


def _identity(value: Any) -> Any:
    return value


@cache
def _reviver(hint: Any) -> Reviver:
    """A function that turns the JSON form of a value back into the declared type."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        members = [arg for arg in get_args(hint) if arg is not type(None)]
        inner = _reviver(members[0]) if len(members) == 1 else _identity
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        item = _reviver(get_args(hint)[0])
        return lambda value: tuple(item(v) for v in value)
    if hint is date:
        return date.fromisoformat
    if hint is datetime:
        return datetime.fromisoformat
    if hint is UUID:
        return UUID
    if isinstance(hint, type) and issubclass(hint, Enum):
        return cast(Reviver, hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_reviver(hint)
    return _identity


def _dataclass_reviver(cls: type) -> Reviver:
    hints = get_type_hints(cls)
    field_revivers = [(f.name, _reviver(hints[f.name])) for f in dataclasses.fields(cls)]

    def revive(value: dict[str, Any]) -> Any:
        return cls(**{name: rev(value[name]) for name, rev in field_revivers if name in value})

    return revive


@cache
def _field_revivers(cls: type) -> tuple[tuple[str, Reviver], ...]:
    """The fields of an event class whose JSON form differs from their declared type."""
    hints = get_type_hints(cls)
    revivers = ((f.name, _reviver(hints[f.name])) for f in dataclasses.fields(cls))
    return tuple((name, rev) for name, rev in revivers if rev is not _identity)


class TypedMapper(Mapper[UUID]):
    """The library's mapper, plus restoring dates, ids, enums and nested records by type hint."""

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        domain_event = super().to_domain_event(stored_event)
        state = domain_event.__dict__
        for name, revive in _field_revivers(type(domain_event)):
            if name in state and name != "originator_id":
                state[name] = revive(state[name])
        return domain_event
