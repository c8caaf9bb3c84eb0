"""Events of one advice: submission, responses per point, promises, rejoinders, withdrawal."""

from datetime import date
from uuid import UUID

from events.base import LedgerCreated, LedgerEvent
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
    """The date by which the college must respond was moved, with a reason."""

    previous_due_on: date
    new_due_on: date
    reason: str


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
    """The advising body said whether the responses to these points satisfy it."""

    points: tuple[int, ...]
    verdict: Verdict
    text: str


class AdviceWithdrawn(LedgerEvent):
    """The advice was withdrawn, with a reason; no responses are taken after this."""

    reason: str
