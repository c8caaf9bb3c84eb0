"""Read-side figures (rebuild, memory, time travel, catch-up lag) against baselines of the same run;
the rebuild's own in rebuilds.py.

.venv/bin/python -m bench.projections [--events N] [--store sqlite|postgresql] [--quick]
    [--repeats N] [--rebuilds N] [--profile] [--page-size N] [--reference-events N]
    [--lag-seconds S] [--lag-rate R] [--postgres-url URL] [--out DIR]

The log is generated once per size through the ledger's own aggregates and mapper and cached in
bench/out/ (git-ignored); every run works on a copy, so the cache never sees the live writes."""

import argparse
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
from psycopg import sql

from bench.machine import filesystem, machine
from bench.projections.common import (
    DEFAULT_EVENTS,
    DEFAULT_POSTGRES_URL,
    MUNICIPALITY,
    OUT,
    row,
)
from bench.projections.logs import cached_sqlite_log, copy_into_postgres, working_copy
from bench.projections.passes import (
    per_event_reference,
    worker,
)
from bench.projections.rebuilds import measure_rebuild
from bench.projections.travel import (
    catch_up_lag,
    catch_up_one,
    percentile,
    time_travel,
)
from bench.results import record
from events.store import LogLocation, StoreUrl
from ledger import (
    AdviceLedger,
)
from projections import LogReader, ReadModel
from projections.read_model import PAGE_SIZE


def measure_reference(location: LogLocation, args: argparse.Namespace) -> None:
    """The per-event path for scale: one transaction per event on the first events (SQLite)."""
    assert location.directory is not None
    sample = min(args.reference_events, LogReader(location).last_position())
    per_event, raw = per_event_reference(location, sample, location.directory / "reference")
    print(f"\n  reference: one transaction per event (page_size=1), first {sample:,} events")
    row(
        "ReadModel(page_size=1).catch_up",
        f"{per_event.rate:,.0f} ev/s",
        f"raw pass {raw.rate:,.0f}/s",
        raw.rate / per_event.rate,
    )


def measure_time_travel(location: LogLocation, args: argparse.Namespace) -> None:
    model = ReadModel(location, page_size=args.page_size)
    travel = time_travel(model)
    model.close()
    print(f"\n  one advice, median of {travel.samples} random advices and moments")
    row("advice(id, as_of) now", f"{travel.current_ms:.2f} ms", "", None)
    row(
        "position_at(moment) + advice(upto=)",
        f"{travel.travel_ms:.2f} ms",
        f"now {travel.current_ms:.2f} ms",
        travel.travel_ms / travel.current_ms,
    )
    row("   of which position_at(moment)", f"{travel.position_at_ms:.2f} ms", "", None)


def measure_lag(location: LogLocation, args: argparse.Namespace) -> None:
    lag = catch_up_lag(location, args.lag_seconds, args.lag_rate)
    print(
        f"\n  catch-up lag: {lag.writes} responses recorded at {lag.rate:.0f}/s, "
        f"ensure_current() after each write signal ({lag.catch_ups} calls)"
    )
    save_median = statistics.median(lag.save_ms)
    for label, values in (
        ("ledger save (encode, insert, commit)", lag.save_ms),
        ("ledger record_response (load, rules, save)", lag.command_ms),
        ("commit → view reflects it", lag.lag_ms),
    ):
        median, p99 = statistics.median(values), percentile(values, 0.99)
        baseline = f"save median {save_median:.2f} ms"
        row(label, f"{median:.2f} / {p99:.2f} ms", baseline, median / save_median)
    record("catch_up_lag_ms", statistics.median(lag.lag_ms), "commit → view reflects it, median ms",
           f"ledger save {save_median:.2f} ms")  # fmt: skip
    print("    (median / p99 in ms; the ratio is of the medians, against the ledger's save)")


def measure_catch_up_one(location: LogLocation, args: argparse.Namespace) -> None:
    spent, cpu = catch_up_one(location, args.catch_up_samples)
    median, p99 = statistics.median(spent), percentile(spent, 0.99)
    print(
        f"\n  catch-up of one new event: ensure_current() right after each of {len(spent)} writes"
    )
    row(
        "ensure_current() for one event, wall", f"{median:.3f} / {p99:.3f} ms", "median / p99", None
    )
    cpu_median, cpu_p99 = statistics.median(cpu), percentile(cpu, 0.99)
    row("   CPU of this process", f"{cpu_median:.3f} / {cpu_p99:.3f} ms", "median / p99", None)
    record("catch_up_ms", median, "catch-up of one new event, median ms", "—", "< 1 ms")
    verdict = "met" if median < 1.0 else "NOT met"
    print(f"    goal < 1 ms median: {verdict} ({median:.3f} ms wall, {cpu_median:.3f} ms CPU)")


