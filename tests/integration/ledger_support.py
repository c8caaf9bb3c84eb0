"""Shared steps of the ledger tests: a refusal that writes nothing, the commands with the
defaults most tests do not care about (an advice of one point, a response that follows it),
what the log holds, and servers racing to save.

Our packages are imported inside the functions, as in conftest, so typeguard can check them."""

import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import pytest

if TYPE_CHECKING:
    from events import Deviation, Outcome, Verdict
    from ledger import Actor, AdviceLedger, Recorded, ValidationError

T = TypeVar("T")


@dataclass(frozen=True)
class World:
    """An advice with its first point answered and a promise on it, and who may act on it (the
    `world` fixture of conftest)."""

    office: "Actor"
    member: "Actor"
    body_id: UUID
    dossier_id: UUID
    advice_id: UUID
    promise_id: UUID
    submitted_on: date
    today: date


def refused_fields(error: "pytest.ExceptionInfo[ValidationError]") -> set[str]:
    return {item.field for item in error.value.invalid}


E = TypeVar("E", bound=Exception)


@contextmanager
def rejected(ledger: "AdviceLedger", error: type[E]) -> "Iterator[pytest.ExceptionInfo[E]]":
    """The block must raise `error`, and store nothing."""
    before = ledger.last_position()
    with pytest.raises(error) as raised:
        yield raised

    assert ledger.last_position() == before


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
    consequence: str | None = None,
    expected_version: int | None = None,
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
        consequence=consequence,
        expected_version=expected_version,
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


def logged_types(ledger: "AdviceLedger", after: int) -> list[str]:
    """The types of the events stored after position `after`, read from the log."""
    from projections.log import LogReader

    reader = LogReader(ledger.location)
    try:
        return [row.type for row in reader.read(after, 100)]
    finally:
        reader.close()


def pause_before_saving(barrier: threading.Barrier) -> Callable[..., Any]:
    """A trace function that holds this thread at the ledger's `save` until the others get there.

    Both servers have then loaded the same version and decided; only the store can tell them
    apart. This fixes the interleaving without replacing any of our code.
    """
    from ledger import AdviceLedger

    save = AdviceLedger.save.__code__

    def trace(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is save:
            barrier.wait()

    return trace


def race(
    servers: "Sequence[AdviceLedger]", write: "Callable[[AdviceLedger, int], T]"
) -> list[T | Exception]:
    """`write(server, index)` on every server at once, each held before saving until all have
    decided; what each returned or raised, in the order of `servers`."""
    all_decided = threading.Barrier(len(servers), timeout=10)

    def one(index: int) -> T | Exception:
        sys.settrace(pause_before_saving(all_decided))
        try:
            return write(servers[index], index)
        except Exception as error:
            return error
        finally:
            sys.settrace(None)

    with ThreadPoolExecutor(len(servers)) as pool:
        return list(pool.map(one, range(len(servers))))


def promise(
    ledger: "AdviceLedger",
    office: "Actor",
    advice_id: UUID,
    due_on: date,
    *,
    point: int = 1,
    description: str = "Brochure.",
    promise_id: UUID | None = None,
) -> "Recorded":
    """A follow-up promise on a point."""
    return ledger.promise_follow_up(
        office,
        advice_id=advice_id,
        point=point,
        description=description,
        due_on=due_on,
        promise_id=promise_id,
    )


def rejoin(
    ledger: "AdviceLedger",
    actor: "Actor",
    advice_id: UUID,
    *,
    verdict: "Verdict | None" = None,
    text: str = "Prima.",
    point: int | None = None,
    given_on: date | None = None,
) -> "Recorded":
    """The body's rejoinder: satisfied, to every answered point, unless told otherwise."""
    from events import Verdict

    return ledger.give_rejoinder(
        actor,
        advice_id=advice_id,
        verdict=Verdict.SATISFIED if verdict is None else verdict,
        text=text,
        point=point,
        given_on=given_on,
    )
