"""Ledger write and log read throughput, each figure against a raw baseline of the same run.

.venv/bin/python -m bench.ledger [--events N] [--read-events N] [--repeats N]
    [--store sqlite|postgresql|both] [--postgres-url URL] [--dir DIR] [--quick]
"""

import argparse
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from uuid import uuid4

import orjson
import psycopg
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import sql

from bench.ledger.common import DEFAULT_POSTGRES_URL, POINTS, SYNCHRONOUS, load, report
from bench.ledger.measure import aggregate_cache, mean_state_size, measure_reads, measure_writes
from bench.ledger.raw import SQLITE_SELECT, PostgresWriter, SqliteWriter
from bench.ledger.workload import build_log
from bench.machine import filesystem, machine
from bench.results import record
from events.store import StoreUrl
from ledger import Ledgers


def bench_sqlite(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="adviesspoor-bench-", dir=args.dir) as tmp:
        ledgers = Ledgers(StoreUrl.parse(f"sqlite:///{tmp}"))
        writer = ledgers["bench-write"]
        assert isinstance(writer.recorder, SQLiteApplicationRecorder)
        with writer.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA synchronous")
            level = int(cursor.fetchone()[0])
        print(f"\nSQLite {sqlite3.sqlite_version} in {tmp} ({filesystem(Path(tmp))})")
        print(f"  the ledger's connection: WAL, synchronous={SYNCHRONOUS[level]}")
        print(f"  {aggregate_cache(writer)}")
        durable = SqliteWriter(Path(tmp) / "raw-durable.sqlite", level)
        relaxed = SqliteWriter(Path(tmp) / "raw-relaxed.sqlite", 0)
        baseline, figures = measure_writes(writer, durable, relaxed, args.events, args.repeats)
        durable.close()
        relaxed.close()
        size = mean_state_size(writer)
        report(f"write, one event per transaction (mean state {size:.0f} B)", baseline, figures)
        record("ledger_command_vs_raw", figures[0].rate / baseline.rate,
               f"SQLite {figures[0].label}, events/s, one writer",
               f"{baseline.label} {baseline.rate:,.0f}/s")  # fmt: skip

        reading = ledgers["bench-read"]
        ids = build_log(reading, args.read_events)
        conn = sqlite3.connect(f"file:{reading.location.events_file}?mode=ro", uri=True)

        def raw_read() -> int:
            rows = [
                (p, i, v, t, orjson.loads(s))
                for p, i, v, t, s in conn.execute(SQLITE_SELECT).fetchall()
            ]
            return len(rows)

        baseline, figures = measure_reads(reading, ids, raw_read, args.repeats)
        conn.close()
        report(f"read the whole log ({reading.last_position():,} events)", baseline, figures)
        ledgers.close_all()


def bench_postgres(args: argparse.Namespace) -> None:
    store = StoreUrl.parse(args.postgres_url)
    assert store.server is not None
    conninfo = store.server.conninfo()
    try:
        admin = psycopg.connect(conninfo, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[0]
        print(f"\nPostgreSQL at {args.postgres_url} is unreachable ({reason}): skipped.")
        return
    tag = uuid4().hex[:8]
    ledgers = Ledgers(store)
    schemas = [store.location(f"bench-{kind}-{tag}").schema for kind in ("w", "r")]
    schemas.append(f"bench_raw_{tag}")
    try:
        settings = {
            name: admin.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
            for name in ("server_version", "synchronous_commit", "fsync", "wal_sync_method")
        }
        print(f"\nPostgreSQL at {args.postgres_url}, schemas {', '.join(schemas)} (dropped after)")
        print("  server: " + ", ".join(f"{k}={v[0] if v else '?'}" for k, v in settings.items()))
        durable = PostgresWriter(conninfo, schemas[2], "on")
        relaxed = PostgresWriter(conninfo, schemas[2], "off")
        writer = ledgers[f"bench-w-{tag}"]
        print(f"  {aggregate_cache(writer)}")
        baseline, figures = measure_writes(writer, durable, relaxed, args.events, args.repeats)
        durable.close()
        relaxed.close()
        size = mean_state_size(writer)
        report(f"write, one event per transaction (mean state {size:.0f} B)", baseline, figures)

        reading = ledgers[f"bench-r-{tag}"]
        ids = build_log(reading, args.read_events)
        conn = psycopg.connect(conninfo, autocommit=True)
        select = sql.SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {} ORDER BY notification_id"
        ).format(sql.Identifier(schemas[1], reading.location.events_table))

        def raw_read() -> int:
            rows = [
                (p, i, v, t, orjson.loads(s)) for p, i, v, t, s in conn.execute(select).fetchall()
            ]
            return len(rows)

        baseline, figures = measure_reads(reading, ids, raw_read, args.repeats)
        conn.close()
        report(f"read the whole log ({reading.last_position():,} events)", baseline, figures)
    finally:
        ledgers.close_all()
        for schema in schemas:
            admin.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )
        admin.close()


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger", description=__doc__)
    parser.add_argument("--events", type=int, default=1000, help="events written per repeat")
    parser.add_argument("--read-events", type=int, default=20_000, help="size of the read log")
    parser.add_argument("--repeats", type=int, default=5, help="repeats; medians are printed")
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--dir", default=None, help="where the temporary SQLite files go")
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.read_events, args.repeats = 40, 200, 1
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args, started = parse(argv), time.perf_counter()
    print("Adviesspoor ledger bench: every figure next to a baseline measured in this run")
    print(f"machine: {machine()}")
    print(f"workload: advices of {POINTS} points (submit + {POINTS} responses), ", end="")
    print(f"{args.events:,} events written per repeat, {args.repeats} repeats + 1 warm-up")
    print(f"load average at start: {load()} ({os.cpu_count()} CPUs)")
    # A plain SIGTERM would skip the `finally` that drops the PostgreSQL schemas.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.store in ("sqlite", "both"):
        bench_sqlite(args)
    if args.store in ("postgresql", "both"):
        bench_postgres(args)
    print(f"\nfinished in {time.perf_counter() - started:.0f} s")
    return 0
