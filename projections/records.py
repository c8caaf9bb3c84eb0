"""The read side's records, typed: the parts of a folded advice document and the views built from
them (English keys; the API writes them in Dutch)."""

from enum import StrEnum
from typing import TypedDict

from events import Outcome


class AdviceStatus(StrEnum):
    """Where an advice stands: derived from its points, never recorded."""

    OPEN = "open"
    PARTIALLY_ANSWERED = "partially_answered"
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"


class FollowUpReason(StrEnum):
    """Why a point is on the follow-up board."""

    PENDING = "pending"
    OVERDUE = "overdue"
    DEFERRED = "deferred"
    PROMISE_OPEN = "promise_open"
    PROMISE_OVERDUE = "promise_overdue"
    RESPONSE_WITHOUT_REJOINDER = "response_without_rejoinder"
    REJOINDER_UNSATISFIED = "rejoinder_unsatisfied"


class ResponseDoc(TypedDict):
    outcome: str
    text: str
    reasons: str | None
    consequence: str | None
    given_on: str
    decision: str | None
    position: int
    recorded_at: str


class PromiseDoc(TypedDict):
    id: str
    description: str
    due_on: str
    fulfilled_on: str | None
    note: str | None
    position: int
    recorded_at: str


class PromiseView(PromiseDoc):
    open: bool
    overdue: bool


class RejoinderDoc(TypedDict):
    point: int | None
    verdict: str
    text: str
    given_on: str
    on_behalf: bool
    position: int
    recorded_at: str


class DueDateMove(TypedDict):
    previous_due_on: str
    new_due_on: str
    reason: str
    effective_on: str
    position: int
    recorded_at: str


class Withdrawal(TypedDict):
    reason: str
    position: int
    recorded_at: str


class PointView(TypedDict):
    """One point at a business date: its latest answer, pending, overdue, late, rejoinders."""

    number: int
    text: str
    outcome: Outcome
    response: str | None
    reasons: str | None
    consequence: str | None
    decision: str | None
    answered_by: str | None  # "response" or "deviation"
    answered_on: str | None
    first_answered_on: str | None
    responses: list[ResponseDoc]
    pending: bool
    due_on: str
    overdue: bool
    late: bool
    promises: list[PromiseView]
    rejoinders: list[RejoinderDoc]
    rejoinder: RejoinderDoc | None
    rejoinder_after_response: bool
    rejoinder_unsatisfied: bool


class PointRow(PointView):
    """A row of the points view: a point with its advice."""

    advice_id: str
    advice_title: str
    body_id: str
    body_name: str | None
    dossier_id: str | None
    submitted_on: str


class PromiseRef(TypedDict):
    id: str
    description: str
    due_on: str


class FollowUpItem(TypedDict):
    advice_id: str
    advice_title: str
    body_id: str
    body_name: str | None
    point: int
    title: str
    text: str
    outcome: Outcome
    reasons: str | None
    reason: FollowUpReason
    due_on: str
    promise: PromiseRef | None


class AdviceView(TypedDict):
    """An advice as users see it at a business date."""

    id: str
    body_id: str
    body_name: str | None
    dossier_id: str | None
    dossier_title: str | None
    request_id: str | None
    title: str
    reference: str | None
    submitted_on: str
    solicited: bool
    status: AdviceStatus
    due_on: str
    original_due_on: str
    due_date_moves: list[DueDateMove]
    overdue: bool
    withdrawal: Withdrawal | None
    decisions: list[str]
    version: int
    created_at: str
    updated_at: str
    points: list[PointView]


class Statistics(TypedDict):
    points: int
    per_outcome: dict[Outcome, int]
    overdue: int
    late: int
    follow_rate: float | None
    median_response_days: int | float | None
    promises_open: int
    promises_overdue: int


class StatisticsRow(Statistics):
    body_id: str
    body_name: str
    year: int
