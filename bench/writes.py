"""Acknowledged writes over HTTP at 50 connections against the raw single-row durable commit rate
of the same store, measured in the same run (issue 12, item 2: group commit).

.venv/bin/python -m bench.writes [--quick] [--store sqlite|postgresql|both] [--seconds S]
    [--connections N] [--advices N] [--postgres-url URL] [--dir DIR]

The baseline is one `INSERT` of an event-sized row per transaction, one connection, at the
ledger's own durability: SQLite WAL with the `PRAGMA synchronous` read from a ledger connection
(FULL), PostgreSQL `synchronous_commit = on`. The writes are `POST /adviezen/{id}/reacties`
against `adviesspoor serve` (one process), closed loop; only 2xx answers count, and every
answer is given after its transaction committed. Goal: writes/s ≥ 1.0 × the raw commit rate.
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Final

from bench.http import history as scenario
from bench.http.load import Load, measure
from bench.http.report import load_average
from bench.http.servers import HOST, start_server
from bench.ledger import (
    ACTOR,
    OUTCOMES,
    RESPONSE,
    SYNCHRONOUS,
    PostgresWriter,
    SqliteWriter,
    register_body,
    submitted_on,
)
from bench.machine import filesystem, machine
from bench.results import record

GOAL: Final = 1.0
DEFAULT_POSTGRES_URL: Final = "postgresql://postgres@127.0.0.1:5432/test"
# An event-sized row (a ResponseRecorded state is about this long).
STATE: Final = b'{"timestamp":"2026-11-29T04:00:00.000000+00:00",' + b'"x":"' + b"a" * 560 + b'"}'
TOPIC: Final = "events.advice:ResponseRecorded"


def raw_rate(writer: SqliteWriter | PostgresWriter, rows: int, repeats: int) -> float:
    """Median single-row commits per second, one connection, after one uncounted repeat."""
    rates = []
    for repeat in range(repeats + 1):
        batch = [(0, str(secrets.token_hex(16)), n, TOPIC, STATE) for n in range(rows)]
        started = time.perf_counter()
        writer.commit_each(batch)
        if repeat:
            rates.append(rows / (time.perf_counter() - started))
    return statistics.median(rates)


def _sqlite_synchronous(directory: Path) -> int:
    """`PRAGMA synchronous` as a ledger's own connection has it."""
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    from events.store import StoreUrl
    from ledger import Ledgers

    ledgers = Ledgers(StoreUrl.parse(f"sqlite:///{directory}"))
    try:
        recorder = ledgers["bench-pragma"].recorder
        assert isinstance(recorder, SQLiteApplicationRecorder)
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA synchronous")
            return int(cursor.fetchone()[0])
    finally:
        ledgers.close_all()


def writes_vs_raw(
    store: str = "sqlite",
    quick: bool = False,
    *,
    seconds: int | None = None,
    connections: int = 50,
    advices: int | None = None,
    postgres_url: str = DEFAULT_POSTGRES_URL,
    directory: str | None = None,
) -> float:
    """Acknowledged HTTP writes/s at `connections` over raw single-row durable commits/s."""
    seconds = seconds or (2 if quick else 10)
    advices = advices or (connections if quick else 2 * connections)
    rows, repeats = (300, 2) if quick else (2000, 5)
    with ExitStack() as stack:
        workdir = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(prefix="adviesspoor-bench-writes-", dir=directory)
            )
        )
        municipality = "bench-writes-" + secrets.token_hex(3)
        tokens: dict[str, str] = {}
        if store == "sqlite":
            url = f"sqlite:///{workdir / 'data'}"
            level = _sqlite_synchronous(workdir / "pragma")
            print(f"\nSQLite in {workdir} ({filesystem(workdir)}), WAL, synchronous "
                  f"{SYNCHRONOUS[level]} (read from a ledger connection)")  # fmt: skip
            writer: SqliteWriter | PostgresWriter = SqliteWriter(workdir / "raw.sqlite", level)
        else:
            url = postgres_url
            print(f"\n{scenario.postgres_settings(url)}, throwaway municipality {municipality}")
            stack.enter_context(scenario.postgres_cleanup(url, municipality, tokens))
            schema = "bench_raw_" + secrets.token_hex(3)
            stack.callback(_drop_schema, url, schema)
            writer = PostgresWriter(url, schema, "on")
        stack.callback(writer.close)
        print(f"  load average at start: {load_average()}", flush=True)
        raw = raw_rate(writer, rows, repeats)
        print(f"  {writer.label:<44} {raw:>8,.0f} commits/s (median of {repeats} × {rows})")
        for threads in (1, 4):
            threaded_commands(store, threads, seconds / 2, postgres_url, directory)
        env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": url}
        args = ["-m", "api", "serve", "--host", HOST, "--workers", "1"]
        server = start_server(
            stack,
            "adviesspoor serve",
            args,
            f"{scenario.BASE}/openapi.json",
            env,
            workdir / "serve.log",
        )
        tokens.update(scenario.make_tokens(env, municipality, ["beheerder"]))
        server.wait_ready()
        history = asyncio.run(scenario.make_history(server.base_url, tokens["beheerder"], advices))
        today = scenario.amsterdam_today()
        items = tuple(
            (
                "POST",
                f"{scenario.BASE}/adviezen/{a}/reacties",
                json.dumps(scenario.response_body(point, today)),
            )
            for point in range(1, scenario.POINTS + 1)
            for a in history.advices
        )
        load = Load(server.base_url, items, tokens["beheerder"], connections, 2)
        generator = "wrk" if shutil.which("wrk") else "aiohttp"
        measure("warm-up", load, 1 if quick else 3, server, generator, workdir)
        result = measure("writes", load, seconds, server, generator, workdir)
        acknowledged = (result.requests - result.errors) / result.seconds
        ratio = acknowledged / raw
        label = f"POST /adviezen/{{id}}/reacties, {connections} connections"
        print(
            f"  {label:<44} {acknowledged:>8,.0f} acknowledged writes/s ({result.errors} refused"
            f" or failed; p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms; server CPU "
            f"{result.server_cpu_us:,.0f} µs/write; {generator} load generator)"
        )
        if store == "sqlite":
            record("writes_vs_raw", ratio, f"acknowledged POST writes/s, {connections} connections",
                   f"{writer.label} {raw:,.0f} commits/s", f"≥ {GOAL:.1f}x")  # fmt: skip
        met = "met" if ratio >= GOAL else "NOT met"
        print(f"  ratio {ratio:.2f}x the raw commit rate: goal ≥ {GOAL:.1f}x {met}")
        print(f"  load average at the end: {load_average()}", flush=True)
        return ratio


