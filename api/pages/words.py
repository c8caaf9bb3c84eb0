"""Words and dates for people: "5 december 2016", outcomes as people say them, what an event did."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from api.vocabulary import BODY_KIND_LABELS, MONTHS, OUTCOME_LABELS, ROLES, VERDICTS
from events import BodyKind, Outcome, Role, Verdict
from ledger.rules import AMSTERDAM

VERDICT_LABELS: Final = {Verdict.SATISFIED: "tevreden", Verdict.NOT_SATISFIED: "ontevreden"}
# What a volglijst reason asks of the reader (reason code → the sentence and what to do).
FOLLOW_UP: Final[dict[str, tuple[str, str]]] = {
    "overdue": (
        "Nog geen reactie, termijn verstreken",
        "Vraag het college om een reactie; de termijn is voorbij.",
    ),
    "pending": ("Nog geen reactie", "Wacht op de reactie van het college tot de uiterste datum."),
    "deferred": (
        "Meegenomen in verdere uitwerking",
        "Volg of het punt terugkomt in de uitwerking.",
    ),
    "promise_overdue": (
        "Toezegging niet op tijd nagekomen",
        "Vraag het college wanneer de toezegging wordt nagekomen.",
    ),
    "promise_open": ("Toezegging loopt nog", "Kijk na de uiterste datum of het is gebeurd."),
    "response_without_rejoinder": (
        "Reactie zonder wederwoord",
        "Laat weten of het adviesorgaan tevreden is met de reactie.",
    ),
    "rejoinder_unsatisfied": (
        "Ontevreden over de reactie",
        "Het college geeft een nieuwe reactie; vraag erom als die uitblijft.",
    ),
}
# The order of the volglijst: what is overdue first.
FOLLOW_UP_ORDER: Final = (
    "overdue",
    "promise_overdue",
    "rejoinder_unsatisfied",
    "response_without_rejoinder",
    "pending",
    "promise_open",
    "deferred",
)


def dutch_date(value: str | date | None) -> str:
    """`2016-12-05` → `5 december 2016`; empty for nothing."""
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def dutch_moment(value: str | None) -> str:
    """A recorded moment (UTC) as a Dutch date and time in Amsterdam: `5 december 2016, 14:03`."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(AMSTERDAM)
    return f"{dutch_date(moment.date())}, {moment:%H:%M}"


def amsterdam_day(value: str) -> date:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(AMSTERDAM).date()


def end_of_day_utc(day: date) -> str:
    """The last moment of a Dutch calendar day, in UTC as the log's moments are written."""
    last = datetime.combine(day + timedelta(days=1), time(0), tzinfo=AMSTERDAM) - timedelta(
        microseconds=1
    )
    return last.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def outcome_label(word: str) -> str:
    return OUTCOME_LABELS[Outcome(word)]


def body_kind_label(word: str) -> str:
    return BODY_KIND_LABELS[BodyKind(word)]


def verdict_label(word: str) -> str:
    return VERDICT_LABELS[Verdict(word)]


def verdict_word(word: str) -> str:
    return VERDICTS.dutch(Verdict(word))


def role_label(word: str | None) -> str:
    return ROLES.dutch(Role(word)) if word else ""


def municipality_name(slug: str) -> str:
    """`midden-groningen` → `Midden-Groningen`."""
    return "-".join(part.capitalize() for part in slug.split("-"))


def actor_label(meta: dict[str, Any]) -> str:
    """Who recorded an event, for people: the token's name and role."""
    name, role = meta.get("actor") or "onbekend", meta.get("role")
    if role == Role.SYSTEM.value:
        return f"{name} (systeem)"
    return f"{name} ({role_label(role)})" if role else str(name)
