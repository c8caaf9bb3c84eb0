"""The baselines: plain driver commits of the very rows the ledger stored, same durability."""

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import psycopg
from psycopg import sql

from bench.ledger.common import SYNCHRONOUS
from projections.log import RawRow

SQLITE_TABLE = (
    "CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version INTEGER, "
    "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
)
SQLITE_INSERT = "INSERT INTO stored_events VALUES (?, ?, ?, ?)"
SQLITE_SELECT = (
    "SELECT rowid, originator_id, originator_version, topic, state "
    "FROM stored_events ORDER BY rowid"
)


class RawWriter(Protocol):
    label: str

    def commit_each(self, rows: Sequence[RawRow]) -> None: ...

    def close(self) -> None: ...


class SqliteWriter:
    """Plain sqlite3: one INSERT per BEGIN … COMMIT, into a table shaped like the library's."""

    def __init__(self, path: Path, synchronous: int) -> None:
        self.label = f"raw sqlite3 commit, synchronous={SYNCHRONOUS[synchronous]}"
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={synchronous}")
        self.conn.execute(SQLITE_TABLE)

    def commit_each(self, rows: Sequence[RawRow]) -> None:
        for _, originator_id, version, topic, state in rows:
            self.conn.execute("BEGIN")
            self.conn.execute(SQLITE_INSERT, (originator_id, version, topic, state))
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class PostgresWriter:
    """Plain psycopg: one INSERT per transaction, into a table shaped like the library's."""

    def __init__(self, conninfo: str, schema: str, synchronous_commit: str) -> None:
        self.label = f"raw psycopg commit, synchronous_commit={synchronous_commit}"
        self.conn = psycopg.connect(conninfo, autocommit=True)
        self.conn.execute(sql.SQL("SET synchronous_commit = {}").format(synchronous_commit))
        table = sql.Identifier(schema, f"events_{synchronous_commit}")
        self.conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        self.conn.execute(
            sql.SQL(
                "CREATE TABLE {} (originator_id uuid NOT NULL, originator_version bigint NOT NULL,"
                " topic text, state bytea, notification_id bigserial UNIQUE,"
                " PRIMARY KEY (originator_id, originator_version))"
            ).format(table)
        )
        self.insert = sql.SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s)"
        ).format(table)
        self.conn.autocommit = False

    def commit_each(self, rows: Sequence[RawRow]) -> None:
        for _, originator_id, version, topic, state in rows:
            self.conn.execute(self.insert, (originator_id, version, topic, state))
            self.conn.commit()

    def close(self) -> None:
        self.conn.close()
