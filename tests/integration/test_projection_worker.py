"""The views kept current by a worker of their own (LISTEN/NOTIFY on PostgreSQL, polling on
SQLite), a writer waiting for its own write, and `adviesspoor rebuild` on the command line."""

import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from events.store import StoreUrl
    from ledger import Actor, AdviceLedger

ROOT = Path(__file__).resolve().parents[2]


def test_a_separate_worker_brings_new_events_into_the_views(
    store_url: "StoreUrl", ledger: "AdviceLedger", office: "Actor", advice_id: UUID, today: date
) -> None:
    from events import Outcome
    from projections import ReadModel
    from projections.worker import run_worker

    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(store_url, stop), daemon=True)
    worker.start()
    reader = ReadModel(store_url.location(ledger.municipality))
    try:
        recorded = ledger.record_response(
            office,
            advice_id=advice_id,
            point=1,
            outcome=Outcome.NOTED,
            text="Gezien.",
            given_on=today,
        )
        deadline = time.monotonic() + 20
        while reader.position() < recorded.position and time.monotonic() < deadline:
            time.sleep(0.05)

        view = reader.advice(str(advice_id), today)
        assert reader.position() == recorded.position
        assert view is not None
        assert view["points"][0]["outcome"] == "noted"
    finally:
        stop.set()
        worker.join(timeout=30)
        reader.close()
    assert not worker.is_alive()


def test_a_writer_waits_for_its_own_write_by_log_position(
    store_url: "StoreUrl", ledger: "AdviceLedger", office: "Actor", advice_id: UUID, today: date
) -> None:
    from events import Outcome
    from projections import ReadModel

    model = ReadModel(store_url.location(ledger.municipality))
    try:
        recorded = ledger.record_response(
            office,
            advice_id=advice_id,
            point=2,
            outcome=Outcome.FOLLOWED,
            text="Ja.",
            given_on=today,
        )

        assert model.wait_for(recorded.position) >= recorded.position
        view = model.advice(str(advice_id), today)
        assert view is not None
        assert view["points"][1]["outcome"] == "followed"
    finally:
        model.close()


def test_rebuild_on_the_command_line_reports_progress_and_a_final_count(
    store_url: "StoreUrl", ledger: "AdviceLedger", advice_id: UUID
) -> None:
    last = ledger.last_position()
    env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": store_url.url}

    done = subprocess.run(
        [sys.executable, "-m", "api", "rebuild", "--gemeente", ledger.municipality],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "100%" in done.stderr
    assert f"opnieuw opgebouwd tot positie {last}" in done.stderr
    assert done.stdout.strip() == f"Klaar: {last} gebeurtenissen in 1 gemeente(n)."


def test_rebuild_of_an_unknown_municipality_is_refused_in_dutch(store_url: "StoreUrl") -> None:
    env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": store_url.url}

    done = subprocess.run(
        [sys.executable, "-m", "api", "rebuild", "--gemeente", "nergenshuizen"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 2
    assert "Onbekende gemeente 'nergenshuizen'" in done.stderr
