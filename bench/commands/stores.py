"""The stores the command bench runs on: SQLite without its fsync (or with it), PostgreSQL with
its throwaway municipalities dropped after."""

import argparse
import contextlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from eventsourcing import sqlite as library_sqlite
from psycopg import sql

from bench.machine import filesystem
from events.store import StoreUrl
from ledger import Ledgers


@contextmanager
def without_fsync() -> Iterator[None]:
    """The library's SQLite connections opened meanwhile run with `synchronous=OFF` (the bench
    reaches into the library here, and only here: it has no setting for it)."""
    pool = library_sqlite.SQLiteConnectionPool
    create = pool._create_connection

    def relaxed(self: library_sqlite.SQLiteConnectionPool) -> library_sqlite.SQLiteConnection:
        connection = create(self)
        connection._sqlite_conn.execute("PRAGMA synchronous=OFF")
        return connection

    pool._create_connection = relaxed  # type: ignore[method-assign]
    try:
        yield
    finally:
        pool._create_connection = create  # type: ignore[method-assign]


@contextmanager
def sqlite_ledgers(directory: str | None, durable: bool) -> Iterator[tuple[Ledgers, str]]:
    with (
        tempfile.TemporaryDirectory(prefix="adviesspoor-bench-", dir=directory) as tmp,
        contextlib.nullcontext() if durable else without_fsync(),
    ):
        ledgers = Ledgers(StoreUrl.parse(f"sqlite:///{tmp}"))
        sync = "FULL (durable)" if durable else "OFF (no fsync)"
        try:
            yield ledgers, f"SQLite in {tmp} ({filesystem(Path(tmp))}), synchronous={sync}"
        finally:
            ledgers.close_all()


@contextmanager
def postgres_ledgers(url: str) -> Iterator[tuple[Ledgers, str]]:
    """Ledgers on the server; every municipality made here (`bench-cmd-*`) is dropped after."""
    store = StoreUrl.parse(url)
    assert store.server is not None
    admin = psycopg.connect(store.server.conninfo(), autocommit=True, connect_timeout=3)
    ledgers = Ledgers(store)
    try:
        yield ledgers, f"PostgreSQL at {url}"
    finally:
        ledgers.close_all()
        names = admin.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'gemeente\\_bench\\_cmd\\_%'"
        ).fetchall()
        for (name,) in names:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
        admin.close()


@contextmanager
def opened(store: str, args: argparse.Namespace) -> Iterator[tuple[Ledgers, str]]:
    if store == "sqlite":
        with sqlite_ledgers(args.dir, args.durable) as found:
            yield found
    else:
        with postgres_ledgers(args.postgres_url) as found:
            yield found
