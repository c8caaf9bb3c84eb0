"""Several responses in one transaction (`AdviceLedger.record_responses`, the reaction-table
import): every row is checked first, all are stored or none, and with `once` a batch is stored
once; on SQLite and PostgreSQL."""

from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import pytest

from tests.integration.actors import administrator
from tests.integration.ledger_support import submit

if TYPE_CHECKING:
    from ledger import Actor, AdviceLedger, Recorded
    from ledger.application import ResponseInput


def _office() -> "Actor":
    from events import Role
    from ledger import Actor

    return Actor("secretariaat", Role.SECRETARIAT, "req-batch")


def _advice(ledger: "AdviceLedger", today: date) -> UUID:
    from events import BodyKind

    body = ledger.register_body(
        administrator(), name="Wmo-platform", kind=BodyKind.ADVISORY_COUNCIL
    ).id
    submitted = today - timedelta(days=10)
    return submit(ledger, _office(), body, submitted, points=["Een", "Twee"]).id


def _row(
    advice: UUID, point: int, outcome: str, today: date, reasons: str | None = None
) -> "ResponseInput":
    from events import Outcome
    from ledger.application import ResponseInput

    return ResponseInput(advice, point, Outcome(outcome), "Reactie.", today, reasons)


def test_a_batch_with_one_refused_row_stores_nothing_and_names_the_row(
    ledger: "AdviceLedger", today: date
) -> None:
    from ledger import ValidationError

    advice = _advice(ledger, today)
    before = ledger.last_position()
    rows = [_row(advice, 1, "followed", today), _row(advice, 2, "not_followed", today)]

    with pytest.raises(ValidationError) as refused:
        ledger.record_responses(_office(), rows)

    assert [item.field for item in refused.value.invalid] == ["rows/1/reasons"]
    assert ledger.last_position() == before


def test_a_batch_is_stored_in_one_go_and_only_once_per_key(
    ledger: "AdviceLedger", today: date
) -> None:
    from ledger import IdempotencyKey, KeyRecord

    advice = _advice(ledger, today)
    before = ledger.last_position()
    rows = [_row(advice, 1, "followed", today), _row(advice, 2, "not_followed", today, "Geld.")]
    key = IdempotencyKey("reactietabel:test", "test")

    checked = ledger.record_responses(_office(), rows, check_only=True)
    first = ledger.once(key, lambda: _stored(ledger, rows))
    again = ledger.once(key, lambda: _stored(ledger, rows))

    assert checked is None
    assert not isinstance(first, KeyRecord)
    assert first.position == before + 2
    assert isinstance(again, KeyRecord)
    assert again.position == first.position
    assert ledger.last_position() == before + 2
    assert [p.outcome.value for p in ledger.get_advice(advice).points] == [
        "followed",
        "not_followed",
    ]


def _stored(ledger: "AdviceLedger", rows: "list[ResponseInput]") -> "Recorded":
    recorded = ledger.record_responses(_office(), rows)
    assert recorded is not None
    return recorded