def threaded_commands(
    store: str, threads: int, seconds: float, postgres_url: str, directory: str | None
) -> None:
    """`record_response` from `threads` threads on one ledger, in this process (no HTTP): the
    commit path alone, and how many commands each transaction held."""
    from events.store import StoreUrl
    from ledger import Ledgers

    with ExitStack() as stack:
        workdir = stack.enter_context(
            tempfile.TemporaryDirectory(prefix="adviesspoor-bench-threads-", dir=directory)
        )
        municipality = "bench-threads-" + secrets.token_hex(3)
        url = f"sqlite:///{workdir}" if store == "sqlite" else postgres_url
        if store != "sqlite":
            stack.enter_context(scenario.postgres_cleanup(url, municipality, {}))
        ledgers = Ledgers(StoreUrl.parse(url))
        stack.callback(ledgers.close_all)
        ledger = ledgers[municipality]
        body, day = register_body(ledger), submitted_on(ledger)
        advices = [
            ledger.submit_advice(
                ACTOR, body_id=body.id, title=f"Advies {n}", submitted_on=day, solicited=True,
                points=["Punt een.", "Punt twee.", "Punt drie."],
            ).id
            for n in range(threads * 4)
        ]  # fmt: skip
        committer = getattr(ledger.recorder, "committer", None)
        transactions = committer.transactions if committer else 0
        deadline = time.perf_counter() + seconds
        counts = [0] * threads

        def work(thread: int) -> None:
            mine = advices[thread::threads]
            while time.perf_counter() < deadline:
                n = counts[thread]
                ledger.record_response(
                    ACTOR, advice_id=mine[n % len(mine)], point=1 + n % 3,
                    outcome=OUTCOMES[n % 2], text=RESPONSE, given_on=day,
                )  # fmt: skip
                counts[thread] += 1

        started = time.perf_counter()
        cpu = time.process_time()
        pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        done = sum(counts)
        held = ""
        if committer is not None:
            used = committer.transactions - transactions
            held = f", {done / max(1, used):.2f} commands per transaction"
        label = f"ledger record_response, {threads} threads, in-process"
        print(
            f"  {label:<44} {done / wall:>8,.0f} commands/s ({cpu / done * 1e6:,.0f} µs CPU "
            f"per command{held})"
        )


def _drop_schema(url: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.writes", description=__doc__)
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, help="measured seconds (default 10, quick 2)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--advices", type=int, help="advices written to (default 2 × connections)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--dir", default=None, help="where the temporary SQLite files go")
    parser.add_argument("--quick", action="store_true", help="a smoke run of some seconds")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    print("Adviesspoor writes bench: acknowledged HTTP writes against raw durable commits")
    print(f"machine: {machine()}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stores = ("sqlite", "postgresql") if args.store == "both" else (args.store,)
    for store in stores:
        writes_vs_raw(
            store,
            args.quick,
            seconds=args.seconds,
            connections=args.connections,
            advices=args.advices,
            postgres_url=args.postgres_url,
            directory=args.dir,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