def measure(url: str, location: LogLocation, args: argparse.Namespace) -> None:
    """Every read-side figure on one store that already holds the log."""
    measure_rebuild(url, location, args)
    if location.backend == "sqlite" and args.reference_events:
        measure_reference(location, args)
    measure_time_travel(location, args)
    measure_catch_up_one(location, args)
    measure_lag(location, args)


def bench_sqlite(args: argparse.Namespace) -> None:
    out = Path(args.out)
    cache, info = cached_sqlite_log(args.events, out)
    directory = working_copy(cache, out)
    try:
        url = f"sqlite:///{directory}"
        location = StoreUrl.parse(url).location(MUNICIPALITY)
        size = location.events_file.stat().st_size
        print(f"\nSQLite {sqlite3.sqlite_version} in {directory} ({filesystem(directory)})")
        print(f"  log: {args.events:,} events, {size / 2**20:,.0f} MiB; mix {describe(info)}")
        measure(url, location, args)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def bench_postgres(args: argparse.Namespace) -> None:
    store = StoreUrl.parse(args.postgres_url)
    assert store.server is not None
    try:
        admin = psycopg.connect(store.server.conninfo(), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"\nPostgreSQL at {args.postgres_url} is unreachable ({error}): skipped.")
        return
    cache, info = cached_sqlite_log(args.events, Path(args.out))
    municipality = f"bench-{uuid4().hex[:8]}"
    location = store.location(municipality)
    try:
        version = admin.execute("SHOW server_version").fetchone()
        print(
            f"\nPostgreSQL {version[0] if version else '?'} at {args.postgres_url}, "
            f"schema {location.schema} (dropped after)"
        )
        ledger = AdviceLedger(location)
        wall = time.perf_counter()
        copy_into_postgres(cache, ledger)
        ledger.close()
        print(
            f"  log: {args.events:,} events copied in {time.perf_counter() - wall:.0f} s; "
            f"mix {describe(info)}"
        )
        measure(args.postgres_url, location, args)
    finally:
        admin.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(location.schema))
        )
        admin.close()


def describe(info: dict[str, Any]) -> str:
    counts: dict[str, int] = info["counts"]
    return ", ".join(
        f"{name} {count:,}" for name, count in sorted(counts.items(), key=lambda kv: -kv[1])
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.projections", description=__doc__)
    parser.add_argument("--events", type=int, default=None, help="log size (default per store)")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--repeats", type=int, default=3, help="raw passes before and after")
    parser.add_argument("--rebuilds", type=int, default=2, help="timed rebuilds (≥ 1)")
    parser.add_argument("--profile", action="store_true", help="also cProfile one rebuild")
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE)
    parser.add_argument("--reference-events", type=int, default=5000)
    parser.add_argument("--lag-seconds", type=float, default=5.0)
    parser.add_argument("--lag-rate", type=float, default=100.0, help="writes per second")
    parser.add_argument("--catch-up-samples", type=int, default=200, help="one-event catch-ups")
    parser.add_argument("--out", default=str(OUT), help="cache and scratch directory")
    parser.add_argument("--quick", action="store_true", help="a small smoke run, < 20 s")
    parser.add_argument(
        "--worker", nargs=2, metavar=("URL", "MUNICIPALITY"), help=argparse.SUPPRESS
    )
    parser.add_argument("--worker-mode", default="time", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.events = args.events or 5_000
        args.repeats, args.rebuilds, args.reference_events, args.lag_seconds = 1, 1, 200, 1.0
        args.catch_up_samples = 50
    args.events = args.events or DEFAULT_EVENTS[args.store]
    if args.rebuilds < 1:
        parser.error("--rebuilds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.worker:
        worker(args.worker[0], args.worker[1], args.page_size, args.worker_mode)
        return 0
    print("Adviesspoor projections bench: every figure next to a baseline measured in this run")
    print(f"machine: {machine()}")
    print(f"command: {' '.join(['python -m bench.projections', *(argv or sys.argv[1:])])}")
    if args.store == "sqlite":
        bench_sqlite(args)
    else:
        bench_postgres(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
