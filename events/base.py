"""Base classes shared by every event: metadata, construction-time type checks, recorded time."""

import threading
import unicodedata
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import cache
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate
from typeguard import TypeCheckError, check_type

from events.vocabulary import Role


@dataclass(frozen=True)
class Meta:
    """Who recorded a fact, for which municipality, in which request."""

    municipality: str
    actor: str
    role: Role
    request_id: str
    body_id: str | None = None


class _RecordingClock:
    """UTC clock that never repeats or goes back within a process.

    The recorded moment (`vastgelegdOp`) orders time-travel queries, so two events recorded in one
    process must never share a moment, nor may a later one be earlier.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = datetime.min.replace(tzinfo=UTC)

    def now(self) -> datetime:
        with self._lock:
            moment = max(datetime.now(tz=UTC), self._last + timedelta(microseconds=1))
            self._last = moment
            return moment


RECORDING_CLOCK = _RecordingClock()
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def recorded_date(timestamp: datetime | str) -> str:
    """The Dutch business date (YYYY-MM-DD) of a recorded moment, for upcasters of events that
    did not yet carry a date of their own."""
    moment = datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp
    return moment.astimezone(AMSTERDAM).date().isoformat()


_LIBRARY_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic"}
)


def _plain_classes(hint: Any) -> tuple[type, ...]:
    """The classes a value of `hint` is an instance of when `hint` is a plain class or a union of
    plain classes (None included): then `isinstance` passing means typeguard passes. Empty for
    anything typeguard must look into (`tuple[str, ...]`, generics, literals)."""
    members = get_args(hint) if get_origin(hint) in (Union, UnionType) else (hint,)
    if all(isinstance(m, type) and get_origin(m) is None for m in members):
        return tuple(members)
    return ()


@cache
def _field_types(cls: type) -> tuple[tuple[str, Any, bool, tuple[type, ...]], ...]:
    """Our payload fields, their declared types, whether they may be absent (None), and the plain
    classes that settle their check at once; the library checks its own fields."""
    hints = get_type_hints(cls)
    return tuple(
        (
            f.name,
            hints[f.name],
            type(None) in get_args(hints[f.name]),
            _plain_classes(hints[f.name]),
        )
        for f in fields(cls)
        if f.name not in _LIBRARY_FIELDS
    )


# Characters that show nothing and take no room: a text of only these (and white space) is blank.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e"
        "\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u206a\u206b"
        "\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0",
    ),
)


def is_blank(text: str | None) -> bool:
    """Nothing left after removing white space and invisible characters (zero-width, BOM, …)."""
    return text is None or not text.translate(_INVISIBLE).strip()


def normal_text(text: str) -> str:
    """A text as the ledger stores it: trimmed, and NFC so that one text has one spelling."""
    return unicodedata.normalize("NFC", text.strip())


def _normal_texts(value: Any) -> Any:
    """Texts, and tuples of texts, stored the one way (the same object when already so)."""
    if isinstance(value, str):
        normal = normal_text(value)
        return value if normal == value else normal
    if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
        normals = tuple(_normal_texts(v) for v in value)
        return value if all(a is b for a, b in zip(normals, value, strict=True)) else normals
    return value


class LedgerEvent(Aggregate.Event):
    """Every fact of the ledger: typed payload, metadata, and a monotonic recorded moment.

    Every text of the payload is stored trimmed and NFC-normalised, whichever command made it,
    and an optional text that is blank is stored as absent (None).
    """

    meta: Meta

    @staticmethod
    def create_timestamp() -> datetime:
        return RECORDING_CLOCK.now()

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, hint, optional, classes in _field_types(type(self)):
            value = getattr(self, name)
            # typeguard's full check only where an instance check of plain classes does not
            # settle it (a tuple's items, or a value that is wrong: then for its message).
            if not (classes and isinstance(value, classes)):
                try:
                    check_type(value, hint)
                except TypeCheckError as error:
                    msg = f"{type(self).__name__}.{name}: {error}"
                    raise TypeError(msg) from None
            normal = None if optional and isinstance(value, str) and is_blank(value) else value
            normal = _normal_texts(normal)
            if normal is not value:
                # Frozen: set once, while the event is being made, before anyone sees it.
                object.__setattr__(self, name, normal)

    def apply(self, aggregate: Any) -> None:
        # The aggregate holds the state changes (one `apply` per event class there); events stay
        # data only.
        aggregate.apply(self)


class LedgerCreated(LedgerEvent, Aggregate.Created):
    """The first event of an aggregate."""
