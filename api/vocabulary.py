"""The one place where the English code words are translated to Dutch and back (see GLOSSARY.md)."""

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from events import BodyKind, Outcome, Role, Verdict

W = TypeVar("W", bound=StrEnum)


class UnknownWordError(ValueError):
    """A Dutch word that is not in the list; the message names the words that are."""


class Words(Generic[W]):
    """A closed word list: each English code word has exactly one Dutch word, and back."""

    def __init__(self, label: str, dutch: Mapping[W, str], members: type[W]) -> None:
        missing = [word for word in members if word not in dutch]
        if missing or len(set(dutch.values())) != len(dutch):
            msg = f"{label}: every word needs one Dutch word of its own; missing {missing}"
            raise ValueError(msg)
        self.label = label
        self._dutch = dict(dutch)
        self._english = {nl: en for en, nl in dutch.items()}

    def dutch(self, word: W) -> str:
        return self._dutch[word]

    def english(self, word: str) -> W:
        try:
            return self._english[word]
        except KeyError:
            allowed = ", ".join(self.choices)
            msg = f"Onbekende {self.label} '{word}': kies uit {allowed}."
            raise UnknownWordError(msg) from None

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self._dutch.values())


OUTCOMES = Words(
    "uitkomst",
    {
        Outcome.FOLLOWED: "overgenomen",
        Outcome.PARTIALLY_FOLLOWED: "deels_overgenomen",
        Outcome.NOT_FOLLOWED: "niet_overgenomen",
        Outcome.DEFERRED: "meegenomen",
        Outcome.NOTED: "kennisgenomen",
        Outcome.PENDING: "openstaand",
    },
    Outcome,
)

BODY_KINDS = Words(
    "soort",
    {
        BodyKind.ADVISORY_COUNCIL: "adviesraad",
        BodyKind.CLIENT_COUNCIL: "clientenraad",
        BodyKind.COUNCIL_COMMITTEE: "raadscommissie",
        BodyKind.ORGANISATION: "organisatie",
        BodyKind.RESIDENT: "inwoner",
        BodyKind.MEETING: "bijeenkomst",
        BodyKind.OTHER: "overig",
    },
    BodyKind,
)

# `systeem` is the ledger itself (the demo loader, migrations); no token carries it.
ROLES = Words(
    "rol",
    {
        Role.ADMINISTRATOR: "beheerder",
        Role.SECRETARIAT: "secretariaat",
        Role.MEMBER: "lid",
        Role.AUDITOR: "auditor",
        Role.SYSTEM: "systeem",
    },
    Role,
)

VERDICTS = Words(
    "oordeel",
    {
        Verdict.SATISFIED: "tevreden",
        Verdict.NOT_SATISFIED: "ontevreden",
    },
    Verdict,
)

# Derived words of the views (never recorded, so no enum in events/).
ADVICE_STATUSES: Mapping[str, str] = {
    "open": "openstaand",
    "partially_answered": "deels_beantwoord",
    "answered": "beantwoord",
    "withdrawn": "ingetrokken",
}
FOLLOW_UP_REASONS: Mapping[str, str] = {
    "pending": "openstaand",
    "overdue": "verlopen",
    "deferred": "meegenomen",
    "promise_open": "toezegging_open",
    "promise_overdue": "toezegging_verlopen",
    "response_without_rejoinder": "reactie_zonder_wederwoord",
}
