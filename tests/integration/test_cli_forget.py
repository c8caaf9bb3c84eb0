"""`adviesspoor forget` on both stores: the resident's name leaves the rebuilt views, and the
view tables that held it are rewritten (on PostgreSQL: every view table, VACUUM FULL)."""

from collections.abc import Callable
from datetime import date, timedelta

from events import BodyKind
from ledger import Actor, AdviceLedger
from projections.read_model import ReadModel
from tests.integration.actors import administrator
from tests.integration.cli_support import Run
from tests.integration.ledger_support import submit

RESIDENT = "Joke Zwaantje"


def test_forgetting_a_resident_on_the_command_line_rebuilds_and_compacts_the_views(
    adviesspoor: Run,
    ledger: AdviceLedger,
    office: Actor,
    today: date,
    open_models: Callable[[], ReadModel],
) -> None:
    resident = ledger.register_body(administrator(), name=RESIDENT, kind=BodyKind.RESIDENT).id
    on = today - timedelta(days=3)
    advice = submit(
        ledger, office, resident, on, title="Over de speeltuin", points=["Een bank erbij."]
    ).id
    model = open_models()
    model.catch_up()
    body = model.doc(str(resident))
    assert body is not None
    assert body["name"] == RESIDENT

    forgot = adviesspoor("forget", "--adviesorgaan", str(resident), "--gemeente",
                         ledger.municipality)  # fmt: skip

    assert forgot.code == 0, forgot.err
    assert "Vergeten in" in forgot.out
    model.catch_up()
    body, view = model.doc(str(resident)), model.doc(str(advice))
    assert body is not None
    assert view is not None
    assert body["name"] == "[verwijderd]"
    assert RESIDENT not in str(view)
