"""Turning a log location into the library's persistence settings, and preparing the store."""

import contextlib

import psycopg
from psycopg import sql

from events.store import LogLocation


def application_env(location: LogLocation) -> dict[str, str]:
    """The `eventsourcing` environment for one municipality's ledger."""
    if location.backend == "sqlite":
        location.events_file.parent.mkdir(parents=True, exist_ok=True)
        # The library switches on WAL and leaves `synchronous` at SQLite's FULL: durable commits.
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(location.events_file),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    server = location.server
    assert server is not None
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": server.dbname,
        "POSTGRES_HOST": server.host,
        "POSTGRES_PORT": str(server.port),
        "POSTGRES_USER": server.user,
        "POSTGRES_PASSWORD": server.password,
        "POSTGRES_SCHEMA": location.schema,
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "4",
        "POSTGRES_LOCK_TIMEOUT": "10",
    }


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
