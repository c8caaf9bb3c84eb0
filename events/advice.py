"""Events of one advice: submission, responses per point, promises, rejoinders, withdrawal."""

from datetime import date
from typing import Any
from uuid import UUID

from events.base import LedgerCreated, LedgerEvent, recorded_date
from events.vocabulary import Outcome, Verdict


class AdviceSubmitted(LedgerCreated):
    """A body gave advice: numbered points (1, 2, … in this order), solicited or not."""

    body_id: UUID
    title: str
    submitted_on: date
    solicited: bool
    points: tuple[str, ...]
    dossier_id: UUID | None
    request_id: UUID | None
    reference: str | None
    response_term_days: int
    due_on: date


class ResponseRecorded(LedgerEvent):
    """The college answered one point; a later response to the same point supersedes it."""

    point: int
    outcome: Outcome
    text: str
    reasons: str | None
    consequence: str | None
    given_on: date
    decision: str | None


class DueDateMoved(LedgerEvent):
    """The date by which the college must respond was moved, with a reason, from a business date
    on (`effective_on`); before that date the previous due date holds.

    Version 1 had no effective date: such a change took effect on the day it was recorded
    (Europe/Amsterdam), which is what the upcaster says.
    """

    class_version = 2

    previous_due_on: date
    new_due_on: date
    reason: str
    effective_on: date

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["effective_on"] = recorded_date(state["timestamp"])


class FollowUpPromised(LedgerEvent):
    """The college promised to do something about a point by a due date."""

    promise_id: UUID
    point: int
    description: str
    due_on: date


class FollowUpFulfilled(LedgerEvent):
    """A promise was kept."""

    promise_id: UUID
    fulfilled_on: date
    note: str


class RejoinderGiven(LedgerEvent):
    """The advising body said whether the answer to one point (`point`), or to every answered point
    without a rejoinder of its own (`point` None), satisfies it; given on a business date, by the
    body itself or recorded by the secretariat on its behalf (`on_behalf`).

    Version 1 listed the points it applied to and had neither a date nor a secretariat: one point
    was that point's rejoinder, several were a general one; it was given on the day it was
    recorded (Europe/Amsterdam), by a member of the body.
    """

    class_version = 2

    point: int | None
    verdict: Verdict
    text: str
    given_on: date
    on_behalf: bool

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        points = state.pop("points")
        state["point"] = points[0] if len(points) == 1 else None
        state["given_on"] = recorded_date(state["timestamp"])
        state["on_behalf"] = False


class AdviceWithdrawn(LedgerEvent):
    """The advice was withdrawn, with a reason; no responses are taken after this."""

    reason: str
