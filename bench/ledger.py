"""Ledger write and log read throughput, each figure against a raw baseline of the same run.

.venv/bin/python -m bench.ledger [--events N] [--read-events N] [--repeats N]
    [--store sqlite|postgresql|both] [--postgres-url URL] [--dir DIR] [--quick]
"""

import argparse
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol
from uuid import UUID, uuid4

import orjson
import psycopg
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import sql

from bench.machine import filesystem, machine
from bench.results import record
from events import BodyKind, Outcome, Role
from events.store import StoreUrl
from ledger import Actor, Advice, AdviceLedger, AdvisoryBody, Ledgers
from projections.log import LogReader, RawRow

POINTS = 3  # every advice gets three points: one submission and three responses, four events
EVENTS_PER_ADVICE = 1 + POINTS
PAGE = 5000  # LogReader's default page, used for the library's reads too
BATCH = 100  # advices per save when building the log that the reads measure
REBUILT = 1000  # advices rebuilt by repository.get per repeat: one query each, the slowest read
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
ACTOR = Actor(name="bench", role=Role.SECRETARIAT, request_id="bench")
ADMINISTRATOR = Actor(name="bench-admin", role=Role.ADMINISTRATOR, request_id="bench")
TITLE = "Advies over het concept-beleidsplan sociaal domein 2027-2030"
POINT = (
    "Betrek cliënten vanaf het begin bij de uitvoeringsagenda en leg vast hoe hun inbreng "
    "terugkomt in de besluiten van het college (punt {})."
)
RESPONSE = (
    "Het college neemt dit punt over en werkt het uit in de uitvoeringsagenda van het voorjaar."
)
OUTCOMES = (Outcome.FOLLOWED, Outcome.NOTED)
SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
SQLITE_TABLE = (
    "CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version INTEGER, "
    "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
)
SQLITE_INSERT = "INSERT INTO stored_events VALUES (?, ?, ?, ?)"
SQLITE_SELECT = (
    "SELECT rowid, originator_id, originator_version, topic, state "
    "FROM stored_events ORDER BY rowid"
)


@dataclass
class Figure:
    """One measured figure: a rate and the CPU time per operation of every repeat."""

    label: str
    rates: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)

    def add(self, ops: int, wall: float, cpu: float) -> None:
        self.rates.append(ops / wall)
        self.cpu_us.append(cpu / ops * 1e6)

    @contextmanager
    def timing(self, ops: int) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.add(ops, time.perf_counter() - wall, time.process_time() - cpu)

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_us)


