"""What an advice holds, and how each of its events changes that (the rules are in
ledger/advice.py)."""

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from events import (
    AdviceSubmitted,
    AdviceWithdrawn,
    DueDateMoved,
    FollowUpFulfilled,
    FollowUpPromised,
    Outcome,
    ResponseRecorded,
)


@dataclass
class Point:
    """One numbered advice point and what became of it."""

    number: int
    text: str
    outcome: Outcome = Outcome.PENDING
    responses: list[ResponseRecorded] = field(default_factory=list)


@dataclass(frozen=True)
class DueDateChange:
    """A due date in force from a business date on (`effective_on`)."""

    effective_on: date
    due_on: date


@dataclass
class Promise:
    point: int
    due_on: date
    fulfilled_on: date | None = None


class AdviceState(Aggregate):
    """An advice's state: its points and their responses, due dates, promises, withdrawal."""

    if TYPE_CHECKING:  # set by apply(); not constructor arguments of the library
        body_id: UUID
        dossier_id: UUID | None
        title: str
        submitted_on: date
        due_on: date
        due_date_changes: list[DueDateChange]
        points: list[Point]
        promises: dict[UUID, Promise]
        withdrawn: bool

    def due_on_at(self, day: date) -> date:
        """The due date in force on a business date: that of the change with the latest effective
        date on or before it (ties: the later recorded), else the original one."""
        in_force = [c for c in self.due_date_changes if c.effective_on <= day]
        if not in_force:
            return self.due_on
        latest = max(c.effective_on for c in in_force)
        return [c for c in in_force if c.effective_on == latest][-1].due_on

    def answered_points(self, decided: frozenset[int] = frozenset()) -> list[int]:
        """Points with a response, or answered by a decision's deviation (`decided`)."""
        return [
            p.number for p in self.points if p.outcome is not Outcome.PENDING or p.number in decided
        ]

    def pending_points(self, decided: frozenset[int] = frozenset()) -> list[int]:
        answered = set(self.answered_points(decided))
        return [p.number for p in self.points if p.number not in answered]

    def apply(self, event: Any) -> None:
        match event:
            case AdviceSubmitted():
                self.body_id = event.body_id
                self.dossier_id = event.dossier_id
                self.title = event.title
                self.submitted_on = event.submitted_on
                self.due_on = event.due_on
                self.due_date_changes = []
                self.points = [Point(n, text) for n, text in enumerate(event.points, start=1)]
                self.promises = {}
                self.withdrawn = False
            case ResponseRecorded():
                point = self.points[event.point - 1]
                point.outcome = event.outcome
                point.responses.append(event)
            case DueDateMoved():
                self.due_date_changes.append(DueDateChange(event.effective_on, event.new_due_on))
            case FollowUpPromised():
                self.promises[event.promise_id] = Promise(event.point, event.due_on)
            case FollowUpFulfilled():
                self.promises[event.promise_id].fulfilled_on = event.fulfilled_on
            case AdviceWithdrawn():
                self.withdrawn = True
