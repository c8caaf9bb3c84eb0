"""What the server does for the log: a signed checkpoint every N events and every M minutes, and
no start when the last events do not match their leaves."""

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import Api
from tests.integration.cli_support import own_database

if TYPE_CHECKING:
    from events.store import StoreUrl

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def watched(
    key_dir: Path,
    store_url: "StoreUrl",
    today: date,
    municipality: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Api]:
    """The app with a signing key for the test's municipality and a checkpoint every 2 events."""
    from ledger.signing_keys import SigningKeys

    monkeypatch.setenv("ADVIESSPOOR_CHECKPOINT_EVENTS", "2")
    SigningKeys(store_url).create(municipality)
    client = Api(store_url, today, municipality)
    await client.start()
    yield client
    await client.close()


def _sizes(api: Api) -> list[int]:
    from api.http.app import SERVICES

    integrity = api.app[SERVICES].ledgers[api.municipality].integrity
    return [checkpoint.size for checkpoint in integrity.checkpoints()]


async def test_checkpoints_are_due_every_n_events_and_every_m_minutes(watched: Api) -> None:
    from api.http.app import SERVICES
    from api.http.log_watch import Settings, sign_due
    from ledger.signing_keys import SigningKeys

    services = watched.app[SERVICES]
    keys = SigningKeys(services.ledgers.store)
    every = Settings(every_events=3, every_minutes=60, verify_at_start=0)
    now = datetime.now(tz=UTC)

    def due(at: datetime) -> list[str]:
        return sign_due(services, keys, every, at)

    nothing_yet = await services.run(lambda: due(now))
    await watched.new_body("Eerste")
    first = await services.run(lambda: due(now))
    await watched.new_body("Tweede")
    await watched.new_body("Derde")
    too_few = await services.run(lambda: due(now))
    await watched.new_body("Vierde")
    enough = await services.run(lambda: due(now))
    await watched.new_body("Vijfde")
    too_soon = await services.run(lambda: due(now + timedelta(minutes=59)))
    long_enough = await services.run(lambda: due(now + timedelta(minutes=61)))

    assert nothing_yet == []
    assert first == [watched.municipality]
    assert too_few == []
    assert enough == [watched.municipality]
    assert too_soon == []
    assert long_enough == [watched.municipality]


async def test_the_running_server_signs_checkpoints_by_itself(watched: Api) -> None:
    body = await watched.new_body()
    await watched.new_dossier()
    await watched.new_advice(body)
    for _ in range(60):
        if _sizes(watched) and _sizes(watched)[-1] >= 2:
            break
        await asyncio.sleep(0.25)

    assert _sizes(watched)
    assert _sizes(watched)[-1] >= 2


@pytest.fixture
def own_store(store_url: "StoreUrl", tmp_path: Path) -> Iterator["StoreUrl"]:
    """A store no other test (or engineer) writes to: the server checks every log in it."""
    from events.store import StoreUrl

    if store_url.server is None:
        yield StoreUrl.parse(f"sqlite:///{tmp_path / 'eigen'}")
        return
    with own_database(store_url) as store:
        yield store


def _serve(store: "StoreUrl") -> subprocess.CompletedProcess[str]:
    """`adviesspoor serve` on a port nobody listens on: it either refuses to start, or runs."""
    env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": store.url}
    try:
        return subprocess.run(
            [sys.executable, "-m", "api", "serve", "--port", "1"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("de server startte (of hing) in plaats van te weigeren")


def test_the_server_refuses_to_start_when_the_last_event_does_not_match_its_leaf(
    own_store: "StoreUrl", today: date
) -> None:
    from events import BodyKind
    from ledger import Ledgers
    from tests.integration.actors import administrator

    ledgers = Ledgers(own_store, today=lambda: today)
    try:
        ledger = ledgers["stad"]
        for name in ("Eerste", "Tweede", "Derde"):
            ledger.register_body(administrator(), name=name, kind=BodyKind.OTHER)
        location = ledger.location
    finally:
        ledgers.close_all()
    if location.backend == "sqlite":
        with sqlite3.connect(location.events_file) as conn:
            conn.execute(
                "UPDATE stored_events SET state = "
                "CAST(replace(CAST(state AS TEXT), 'Derde', 'Vierde') AS BLOB)"
            )
    else:
        import psycopg

        assert location.server is not None
        with psycopg.connect(location.server.conninfo(), autocommit=True) as pg:
            pg.execute(
                f'UPDATE "{location.schema}".adviceledger_events SET state = '  # noqa: S608
                "convert_to(replace(convert_from(state, 'UTF8'), 'Derde', 'Vierde'), 'UTF8')"
            )

    refused = _serve(own_store)

    assert refused.returncode == 1
    assert "De server start niet: de log van gemeente stad klopt niet: positie 3:" in refused.stderr
    assert "Traceback" not in refused.stderr
