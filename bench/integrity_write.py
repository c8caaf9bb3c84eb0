"""The Merkle leaf in the write path: `python -m bench.integrity --part write` (see integrity.py).

Ledger commands (submit an advice, respond to its three points: one transaction each) on ledgers
of the same store in the same run, one writing every event's leaf and tree nodes in the event's
transaction (as always), one with that switched off (`writes_leaves = False` on its recorder,
which only this bench does), one also without sealing; the rounds alternate between them.
"""

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from uuid import uuid4

import psycopg
from psycopg import sql

from bench.integrity_export import states
from bench.ledger import EVENTS_PER_ADVICE, load, register_body, run_commands
from bench.machine import filesystem
from events.store import StoreUrl
from ledger import Ledgers
from ledger.integrity.leaf import Leaf, format_moment
from ledger.integrity.nodes import MemoryNodes, append_nodes


def row(label: str, figure: str, baseline: str, ratio: float | None) -> None:
    shown = f"{ratio:6.2f}x" if ratio is not None else ""
    print(f"    {label:<44} {figure:>30}  | {baseline:<38} {shown}")


def write_path_share(count: int) -> tuple[float, float]:
    """CPU µs per event of a leaf and its new tree nodes (in a dict), and of hashing the bytes."""
    events = list(states(count, seed=3))
    moment = format_moment(datetime(2026, 3, 14, 9, tzinfo=UTC))
    began = time.process_time()
    for *_, state in events:
        sha256(state).digest()
    alone = time.process_time() - began
    nodes, began = MemoryNodes(), time.process_time()
    for index, (aggregate, version, topic, state) in enumerate(events):
        leaf = Leaf(index + 1, aggregate, version, topic, moment, sha256(state).digest())
        nodes.store(append_nodes(index, [leaf.hash()], nodes.nodes))
    both = time.process_time() - began
    return both / count * 1e6, alone / count * 1e6


@dataclass
class Figures:
    """Rates (events/s) and CPU µs per event, one entry per round."""

    rates: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)

    def shown(self) -> str:
        m = statistics.median
        return f"{m(self.rates):7.0f} ev/s  CPU {m(self.cpu_us):6.0f} µs/ev"


def write_rounds(ledgers: Ledgers, tag: str, events: int, repeats: int) -> dict[str, Figures]:
    """Events/s and CPU µs per event of ledger commands on three ledgers of one store, round by
    round in turn: as always (leaves, sealed personal texts), without leaves, and without leaves
    and without sealing."""
    setups = {
        "as always": ledgers[f"bench-leaves-{tag}"],
        "no leaves": ledgers[f"bench-plain-{tag}"],
        "no leaves, no sealing": ledgers[f"bench-bare-{tag}"],
    }
    # Instance attributes shadow the class attributes that only this bench switches off.
    setups["no leaves"].recorder.writes_leaves = False  # type: ignore[attr-defined]
    setups["no leaves, no sealing"].recorder.writes_leaves = False  # type: ignore[attr-defined]
    setups["no leaves, no sealing"].mapper.seals = False  # type: ignore[attr-defined]
    bodies = {label: register_body(ledger) for label, ledger in setups.items()}
    figures = {label: Figures() for label in setups}
    advices = max(1, events // EVENTS_PER_ADVICE)
    labels = list(setups)
    for repeat in range(repeats + 1):  # round 0 warms caches and connections, uncounted
        for label in labels[repeat % 3 :] + labels[: repeat % 3]:
            count = 2 if repeat == 0 else advices
            wall, cpu = time.perf_counter(), time.process_time()
            run_commands(setups[label], bodies[label], count)
            if repeat:
                n = count * EVENTS_PER_ADVICE
                figures[label].rates.append(n / (time.perf_counter() - wall))
                figures[label].cpu_us.append((time.process_time() - cpu) / n * 1e6)
    leaves = setups["as always"]
    assert leaves.integrity.size() == leaves.last_position()
    return figures


def write_path(args: argparse.Namespace) -> None:
    """The leaf's cost in the write path, per store: commands with and without it."""
    stores: list[tuple[str, StoreUrl, Callable[[], None]]] = []
    if args.store in ("sqlite", "both"):
        directory = Path(tempfile.mkdtemp(prefix="adviesspoor-bench-"))
        stores.append(
            (
                f"SQLite in {directory} ({filesystem(directory)})",
                StoreUrl.parse(f"sqlite:///{directory}"),
                lambda: shutil.rmtree(directory),
            )
        )
    if args.store in ("postgresql", "both"):
        stores.append(("PostgreSQL " + args.postgres_url, StoreUrl.parse(args.postgres_url), _noop))
    for label, store, clean in stores:
        tag = uuid4().hex[:8]
        ledgers = Ledgers(store)
        try:
            figures = write_rounds(ledgers, tag, args.write_events, args.repeats)
        finally:
            ledgers.close_all()
            _drop(store, tag)
            clean()
        m = statistics.median
        print(f"\n  the leaf in the write path, {label}")
        print(
            f"  ({args.write_events:,} events per round, one command per transaction, "
            f"{args.repeats} rounds each, in turn; load average {load()})"
        )
        always, plain, bare = (
            figures["as always"],
            figures["no leaves"],
            figures["no leaves, no sealing"],
        )
        row(
            "ledger commands, with leaf + nodes",
            always.shown(),
            f"without: {m(plain.rates):.0f} ev/s, CPU {m(plain.cpu_us):.0f} µs/ev",
            m(always.rates) / m(plain.rates),
        )
        row(
            "  CPU per event, with / without the leaf",
            f"{m(always.cpu_us) - m(plain.cpu_us):+6.0f} µs/ev",
            "",
            m(plain.cpu_us) / m(always.cpu_us),
        )
        row(
            "ledger commands, sealing personal texts",
            plain.shown(),
            f"without: {m(bare.rates):.0f} ev/s, CPU {m(bare.cpu_us):.0f} µs/ev",
            m(plain.rates) / m(bare.rates),
        )
        for name, figure in figures.items():
            print(f"    rounds {name + ':':<23} {', '.join(f'{r:.0f}' for r in figure.rates)} ev/s")


def _noop() -> None:
    return None


def _drop(store: StoreUrl, tag: str) -> None:
    if store.server is None:
        return
    with psycopg.connect(store.server.conninfo(), autocommit=True) as conn:
        for name in (f"bench-leaves-{tag}", f"bench-plain-{tag}", f"bench-bare-{tag}"):
            schema = store.location(name).schema
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
