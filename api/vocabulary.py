"""The one place where the English code words are translated to Dutch and back (see GLOSSARY.md)."""

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from events import BodyKind, Outcome, Role, SubjectKind, Verdict
from projections.records import AdviceStatus, FollowUpReason

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
        self.members = members
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

SUBJECT_KINDS = Words(
    "betrokkene",
    {SubjectKind.BODY: "adviesorgaan", SubjectKind.ACTOR: "actor"},
    SubjectKind,
)

# Derived words of the views (never recorded, so their enums live in projections/).
ADVICE_STATUSES = Words(
    "status",
    {
        AdviceStatus.OPEN: "openstaand",
        AdviceStatus.PARTIALLY_ANSWERED: "deels_beantwoord",
        AdviceStatus.ANSWERED: "beantwoord",
        AdviceStatus.WITHDRAWN: "ingetrokken",
    },
    AdviceStatus,
)
FOLLOW_UP_REASONS = Words(
    "reden",
    {
        FollowUpReason.PENDING: "openstaand",
        FollowUpReason.OVERDUE: "verlopen",
        FollowUpReason.DEFERRED: "meegenomen",
        FollowUpReason.PROMISE_OPEN: "toezegging_open",
        FollowUpReason.PROMISE_OVERDUE: "toezegging_verlopen",
        FollowUpReason.RESPONSE_WITHOUT_REJOINDER: "reactie_zonder_wederwoord",
        FollowUpReason.REJOINDER_UNSATISFIED: "wederwoord_ontevreden",
    },
    FollowUpReason,
)

# Words for people (`adviesspoor overzicht`, pages): what the code words mean in a sentence.
OUTCOME_LABELS: Mapping[Outcome, str] = {
    Outcome.FOLLOWED: "overgenomen",
    Outcome.PARTIALLY_FOLLOWED: "deels overgenomen",
    Outcome.NOT_FOLLOWED: "niet overgenomen",
    Outcome.DEFERRED: "meegenomen in verdere uitwerking",
    Outcome.NOTED: "voor kennisgeving aangenomen",
    Outcome.PENDING: "nog geen reactie",
}
BODY_KIND_LABELS: Mapping[BodyKind, str] = {
    BodyKind.ADVISORY_COUNCIL: "adviesraad",
    BodyKind.CLIENT_COUNCIL: "cliëntenraad",
    BodyKind.COUNCIL_COMMITTEE: "raadscommissie",
    BodyKind.ORGANISATION: "organisatie",
    BodyKind.RESIDENT: "inwoner",
    BodyKind.MEETING: "bijeenkomst",
    BodyKind.OTHER: "overig",
}
MONTHS: tuple[str, ...] = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

# The kinds of event, as the contract names them (`historie`, `gebeurtenissen`): one Dutch
# PascalCase name per event class.
EVENT_TYPES: Mapping[str, str] = {
    "AdvisoryBodyRegistered": "AdviesorgaanGeregistreerd",
    "DossierOpened": "DossierGeopend",
    "AdviceRequested": "AdviesaanvraagGedaan",
    "AdviceSubmitted": "AdviesUitgebracht",
    "ResponseRecorded": "ReactieVastgelegd",
    "FollowUpPromised": "ToezeggingGedaan",
    "FollowUpFulfilled": "ToezeggingNagekomen",
    "RejoinderGiven": "WederwoordGegeven",
    "DueDateMoved": "TermijnGewijzigd",
    "AdviceWithdrawn": "AdviesIngetrokken",
    "DecisionTaken": "BesluitGenomen",
    "TokenIssued": "TokenUitgegeven",
    "TokenRevoked": "TokenIngetrokken",
    "PersonalDataForgotten": "GegevensVergeten",
}
EVENT_TYPES_ENGLISH: Mapping[str, str] = {nl: en for en, nl in EVENT_TYPES.items()}

# Per kind of event, its stored fields under the names of the POST that recorded it
# (`gegevens`): stored name → contract name. Values that are code words are translated by the
# word lists above (see api/http/events.py).
EVENT_FIELDS: Mapping[str, Mapping[str, str]] = {
    "AdvisoryBodyRegistered": {
        "name": "naam",
        "kind": "soort",
        "response_term_days": "reactietermijnDagen",
    },
    "DossierOpened": {
        "title": "titel",
        "reference": "kenmerk",
        "portfolio_holder": "portefeuillehouder",
        "opened_on": "geopendOp",
    },
    "AdviceRequested": {
        "dossier_id": "dossier",
        "body_id": "adviesorgaan",
        "question": "vraag",
        "requested_on": "aangevraagdOp",
        "due_on": "uiterlijkOp",
    },
    "AdviceSubmitted": {
        "body_id": "adviesorgaan",
        "title": "titel",
        "submitted_on": "uitgebrachtOp",
        "solicited": "gevraagd",
        "points": "punten",
        "dossier_id": "dossier",
        "request_id": "adviesaanvraag",
        "reference": "kenmerk",
    },
    "ResponseRecorded": {
        "point": "punt",
        "outcome": "uitkomst",
        "text": "reactie",
        "given_on": "gegevenOp",
        "reasons": "motivering",
        "consequence": "consequentie",
        "decision": "besluit",
    },
    "FollowUpPromised": {
        "promise_id": "id",
        "point": "punt",
        "description": "omschrijving",
        "due_on": "uiterlijkOp",
    },
    "FollowUpFulfilled": {
        "promise_id": "toezegging",
        "fulfilled_on": "nagekomenOp",
        "note": "toelichting",
    },
    "RejoinderGiven": {
        "point": "punt",
        "verdict": "oordeel",
        "text": "tekst",
        "given_on": "gegevenOp",
    },
    "DueDateMoved": {
        "new_due_on": "nieuweDatum",
        "reason": "reden",
        "effective_on": "ingangsdatum",
    },
    "AdviceWithdrawn": {"reason": "reden"},
    "DecisionTaken": {
        "dossier_id": "dossier",
        "title": "titel",
        "decided_on": "besluitdatum",
        "advice_ids": "adviezen",
        "reference": "kenmerk",
        "deviations": "afwijkingen",
    },
    "TokenIssued": {
        "role": "rol",
        "body_id": "adviesorgaan",
        "name": "naam",
        "issued_at": "uitgegevenOp",
    },
    "TokenRevoked": {},
    "PersonalDataForgotten": {"subject_kind": "van", "subject": "wie"},
}
DEVIATION_FIELDS: Mapping[str, str] = {
    "advice_id": "advies",
    "point": "punt",
    "reasons": "motivering",
    "outcome": "uitkomst",
}
