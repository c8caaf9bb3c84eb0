"""`adviesspoor forget` on both stores: the resident's name leaves the rebuilt views, and the
view tables that held it are rewritten (on PostgreSQL: every view table, VACUUM FULL)."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from events import BodyKind
from events.store import StoreUrl
from ledger import Actor, AdviceLedger
from projections.read_model import ReadModel
from tests.integration.actors import administrator
from tests.integration.cli_support import Run, runner

RESIDENT = "Joke Zwaantje"


@pytest.fixture
def adviesspoor(
    store_url: StoreUrl,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    monkeypatch.setenv("ADVIESSPOOR_KEY_DIR", str(tmp_path / "sleutels"))
    return runner(store_url, monkeypatch, capsys)


def test_forgetting_a_resident_on_the_command_line_rebuilds_and_compacts_the_views(
    adviesspoor: Run, ledger: AdviceLedger, office: Actor, today: date
) -> None:
    resident = ledger.register_body(administrator(), name=RESIDENT, kind=BodyKind.RESIDENT).id
    advice = ledger.submit_advice(
        office,
        body_id=resident,
        title="Over de speeltuin",
        submitted_on=today - timedelta(days=3),
        solicited=False,
        points=["Een bank erbij."],
    ).id
    model = ReadModel(ledger.location)
    try:
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
    finally:
        model.close()
