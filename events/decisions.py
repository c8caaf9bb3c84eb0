"""Events of a college decision (collegebesluit) on a dossier."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from events.base import LedgerCreated


@dataclass(frozen=True)
class Deviation:
    """Deciding against an advice point, or while it is unanswered, with reasons (Awb 3:50)."""

    advice_id: UUID
    point: int
    reasons: str


class DecisionTaken(LedgerCreated):
    """The college decided on a dossier, considering the listed advice (Awb 3:49)."""

    dossier_id: UUID
    title: str
    decided_on: date
    reference: str | None
    advice_ids: tuple[UUID, ...]
    deviations: tuple[Deviation, ...]
