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
import os
import signal
import sys
import time
from collections.abc import Sequence
from uuid import uuid4

import psycopg

from bench.commands.grow import (
    COMMANDS,
    DEFAULT_POSTGRES_URL,
    GOAL_US,
    HEADLINE_HISTORY,
    LENGTHS,
    QUICK_COMMANDS,
    QUICK_LENGTHS,
    Row,
    measure,
)
from bench.commands.stores import opened
from bench.machine import machine
from bench.results import record
from ledger import AdviceLedger, Ledgers


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
