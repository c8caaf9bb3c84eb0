"""Read-your-writes without a catch-up: `current_position()` answers the views' position only
when they hold every event committed before the call, by this process or another (SQLite: one
statement over the views and the attached log; PostgreSQL: two queries)."""

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from events.store import StoreUrl
    from ledger import Actor, AdviceLedger
    from projections import ReadModel


def test_current_position_sees_each_commit_of_the_log_and_of_the_views(
    ledger: "AdviceLedger",
    office: "Actor",
    body_id: UUID,
    submitted_on: date,
    model: "ReadModel",
    store_url: "StoreUrl",
    municipality: str,
) -> None:
    from projections import ReadModel

    assert model.current_position() is None  # the body is in the log, not yet in the views
    assert model.ensure_current() == ledger.last_position()
    assert model.current_position() == ledger.last_position()
    for n in range(3):
        ledger.submit_advice(
            office,
            body_id=body_id,
            title=f"Advies {n}",
            submitted_on=submitted_on,
            solicited=False,
            points=["Een punt."],
        )
        assert model.current_position() is None  # the log's commit, seen at once
        other = ReadModel(store_url.location(municipality))  # another projector
        try:
            assert other.ensure_current() == ledger.last_position()
        finally:
            other.close()
        assert model.current_position() == ledger.last_position()  # its commit, seen at once
