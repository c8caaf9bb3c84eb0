"""Keeping the views current in a process of their own: LISTEN/NOTIFY on PostgreSQL, polling on
SQLite (the library's SQLite recorder has no subscription)."""

import sqlite3
import threading
from collections.abc import Callable

import psycopg
from eventsourcing.persistence import PersistenceError

from events.store import POSTGRES_EVENTS_TABLE, StoreUrl
from projections.registry import ReadModels, municipalities

Report = Callable[[str, int], None]


def run_worker(
    store: StoreUrl,
    stop: threading.Event,
    report: Report | None = None,
    idle_seconds: float = 5.0,
    sqlite_poll_seconds: float = 0.2,
) -> None:
    """Catch every municipality up, then wait for new events; until `stop` is set."""
    models = ReadModels(store)
    listener = _listen(store) if store.backend == "postgresql" else None
    try:
        while not stop.is_set():
            try:
                for municipality in municipalities(store):
                    model = models[municipality]
                    before = model.position()
                    after = model.catch_up()
                    if report is not None and after != before:
                        report(municipality, after)
            except (psycopg.Error, sqlite3.Error, PersistenceError) as error:
                # A store that is briefly away must not end the worker: try again shortly.
                if report is not None:
                    report(f"fout: {error}", -1)
                stop.wait(1.0)
                continue
            if listener is not None:
                # The ledger NOTIFYs on every insert; wake at once, or after a quiet spell anyway.
                for _ in listener.notifies(timeout=idle_seconds, stop_after=1):
                    pass
            else:
                stop.wait(sqlite_poll_seconds)
    finally:
        if listener is not None:
            listener.close()
        models.close_all()


def _listen(store: StoreUrl) -> psycopg.Connection[tuple[object, ...]]:
    assert store.server is not None
    conn = psycopg.connect(store.server.conninfo(), autocommit=True)
    # The library's channel is named after the events table, the same in every schema.
    conn.execute(f'LISTEN "{POSTGRES_EVENTS_TABLE}"')
    return conn
