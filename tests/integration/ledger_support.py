"""Shared steps of the ledger tests: a refusal that writes nothing, and the commands with the
defaults most tests do not care about (an advice of one point, a response that follows it)."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

import pytest

if TYPE_CHECKING:
    from events import Deviation, Outcome
    from ledger import Actor, AdviceLedger, Recorded, ValidationError


def refused_fields(error: "pytest.ExceptionInfo[ValidationError]") -> set[str]:
    return {item.field for item in error.value.invalid}


@contextmanager
def refused(
    ledger: "AdviceLedger", fields: set[str]
) -> "Iterator[pytest.ExceptionInfo[ValidationError]]":
    """The block must raise a ValidationError naming exactly `fields`, and store nothing."""
    from ledger import ValidationError

    before = ledger.last_position()
    with pytest.raises(ValidationError) as error:
        yield error

    assert refused_fields(error) == fields
    assert ledger.last_position() == before


def submit(
    ledger: "AdviceLedger",
    office: "Actor",
    body_id: UUID,
    submitted_on: date,
    *,
    title: str = "Advies",
    solicited: bool = False,
    points: Sequence[str] = ("p",),
    dossier_id: UUID | None = None,
    request_id: UUID | None = None,
) -> "Recorded":
    """An advice, of one point unless told otherwise."""
    return ledger.submit_advice(
        office,
        body_id=body_id,
        title=title,
        submitted_on=submitted_on,
        solicited=solicited,
        points=list(points),
        dossier_id=dossier_id,
        request_id=request_id,
    )


def answer(
    ledger: "AdviceLedger",
    office: "Actor",
    advice_id: UUID,
    given_on: date,
    *,
    point: int = 1,
    outcome: "Outcome | None" = None,
    text: str = "Ja.",
    reasons: str | None = None,
) -> "Recorded":
    """A response to one point: followed unless told otherwise."""
    from events import Outcome

    return ledger.record_response(
        office,
        advice_id=advice_id,
        point=point,
        outcome=Outcome.FOLLOWED if outcome is None else outcome,
        text=text,
        given_on=given_on,
        reasons=reasons,
    )


def ask(
    ledger: "AdviceLedger",
    office: "Actor",
    dossier_id: UUID,
    body_id: UUID,
    requested_on: date,
    due_on: date,
    question: str = "Vraag?",
) -> "Recorded":
    """An advice request."""
    return ledger.request_advice(
        office,
        dossier_id=dossier_id,
        body_id=body_id,
        question=question,
        requested_on=requested_on,
        due_on=due_on,
    )


def decide(
    ledger: "AdviceLedger",
    office: "Actor",
    dossier_id: UUID,
    advice_ids: Sequence[UUID],
    decided_on: date,
    *,
    title: str = "Besluit",
    deviations: "Sequence[Deviation]" = (),
) -> "Recorded":
    """A college decision on the dossier, listing `advice_ids`."""
    return ledger.take_decision(
        office,
        dossier_id=dossier_id,
        title=title,
        decided_on=decided_on,
        advice_ids=advice_ids,
        deviations=deviations,
    )
