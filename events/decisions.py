"""Events of a college decision (collegebesluit) on a dossier."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from events.base import LedgerCreated
from events.vocabulary import Outcome


@dataclass(frozen=True)
class Deviation:
    """Deciding against an advice point, or while it is unanswered, with reasons (Awb 3:50); it
    answers the point with its outcome (not followed, or partially followed)."""

    advice_id: UUID
    point: int
    reasons: str
    outcome: Outcome = Outcome.NOT_FOLLOWED


class DecisionTaken(LedgerCreated):
    """The college decided on a dossier, considering the listed advice (Awb 3:49).

    Version 1 deviations had no outcome: each one did not follow its point.
    """

    class_version = 2

    dossier_id: UUID
    title: str
    decided_on: date
    reference: str | None
    advice_ids: tuple[UUID, ...]
    deviations: tuple[Deviation, ...]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        for deviation in state["deviations"]:
            deviation.setdefault("outcome", Outcome.NOT_FOLLOWED.value)
