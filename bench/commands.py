"""CPU of one ledger command against the length of its advice's history (issue 12, item 1).

.venv/bin/python -m bench.commands [--quick] [--store sqlite|postgresql|both]
    [--commands N] [--postgres-url URL] [--dir DIR]

For advices grown to 5, 50, 500 and 5,000 events (--quick: 5, 50, 500), the process CPU of
`AdviceLedger.record_response` (load + rules + event + save, one transaction) is timed per
command with `time.process_time` (user + system, all threads). The fsync is left out: SQLite's
connections run with `synchronous=OFF` (the kernel's work for an fsync is system time of this
process), unless `--durable`; PostgreSQL's fsync happens in the server's processes. Figures are
medians; each length is shown as a ratio against 5 events, measured in the same run. The goal:
at most 300 µs at every length.
"""

import argparse
import contextlib
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
from eventsourcing import sqlite as library_sqlite
from psycopg import sql

from bench.machine import filesystem, machine
from bench.results import record
from events import BodyKind, Outcome, Role
from events.store import StoreUrl
from ledger import Actor, Advice, AdviceLedger, AdvisoryBody, Ledgers

HEADLINE_HISTORY = 500
GOAL_US = 300.0
LENGTHS = (5, 50, 500, 5000)
QUICK_LENGTHS = (5, 50, 500)
POINTS = 10
GROWTH_BATCH = 500  # events per transaction while an advice is grown (not measured)
COMMANDS = 200  # measured commands per length
QUICK_COMMANDS = 40
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
OFFICE = Actor(name="bench-secretariaat", role=Role.SECRETARIAT, request_id="bench")
ADMINISTRATOR = Actor(name="bench-beheer", role=Role.ADMINISTRATOR, request_id="bench")
TITLE = "Advies over het concept-beleidsplan sociaal domein 2027-2030"
POINT = "Betrek cliënten vanaf het begin bij de uitvoeringsagenda (punt {})."
RESPONSE = "Het college neemt dit punt over en werkt het uit in de uitvoeringsagenda."
OUTCOMES = (Outcome.FOLLOWED, Outcome.NOTED)


@dataclass(frozen=True)
class Row:
    """The figures of one history length."""

    history: int
    advices: int
    commands: int
    warm_us: float
    cold_us: float


