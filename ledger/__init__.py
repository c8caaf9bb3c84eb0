"""The write side: aggregates holding the rules, and the Application whose methods are commands."""

from ledger.advice import Advice
from ledger.application import AdviceLedger, Recorded
from ledger.bodies import AdvisoryBody
from ledger.decisions import Decision
from ledger.dossiers import AdviceRequest, Dossier
from ledger.errors import (
    ConflictError,
    ForbiddenError,
    Invalid,
    LedgerError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from ledger.recorders import IdempotencyKey, KeyRecord
from ledger.registry import Ledgers
from ledger.rules import Actor, amsterdam_today

__all__ = [
    "Actor",
    "Advice",
    "AdviceLedger",
    "AdviceRequest",
    "AdvisoryBody",
    "ConflictError",
    "Decision",
    "Dossier",
    "ForbiddenError",
    "IdempotencyKey",
    "Invalid",
    "KeyRecord",
    "LedgerError",
    "Ledgers",
    "NotFoundError",
    "PreconditionFailedError",
    "Recorded",
    "ValidationError",
    "amsterdam_today",
]
