"""Shared by the command-line tests: the demo's municipalities (the `demo` fixture) and what they
record, and a short history written straight into a ledger.

Our packages are imported inside the functions, as in conftest, so typeguard can check them."""

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from tests.integration.actors import administrator
from tests.integration.ledger_support import answer, submit

if TYPE_CHECKING:
    from api.demo import Municipality
    from events.store import StoreUrl
    from ledger import Actor, AdviceLedger


@pytest.fixture(name="demo")
def demo_municipalities() -> tuple["Municipality", ...]:
    """The demo's data: every municipality it loads."""
    from api.demo import read_demo

    return read_demo()


def last_position(store: "StoreUrl", municipality: str) -> int:
    """The position of the last event in the municipality's log."""
    from projections.log import LogReader

    reader = LogReader(store.location(municipality))
    try:
        return reader.last_position()
    finally:
        reader.close()


def events_of(data: "Municipality") -> int:
    """How many events the demo data of one municipality makes: one per command."""
    return (
        len(data.bodies)
        + len(data.dossiers)
        + sum(1 + len(a.responses) + len(a.promises) for a in data.advice)
        + len(data.decisions)
    )


def by_slug(demo: tuple["Municipality", ...], slug: str) -> "Municipality":
    """The demo municipality with this slug."""
    return next(m for m in demo if m.slug == slug)


def history(ledger: "AdviceLedger", office: "Actor", today: date) -> int:
    """A body, a dossier, an advice of two points and a reactie `not_followed`; its position."""
    from events import BodyKind, Outcome

    body = ledger.register_body(administrator(), name="WIJ-raad", kind=BodyKind.CLIENT_COUNCIL).id
    dossier = ledger.open_dossier(office, title="Nota", opened_on=today - timedelta(days=30)).id
    advice = submit(
        ledger,
        office,
        body,
        today - timedelta(days=9),
        points=["Een.", "Twee."],
        dossier_id=dossier,
    ).id
    return answer(
        ledger, office, advice, today, outcome=Outcome.NOT_FOLLOWED, text="Nee.", reasons="Te duur."
    ).position
