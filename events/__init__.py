"""What happened: immutable, versioned event classes of the advice ledger; data only, no I/O."""

from events.advice import (
    AdviceSubmitted,
    AdviceWithdrawn,
    DueDateMoved,
    FollowUpFulfilled,
    FollowUpPromised,
    RejoinderGiven,
    ResponseRecorded,
)
from events.base import LedgerCreated, LedgerEvent, Meta
from events.bodies import AdvisoryBodyRegistered
from events.decisions import DecisionTaken, Deviation
from events.dossiers import AdviceRequested, DossierOpened
from events.personal import PersonalDataForgotten
from events.tokens import TokenIssued, TokenRevoked
from events.vocabulary import BodyKind, Outcome, Role, SubjectKind, Verdict

__all__ = [
    "AdviceRequested",
    "AdviceSubmitted",
    "AdviceWithdrawn",
    "AdvisoryBodyRegistered",
    "BodyKind",
    "DecisionTaken",
    "Deviation",
    "DossierOpened",
    "DueDateMoved",
    "FollowUpFulfilled",
    "FollowUpPromised",
    "LedgerCreated",
    "LedgerEvent",
    "Meta",
    "Outcome",
    "PersonalDataForgotten",
    "RejoinderGiven",
    "ResponseRecorded",
    "Role",
    "SubjectKind",
    "TokenIssued",
    "TokenRevoked",
    "Verdict",
]
