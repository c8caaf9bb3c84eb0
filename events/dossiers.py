"""Events of a dossier (the policy matter) and of advice requests about it."""

from datetime import date
from uuid import UUID

from events.base import LedgerCreated


class DossierOpened(LedgerCreated):
    """A policy matter was opened, on which advice can be asked and decisions taken."""

    title: str
    reference: str | None
    portfolio_holder: str | None
    opened_on: date


class AdviceRequested(LedgerCreated):
    """The college asked a body for advice on a dossier, due by a date of its own."""

    dossier_id: UUID
    body_id: UUID
    question: str
    requested_on: date
    due_on: date
