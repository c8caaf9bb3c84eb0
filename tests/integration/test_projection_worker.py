"""The views kept current by a worker of their own (LISTEN/NOTIFY on PostgreSQL, polling on
SQLite), a writer waiting for its own write, and `adviesspoor rebuild` on the command line."""

import os
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from events.store import StoreUrl
    from ledger import Actor, AdviceLedger
    from projections import ReadModel

from tests.integration.cli_support import cli_process
from tests.integration.ledger_support import answer


def _rebuild(store_url: "StoreUrl", municipality: str) -> "subprocess.CompletedProcess[str]":
    """`adviesspoor rebuild --gemeente <municipality>` in a process of its own, on the store."""
    env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": store_url.url}
    return cli_process(env, "rebuild", "--gemeente", municipality)


def test_a_separate_worker_brings_new_events_into_the_views(
    store_url: "StoreUrl",
    ledger: "AdviceLedger",
    office: "Actor",
    advice_id: UUID,
    today: date,
    open_models: Callable[[], "ReadModel"],
) -> None:
    from events import Outcome
    from projections.worker import run_worker

    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(store_url, stop), daemon=True)
    worker.start()
    reader = open_models()
    try:
        recorded = answer(ledger, office, advice_id, today, outcome=Outcome.NOTED, text="Gezien.")
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
    assert not worker.is_alive()


def test_a_writer_waits_for_its_own_write_by_log_position(
    ledger: "AdviceLedger",
    office: "Actor",
    advice_id: UUID,
    today: date,
    model: "ReadModel",
) -> None:
    recorded = answer(ledger, office, advice_id, today, point=2)

    assert model.wait_for(recorded.position) >= recorded.position
    view = model.advice(str(advice_id), today)
    assert view is not None
    assert view["points"][1]["outcome"] == "followed"


def test_rebuild_on_the_command_line_reports_progress_and_a_final_count(
    store_url: "StoreUrl", ledger: "AdviceLedger", advice_id: UUID
) -> None:
    last = ledger.last_position()

    done = _rebuild(store_url, ledger.municipality)

    assert done.returncode == 0, done.stderr
    assert "100%" in done.stderr
    assert f"opnieuw opgebouwd tot positie {last}" in done.stderr
    assert done.stdout.strip() == f"Klaar: {last} gebeurtenissen in 1 gemeente(n)."


def test_rebuild_of_an_unknown_municipality_is_refused_in_dutch(store_url: "StoreUrl") -> None:
    done = _rebuild(store_url, "nergenshuizen")

    assert done.returncode == 2
    assert "Onbekende gemeente 'nergenshuizen'" in done.stderr
