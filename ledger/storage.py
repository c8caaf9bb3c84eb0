"""Turning a log location into the library's persistence settings, and preparing the store."""

import contextlib

import psycopg
from psycopg import sql

from events.store import LogLocation, library_settings


def application_env(location: LogLocation) -> dict[str, str]:
    """The `eventsourcing` environment for one municipality's ledger."""
    if location.backend == "sqlite":
        location.events_file.parent.mkdir(parents=True, exist_ok=True)
        return library_settings(location, location.events_file)
    return library_settings(location)


def prepare_store(location: LogLocation) -> None:
    """PostgreSQL keeps each municipality in a schema of its own; make sure it exists."""
    if location.backend != "postgresql":
        return
    assert location.server is not None
    # Another process may create it at the same moment.
    with (
        psycopg.connect(location.server.conninfo(), autocommit=True) as conn,
        contextlib.suppress(psycopg.errors.UniqueViolation),
    ):
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(location.schema))
        )
