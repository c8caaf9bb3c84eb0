"""The library's tracking recorders with the view tables beside the tracking table (created by
the same DDL, so a page of view changes and its tracking position commit in one transaction),
and how a views store is opened: its environment, and the DDL lock on PostgreSQL.
"""

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import TrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import Environment
from psycopg.sql import SQL

from events.store import LogLocation, library_settings
from projections.tables import ViewTables

VIEWS_NAME = "views"


class SQLiteViewRecorder(SQLiteTrackingRecorder):
    """The library's SQLite tracking table, plus the view tables in the same file."""

    view_tables: ViewTables

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.view_tables.create_statements()]


class PostgresViewRecorder(PostgresTrackingRecorder):
    """The library's PostgreSQL tracking table, plus the view tables in the same schema."""

    view_tables: ViewTables

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.extend(
            SQL(s).format() for s in self.view_tables.create_statements()
        )


def recorder_class(location: LogLocation, tables: ViewTables) -> type[TrackingRecorder]:
    base: type[Any] = SQLiteViewRecorder if location.backend == "sqlite" else PostgresViewRecorder
    return type(base.__name__, (base,), {"view_tables": tables})


def environment(location: LogLocation) -> Environment:
    if location.backend == "sqlite":
        location.views_file.parent.mkdir(parents=True, exist_ok=True)
        return Environment(VIEWS_NAME, library_settings(location, location.views_file))
    return Environment(VIEWS_NAME, library_settings(location, schema=location.views_schema))


@contextmanager
def schema_prepared(location: LogLocation) -> Iterator[None]:
    """Hold the municipality's projector lock while its view tables are created or checked.

    Several servers opening the views of one municipality at once ran their DDL (create, add
    column, create index) side by side and deadlocked on the tables' locks. The session lock
    here is the same key as the projector's transaction lock (`transaction`), so DDL and
    projection take turns. A municipality without a ledger yet still gets its schema, so reads
    can answer.
    """
    if location.backend != "postgresql":
        yield
        return
    assert location.server is not None
    with psycopg.connect(location.server.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (location.views_schema,))
        try:
            # Another process may create it at the same moment.
            with contextlib.suppress(psycopg.errors.UniqueViolation):
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{location.views_schema}"')
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (location.views_schema,))
