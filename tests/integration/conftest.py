"""Integration fixtures: who acts, and a small real history (body, dossier, advice) to act on.

As in the root conftest, our packages are imported inside fixtures so typeguard can check them
even when pytest is started on this directory alone.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import pytest

from tests.integration.actors import administrator
from tests.integration.cli_support import Run, runner
from tests.integration.ledger_support import World, answer, promise, submit

if TYPE_CHECKING:
    from events.store import StoreUrl
    from ledger import Actor, AdviceLedger, Ledgers
    from projections import ReadModel


@pytest.fixture
def office() -> "Actor":
    """The secretariat, who records responses and decisions."""
    from events import Role
    from ledger import Actor

    return Actor("secretariaat", Role.SECRETARIAT, "req-office")


@pytest.fixture
def submitted_on(today: date) -> date:
    """When the advice of the test was given: ten days ago, so responses can be dated between."""
    return today - timedelta(days=10)


@pytest.fixture
def body_id(ledger: "AdviceLedger", office: "Actor") -> UUID:
    """A registered advisory body with the default response term."""
    from events import BodyKind

    return ledger.register_body(administrator(), name="WIJ-raad", kind=BodyKind.CLIENT_COUNCIL).id


@pytest.fixture
def member(body_id: UUID) -> "Actor":
    """A member speaking for the body of the test."""
    from events import Role
    from ledger import Actor

    return Actor("lid WIJ-raad", Role.MEMBER, "req-member", body_id=body_id)


@pytest.fixture
def dossier_id(ledger: "AdviceLedger", office: "Actor", submitted_on: date) -> UUID:
    """An open dossier."""
    return ledger.open_dossier(
        office,
        title="Met elkaar voor elkaar",
        opened_on=submitted_on - timedelta(days=30),
        reference="OS 13.4064391",
    ).id


@pytest.fixture
def advice_id(
    ledger: "AdviceLedger", office: "Actor", body_id: UUID, dossier_id: UUID, submitted_on: date
) -> UUID:
    """An advice of three points, none answered yet."""
    points = ["Maak een brochure.", "Betrek wijkteams.", "Meet de wachttijden."]
    title = "Advies over de nota"
    return submit(
        ledger, office, body_id, submitted_on, title=title, points=points, dossier_id=dossier_id
    ).id


@pytest.fixture
def another_advice(
    ledger: "AdviceLedger", office: "Actor", body_id: UUID, submitted_on: date
) -> Callable[..., UUID]:
    """Submits another advice of the test's body, given when the test's advice was; the keywords
    are those of `ledger_support.submit` (an advice of one point unless told otherwise)."""

    def submit_(**details: Any) -> UUID:
        return submit(ledger, office, body_id, submitted_on, **details).id

    return submit_


@pytest.fixture
def other_ledger(ledgers: "Ledgers", new_municipality: Callable[[], str]) -> "AdviceLedger":
    """The ledger of another municipality in the same store."""
    return ledgers[new_municipality()]


@pytest.fixture
def body_elsewhere(other_ledger: "AdviceLedger") -> UUID:
    """An advisory body of the other municipality."""
    from events import BodyKind

    return other_ledger.register_body(
        administrator(), name="Stadadviseert", kind=BodyKind.ADVISORY_COUNCIL
    ).id


@pytest.fixture
def world(
    ledger: "AdviceLedger",
    office: "Actor",
    member: "Actor",
    body_id: UUID,
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
    today: date,
) -> World:
    """The advice with its first point answered and a promise on it, for the tests that try
    every command on one advice."""
    answer(ledger, office, advice_id, today)
    promise_id = uuid4()
    promise(ledger, office, advice_id, today, promise_id=promise_id)
    return World(office, member, body_id, dossier_id, advice_id, promise_id, submitted_on, today)


@pytest.fixture
def server_b(open_ledgers: Callable[[], "Ledgers"], municipality: str) -> "AdviceLedger":
    """The municipality's ledger as a second server (process) opens it."""
    return open_ledgers()[municipality]


@pytest.fixture
def servers(ledger: "AdviceLedger", server_b: "AdviceLedger") -> list["AdviceLedger"]:
    """The test's ledger, and the same municipality's on a second server."""
    return [ledger, server_b]


@pytest.fixture
def open_models(store_url: "StoreUrl", municipality: str) -> Iterator[Callable[..., "ReadModel"]]:
    """Opens the test municipality's read model as a (re)started process would, with the page
    sizes given (as `ReadModel` takes them); all closed afterwards."""
    from projections import ReadModel

    with ExitStack() as opened:

        def open_(*sizes: int, **named_sizes: int) -> ReadModel:
            model = ReadModel(store_url.location(municipality), *sizes, **named_sizes)
            opened.callback(model.close)
            return model

        yield open_


@pytest.fixture
def model(open_models: Callable[..., "ReadModel"]) -> "ReadModel":
    """The test municipality's read model, as `open_models` opens it."""
    return open_models()


@pytest.fixture
def story(
    ledger: "AdviceLedger",
    office: "Actor",
    member: "Actor",
    advice_id: UUID,
    dossier_id: UUID,
    submitted_on: date,
) -> list[str]:
    """The ids of two advices whose events interleave (`projection_story.tell`), the fixture's
    advice first."""
    from tests.integration.projection_story import tell

    return [str(i) for i in tell(ledger, office, member, dossier_id, advice_id, submitted_on)]


@pytest.fixture
def adviesspoor(
    store_url: "StoreUrl",
    key_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """The command line on the test's store, with signing keys of the test's own."""
    return runner(store_url, monkeypatch, capsys)
