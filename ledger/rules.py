"""Rules shared by several aggregates: who acts, blank texts, dates in the future."""

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from events import Meta, Role
from events.base import is_blank
from ledger.errors import ForbiddenError, Refusals

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WRITING_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECRETARIAT, Role.MEMBER, Role.SYSTEM})
OFFICE_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECRETARIAT, Role.SYSTEM})
ADMINISTRATOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.SYSTEM})
# Reading: every role reads its municipality; only an auditor reads the log itself (and proofs).
READING_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECRETARIAT, Role.MEMBER, Role.AUDITOR})
LOG_READING_ROLES = frozenset({Role.AUDITOR})


# (the moment the day below ends, as seconds since the epoch; that day)
_TODAY: tuple[float, date] = (0.0, date.min)


def amsterdam_today() -> date:
    """Business dates are Dutch calendar dates. Worked out once a day (every request asks):
    kept until midnight in Amsterdam, summer time or not."""
    global _TODAY  # one tuple, swapped whole: safe between threads
    ends, day = _TODAY
    now = time.time()
    if now < ends:
        return day
    _TODAY = day_at(now)
    return _TODAY[1]


def day_at(now: float) -> tuple[float, date]:
    """The moment (seconds since the epoch) the Amsterdam day of `now` ends, and that day."""
    day = datetime.fromtimestamp(now, tz=AMSTERDAM).date()
    midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=AMSTERDAM)
    return midnight.timestamp(), day


@dataclass(frozen=True)
class Actor:
    """Who gives a command: a token's name and role, the body a member belongs to, the request."""

    name: str
    role: Role
    request_id: str
    body_id: UUID | None = None

    def meta(self, municipality: str) -> Meta:
        body = str(self.body_id) if self.body_id else None
        return Meta(municipality, self.name, self.role, self.request_id, body)

    def require_office(self) -> None:
        """Secretariat work: the administrator and the secretariat only."""
        if self.role not in OFFICE_ROLES:
            msg = "Alleen de beheerder of het secretariaat mag dit vastleggen."
            raise ForbiddenError(msg)

    def require_administrator(self) -> None:
        """Setting up the municipality (registering bodies): the administrator only."""
        if self.role not in ADMINISTRATOR_ROLES:
            msg = "Alleen de beheerder mag adviesorganen registreren."
            raise ForbiddenError(msg)

    def require_writer(self) -> None:
        if self.role not in WRITING_ROLES:
            msg = "Deze rol mag niets vastleggen."
            raise ForbiddenError(msg)

    def speaks_for(self, body_id: UUID) -> bool:
        return self.role is Role.MEMBER and self.body_id == body_id


def check_text(refusals: Refusals, field: str, value: str | None, label: str) -> None:
    if is_blank(value):
        refusals.add(field, f"{label} mag niet leeg zijn.")


def check_not_future(refusals: Refusals, field: str, value: date, today: date) -> None:
    if value > today:
        refusals.add(field, f"De datum {value.isoformat()} ligt in de toekomst.")