def _advices_for(history: int, commands: int) -> int:
    """Commands go round-robin over several advices, so that each advice grows by little while
    it is measured (at 5,000 events: one advice, 200 commands, 4 %)."""
    return max(1, min(40, commands // 5, 4000 // history))


def _day(ledger: AdviceLedger) -> date:
    return ledger.today() - timedelta(days=30)


def grown_advice(ledger: AdviceLedger, body: AdvisoryBody, history: int) -> UUID:
    """An advice with `history` events: submitted, then responses, saved in large batches
    (the growth is not what is measured)."""
    meta, day = OFFICE.meta(ledger.municipality), _day(ledger)
    advice = Advice.submit(
        OFFICE,
        meta,
        body=body,
        title=TITLE,
        submitted_on=day,
        solicited=True,
        points=[POINT.format(n) for n in range(1, POINTS + 1)],
        dossier=None,
        request=None,
        reference=None,
        today=ledger.today(),
        id=None,
    )
    for n in range(1, history):
        advice.respond(
            meta,
            point=n % POINTS + 1,
            outcome=OUTCOMES[n % 2],
            text=RESPONSE,
            reasons=None,
            consequence=None,
            given_on=day,
            decision=None,
            today=ledger.today(),
        )
        if n % GROWTH_BATCH == 0:
            ledger.save(advice)
    ledger.save(advice)
    assert advice.version == history
    return advice.id


def command(ledger: AdviceLedger, advice_id: UUID, n: int) -> None:
    """The measured command: what `POST /adviezen/{id}/reacties` runs."""
    ledger.record_response(
        OFFICE,
        advice_id=advice_id,
        point=n % POINTS + 1,
        outcome=OUTCOMES[n % 2],
        text=RESPONSE,
        given_on=_day(ledger),
    )


def _cpu_us(ledger: AdviceLedger, advice_id: UUID, n: int) -> float:
    started = time.process_time_ns()
    command(ledger, advice_id, n)
    return (time.process_time_ns() - started) / 1000


def measure(
    ledger: AdviceLedger, fresh: Callable[[], AdviceLedger], lengths: Sequence[int], commands: int
) -> list[Row]:
    """Grow advices to each length, in one store; time the first command of each in a ledger
    opened afresh (cold: nothing of them in memory), then `commands` more per length, in rounds
    of one command per length, each round starting at another length (warm): a change of the
    machine's load meets every length alike."""
    body_id = ledger.register_body(
        ADMINISTRATOR, name="Adviesraad Sociaal Domein", kind=BodyKind.ADVISORY_COUNCIL
    ).id
    body = ledger.get_body(body_id)
    ids = {
        history: [
            grown_advice(ledger, body, history) for _ in range(_advices_for(history, commands))
        ]
        for history in lengths
    }
    cold: dict[int, list[float]] = {history: [] for history in lengths}
    warm: dict[int, list[float]] = {history: [] for history in lengths}
    measured = fresh()
    try:
        for history in lengths:
            cold[history] = [_cpu_us(measured, advice_id, 0) for advice_id in ids[history]]
        command(measured, ids[lengths[0]][0], 1)  # warm-up: connections, statements, caches
        for n in range(commands):
            # Each round starts at another length: none is always the first after the others.
            for history in [*lengths[n % len(lengths) :], *lengths[: n % len(lengths)]]:
                advices = ids[history]
                warm[history].append(_cpu_us(measured, advices[n % len(advices)], n))
    finally:
        measured.close()
    return [
        Row(
            history,
            len(ids[history]),
            commands,
            statistics.median(warm[history]),
            statistics.median(cold[history]),
        )
        for history in lengths
    ]


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


def run_lengths(ledgers: Ledgers, lengths: Sequence[int], commands: int) -> list[Row]:
    municipality = f"bench-cmd-{uuid4().hex[:8]}"
    location = ledgers.store.location(municipality)
    return measure(
        ledgers[municipality], lambda: AdviceLedger(location, ledgers.today), lengths, commands
    )


def command_cpu_us(history: int = 500, store: str = "sqlite", quick: bool = False) -> float:
    """Median process CPU µs of one warm `record_response` on an advice of `history` events."""
    args = parse(["--store", store] + (["--quick"] if quick else []))
    with opened(store, args) as (ledgers, _):
        (row,) = run_lengths(ledgers, [history], args.commands)
    return row.warm_us


def report(store: str, rows: Sequence[Row]) -> bool:
    base = rows[0]
    print(
        f"  {'events':>7} {'advices':>7} {'commands':>8} {'CPU µs/command':>15} {'x vs 5':>7}"
        f" {'cold first command µs':>22} {'x vs 5':>7}"
    )
    for row in rows:
        print(
            f"  {row.history:>7,} {row.advices:>7} {row.commands:>8} {row.warm_us:>15,.0f}"
            f" {row.warm_us / base.warm_us:>7.2f} {row.cold_us:>22,.0f}"
            f" {row.cold_us / base.cold_us:>7.2f}"
        )
    worst = max(row.warm_us for row in rows)
    met = worst <= GOAL_US
    print(
        f"  goal: ≤ {GOAL_US:.0f} µs CPU per command at every length: "
        f"{'met' if met else 'NOT met'} (worst {worst:,.0f} µs)"
    )
    print(f"  load average now: {load()}")
    if store == "sqlite":
        # The RESULT line's figure: the median at 500 events of history (the worst length beside).
        at = next((row for row in rows if row.history == HEADLINE_HISTORY), rows[-1])
        record(
            "command_cpu_us",
            at.warm_us,
            f"record_response CPU µs at {at.history:,} events (SQLite, no fsync)",
            f"{base.warm_us:,.0f} µs at {base.history} events; x{at.warm_us / base.warm_us:.2f}",
            f"≤ {GOAL_US:.0f} µs",
        )
        record(
            "command_cpu_us_worst",
            worst,
            "record_response CPU µs, worst length: "
            + " / ".join(f"{row.history:,}" for row in rows),
            f"{base.warm_us:,.0f} µs at {base.history} events",
            f"≤ {GOAL_US:.0f} µs",
        )
    return met


def load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.commands", description=__doc__)
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--commands", type=int, default=None, help="measured per length")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--dir", default=None, help="where the temporary SQLite files go")
    parser.add_argument("--quick", action="store_true", help="5, 50 and 500 events, fewer runs")
    parser.add_argument("--durable", action="store_true", help="SQLite with its fsync")
    args = parser.parse_args(argv)
    args.lengths = QUICK_LENGTHS if args.quick else LENGTHS
    if args.commands is None:
        args.commands = QUICK_COMMANDS if args.quick else COMMANDS
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args, started = parse(argv), time.perf_counter()
    print("Adviesspoor command bench: CPU of one command against the length of its history")
    print(f"machine: {machine()}")
    print(f"load average at start: {load()} ({os.cpu_count()} CPUs)")
    print(
        f"command: record_response (load + rules + event + save), process CPU per command, "
        f"median of {args.commands}; cold: the first command on each advice in a newly opened "
        "ledger"
    )
    # A plain SIGTERM would skip the `finally` that drops the PostgreSQL schemas.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stores = ("sqlite", "postgresql") if args.store == "both" else (args.store,)
    for store in stores:
        try:
            with opened(store, args) as (ledgers, where):
                print(f"\n{where}")
                report(store, run_lengths(ledgers, args.lengths, args.commands))
        except psycopg.OperationalError as error:
            reason = str(error).strip().splitlines()[0]
            print(f"\nPostgreSQL at {args.postgres_url} is unreachable ({reason}): skipped.")
    print(f"\nfinished in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