@dataclass
class Laps:
    """Wall and CPU time summed over many short timed stretches (the saves between commands)."""

    wall: float = 0.0
    cpu: float = 0.0

    @contextmanager
    def lap(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu


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


def register_body(ledger: AdviceLedger) -> AdvisoryBody:
    name, kind = "Adviesraad Sociaal Domein", BodyKind.ADVISORY_COUNCIL
    recorded = ledger.register_body(ADMINISTRATOR, name=name, kind=kind)
    return ledger.get_body(recorded.id)


def submitted_on(ledger: AdviceLedger) -> date:
    return ledger.today() - timedelta(days=7)


def run_commands(ledger: AdviceLedger, body: AdvisoryBody, advices: int) -> None:
    """What the HTTP handlers do: every command loads, checks its rules and saves once."""
    day = submitted_on(ledger)
    for i in range(advices):
        points = [POINT.format(n) for n in range(1, POINTS + 1)]
        advice_id = ledger.submit_advice(
            ACTOR,
            body_id=body.id,
            title=f"{TITLE} {i}",
            submitted_on=day,
            solicited=True,
            points=points,
        ).id
        for n in range(1, POINTS + 1):
            ledger.record_response(
                ACTOR,
                advice_id=advice_id,
                point=n,
                outcome=OUTCOMES[n % 2],
                text=RESPONSE,
                given_on=day,
            )


def submit(ledger: AdviceLedger, body: AdvisoryBody, i: int) -> Advice:
    meta, day = ACTOR.meta(ledger.municipality), submitted_on(ledger)
    points = [POINT.format(n) for n in range(1, POINTS + 1)]
    return Advice.submit(
        ACTOR,
        meta,
        body=body,
        title=f"{TITLE} {i}",
        submitted_on=day,
        solicited=True,
        points=points,
        dossier=None,
        request=None,
        reference=None,
        today=ledger.today(),
        id=None,
    )


def respond(ledger: AdviceLedger, advice: Advice, point: int) -> None:
    meta, day = ACTOR.meta(ledger.municipality), submitted_on(ledger)
    advice.respond(
        meta,
        point=point,
        outcome=OUTCOMES[point % 2],
        text=RESPONSE,
        reasons=None,
        consequence=None,
        given_on=day,
        decision=None,
        today=ledger.today(),
    )


def run_saves(ledger: AdviceLedger, body: AdvisoryBody, advices: int, laps: Laps) -> None:
    """The same events, but only the library's `save` (encode, insert, commit) is timed."""
    for i in range(advices):
        advice = submit(ledger, body, i)
        with laps.lap():
            ledger.save(advice)
        for n in range(1, POINTS + 1):
            respond(ledger, advice, n)
            with laps.lap():
                ledger.save(advice)


def build_log(ledger: AdviceLedger, events: int) -> list[UUID]:
    """A log of advices with responses, saved many aggregates per transaction to be quick."""
    body, batch, ids = register_body(ledger), list[Advice](), list[UUID]()
    for i in range(max(1, events // EVENTS_PER_ADVICE)):
        advice = submit(ledger, body, i)
        for n in range(1, POINTS + 1):
            respond(ledger, advice, n)
        batch.append(advice)
        ids.append(advice.id)
        if len(batch) == BATCH:
            ledger.save(*batch)
            batch.clear()
    if batch:
        ledger.save(*batch)
    return ids


def measure_writes(
    ledger: AdviceLedger, durable: RawWriter, relaxed: RawWriter, events: int, repeats: int
) -> tuple[Figure, list[Figure]]:
    body, reader = register_body(ledger), LogReader(ledger.location)
    commands = Figure("ledger command (load + rules + save)")
    saves = Figure("ledger app.save only (library path)")
    baseline, reference = Figure(durable.label), Figure(relaxed.label + " (not durable)")
    for repeat in range(repeats + 1):  # a small first round warms caches and is not counted
        advices = 2 if repeat == 0 else max(1, events // EVENTS_PER_ADVICE)
        n = advices * EVENTS_PER_ADVICE
        before = ledger.last_position()
        with commands.timing(n):
            run_commands(ledger, body, advices)
        rows = reader.raw(before, n)  # the very rows the commands stored, for the baselines
        assert len(rows) == n
        laps = Laps()
        run_saves(ledger, body, advices, laps)
        saves.add(n, laps.wall, laps.cpu)
        with baseline.timing(n):
            durable.commit_each(rows)
        with reference.timing(n):
            relaxed.commit_each(rows)
        if repeat == 0:
            for figure in (commands, saves, baseline, reference):
                figure.rates.clear()
                figure.cpu_us.clear()
    reader.close()
    return baseline, [commands, saves, reference]


def aggregate_cache(ledger: AdviceLedger) -> str:
    cache = ledger.repository.cache
    if cache is None:
        # Since issue 12 the ledger keeps current aggregates itself (ledger/current.py).
        return "library aggregate cache: off (the ledger keeps current aggregates itself)"
    mode = "fast-forwarded from the store" if ledger.repository.fastforward else "trusted"
    return f"aggregate cache: on ({cache.__class__.__name__}, {mode})"


def decode_all(rows: Sequence[RawRow]) -> int:
    """The baseline read: rows fetched in one go by the driver, each state parsed by orjson."""
    return len([(p, i, v, t, orjson.loads(state)) for p, i, v, t, state in rows])


def measure_reads(
    ledger: AdviceLedger, ids: Sequence[UUID], raw_read: Callable[[], int], repeats: int
) -> tuple[Figure, list[Figure]]:
    reader = LogReader(ledger.location)

    def log_reader() -> int:
        return sum(len(page) for page in reader.pages(page_size=PAGE))

    def notifications() -> int:
        count, start = 0, 0
        while notes := ledger.recorder.select_notifications(start, PAGE, inclusive_of_start=False):
            for note in notes:
                ledger.mapper.to_domain_event(note)
            count, start = count + len(notes), notes[-1].id
        return count

    def rebuilt() -> int:
        # A version bypasses the aggregate cache: every advice is replayed from its stored events.
        for advice_id in ids[:REBUILT]:
            ledger.repository.get(advice_id, version=EVENTS_PER_ADVICE)
        return len(ids[:REBUILT]) * EVENTS_PER_ADVICE

    def loaded() -> int:
        # What a command pays: from the cache if the ledger keeps one (plus a fast-forward query).
        for advice_id in ids[:REBUILT]:
            ledger.repository.get(advice_id)
        return len(ids[:REBUILT]) * EVENTS_PER_ADVICE

    total = ledger.last_position()
    baseline = Figure("raw SELECT + orjson.loads")
    stages = [
        (baseline, raw_read),
        (Figure("LogReader.pages (rows + orjson)"), log_reader),
        (Figure("select_notifications + to_domain_event"), notifications),
        (Figure(f"repository.get, {min(len(ids), REBUILT):,} advices rebuilt"), rebuilt),
        (Figure(f"repository.get, {min(len(ids), REBUILT):,} advices as commands load"), loaded),
    ]
    for stage in stages:  # warm-up: connections, page cache, topic and statement caches
        stage[1]()
    for _ in range(repeats):
        for figure, run in stages:
            wall, cpu = time.perf_counter(), time.process_time()
            count = run()
            figure.add(count, time.perf_counter() - wall, time.process_time() - cpu)
    assert log_reader() == notifications() == raw_read() == total
    reader.close()
    return baseline, [figure for figure, _ in stages[1:]]


def report(title: str, baseline: Figure, figures: Sequence[Figure]) -> None:
    width = max(len(figure.label) for figure in figures)
    print(f"  {title}; medians of {len(baseline.rates)} repeats")
    for figure in figures:
        print(
            f"    {figure.label:<{width}} {figure.rate:>9,.0f}/s  CPU {figure.cpu:>6.1f} µs/ev  |  "
            f"{baseline.label} {baseline.rate:>9,.0f}/s  CPU {baseline.cpu:>6.1f} µs/ev  |  "
            f"ratio {figure.rate / baseline.rate:.2f}x  (CPU/ev {figure.cpu / baseline.cpu:.1f}x)"
        )
    print(f"    load average now: {load()}")


def load() -> str:
    """Other work on the machine slows both sides of a ratio, but not always equally."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def mean_state_size(ledger: AdviceLedger) -> float:
    reader = LogReader(ledger.location)
    rows = reader.raw(0, 10_000)
    reader.close()
    return sum(len(row[4]) for row in rows) / max(1, len(rows))


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


if __name__ == "__main__":
    raise SystemExit(main())
