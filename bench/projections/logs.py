"""The generated log cached per size in bench/out/, copied before every run (SQLite) or into a
throwaway municipality (PostgreSQL)."""

import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent

from bench.projections.common import GENERATOR, MUNICIPALITY, POSTGRES_BATCH
from bench.projections.generator import LogGenerator
from events.store import StoreUrl
from ledger import (
    AdviceLedger,
)


def cached_sqlite_log(events: int, out: Path) -> tuple[Path, dict[str, Any]]:
    """The directory of a generated SQLite log of `events` events, generated when missing."""
    directory = out / f"sqlite-{events}"
    marker = directory / "generated.json"
    if marker.exists():
        info: dict[str, Any] = orjson.loads(marker.read_bytes())
        if info.get("generator") == GENERATOR and info.get("events") == events:
            return directory, info
    shutil.rmtree(directory, ignore_errors=True)
    print(f"  generating {events:,} events into {directory} (cached for later runs) …", flush=True)
    ledger = AdviceLedger(StoreUrl.parse(f"sqlite:///{directory}").location(MUNICIPALITY))
    wall = time.perf_counter()
    counts = LogGenerator(ledger, events).run()
    seconds = time.perf_counter() - wall
    assert ledger.last_position() == events
    ledger.close()
    with sqlite3.connect(directory / f"{MUNICIPALITY}.events.sqlite") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    info = {"generator": GENERATOR, "events": events, "seconds": seconds, "counts": counts}
    marker.write_bytes(orjson.dumps(info))
    print(f"  generated in {seconds:.0f} s ({events / seconds:,.0f} events/s)")
    return directory, info


def working_copy(cache: Path, out: Path) -> Path:
    """A private copy of the cached log: the live writes of this run must not reach the cache."""
    directory = out / f"run-{os.getpid()}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    name = f"{MUNICIPALITY}.events.sqlite"
    shutil.copyfile(cache / name, directory / name)
    return directory


def copy_into_postgres(cache: Path, ledger: AdviceLedger) -> None:
    """The cached log's stored events, byte for byte, into a PostgreSQL ledger's own recorder."""
    conn = sqlite3.connect(f"file:{cache / MUNICIPALITY}.events.sqlite?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
    )
    while batch := rows.fetchmany(POSTGRES_BATCH):
        ledger.recorder.insert_events([StoredEvent(UUID(i), v, t, s) for i, v, t, s in batch])
    conn.close()
