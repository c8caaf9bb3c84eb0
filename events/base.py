"""Base classes shared by every event: metadata, construction-time type checks, recorded time."""

import threading
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, get_type_hints
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


@cache
def _field_types(cls: type) -> tuple[tuple[str, Any], ...]:
    """Our payload fields and their declared types; the library checks its own fields."""
    hints = get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in fields(cls) if f.name not in _LIBRARY_FIELDS)


class LedgerEvent(Aggregate.Event):
    """Every fact of the ledger: typed payload, metadata, and a monotonic recorded moment."""

    meta: Meta

    @staticmethod
    def create_timestamp() -> datetime:
        return RECORDING_CLOCK.now()

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, hint in _field_types(type(self)):
            try:
                check_type(getattr(self, name), hint)
            except TypeCheckError as error:
                msg = f"{type(self).__name__}.{name}: {error}"
                raise TypeError(msg) from None

    def apply(self, aggregate: Any) -> None:
        # The aggregate holds the state changes (one `apply` per event class there); events stay
        # data only.
        aggregate.apply(self)


class LedgerCreated(LedgerEvent, Aggregate.Created):
    """The first event of an aggregate."""
