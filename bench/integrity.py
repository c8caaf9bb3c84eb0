"""The offline verifier's throughput against a plain SHA-256 pass over the same export, same run.

.venv/bin/python -m bench.integrity [--events N] [--repeats N] [--quick] [--out DIR]
    [--part verify|write|all] [--write-events N] [--store sqlite|postgresql|both]

Part `write`: the cost of the Merkle leaf in the write path. Ledger commands (submit an advice,
respond to its three points: one transaction each) on two ledgers of the same store in the same
run, one writing every event's leaf and tree nodes in the event's transaction (as always), one
with that switched off (`writes_leaves = False` on its recorder, which only this bench does);
the rounds alternate between the two, and the ratio of their rates is printed.

Part `verify`: the export (events of ≈ 700 bytes of stored JSON with Dutch text, as the ledger
writes them, and two signed checkpoints) is generated once per size and cached in
bench/out/integrity/ (git-ignored).
Each repeat hashes the file with hashlib.sha256 in 1 MiB reads (the baseline: the least any check
of these bytes costs), then runs the verifier over it as `adviesspoor verify` does; the file is in
the page cache for both after the warm-up.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from uuid import UUID, uuid4

import orjson
import psycopg
from psycopg import sql

from bench.ledger import DEFAULT_POSTGRES_URL, EVENTS_PER_ADVICE, register_body, run_commands
from bench.machine import filesystem, machine
from bench.results import record
from events.store import StoreUrl
from ledger import Ledgers
from ledger.integrity.checkpoint import Checkpoint, sign_checkpoint
from ledger.integrity.export import checkpoint_line, event_line, header_line
from ledger.integrity.leaf import Leaf, format_moment
from ledger.integrity.merkle import Frontier
from ledger.integrity.nodes import MemoryNodes, append_nodes
from ledger.integrity.note import SignerKey
from ledger.integrity.verifier import verify_file

GENERATOR = "integrity-export-v1"  # bump when the generated export changes: old caches are rebuilt
DEFAULT_EVENTS = 1_000_000
QUICK_EVENTS = 20_000
OUT = Path(__file__).resolve().parent / "out" / "integrity"
ORIGIN = "adviesspoor.nl/bench"
# A fixed seed so cached exports keep verifying; the key signs nothing but benchmark data.
BENCH_SEED = bytes(range(32))
BLOCK = 1 << 20
TOPICS = (
    "events.advice:AdviceSubmitted",
    "events.advice:ResponseRecorded",
    "events.advice:ResponseRecorded",
    "events.advice:ResponseRecorded",
    "events.decisions:DecisionRecorded",
)
TEXTS = (
    "Betrek cliënten vanaf het begin bij de uitvoeringsagenda en leg vast hoe hun inbreng "
    "terugkomt in de besluiten van het college.",
    "Het college neemt dit punt gedeeltelijk over: de wachttijd wordt gemeten, maar een harde "
    'norm van vier weken is met de huidige bezetting niet haalbaar ("te krap").',
    "Maak de brochure over de eigen bijdrage begrijpelijk op taalniveau B1 en test haar met "
    "inwoners voordat zij wordt verspreid.",
    "Het college neemt dit punt niet over, omdat de landelijke regeling hierin al voorziet.",
)


def signer() -> SignerKey:
    """The bench key, with the key ID its public key gives."""
    verifier = SignerKey(ORIGIN, 0, BENCH_SEED).verifier()
    return SignerKey(ORIGIN, verifier.key_id, BENCH_SEED)


def states(count: int, seed: int = 7) -> Iterator[tuple[UUID, int, str, bytes]]:
    """(aggregate, version, topic, stored bytes) of a log shaped like the ledger's."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not cryptography
    aggregates = [UUID(int=rng.getrandbits(128)) for _ in range(max(1, count // 4))]
    versions = dict.fromkeys(aggregates, 0)
    for _ in range(count):
        aggregate = rng.choice(aggregates)
        versions[aggregate] += 1
        topic = rng.choice(TOPICS)
        payload = {
            "originator_id": str(aggregate),
            "originator_version": versions[aggregate],
            "timestamp": "2026-03-14T09:26:53.589793+00:00",
            "meta": {"municipality": "bench", "actor": "secretariaat", "role": "secretariaat"},
            "point": rng.randint(1, 9),
            "outcome": rng.choice(("overgenomen", "niet_overgenomen", "deels_overgenomen")),
            "text": " ".join(rng.choice(TEXTS) for _ in range(rng.randint(1, 4))),
            "given_on": "2026-03-14",
        }
        yield aggregate, versions[aggregate], topic, orjson.dumps(payload)


def generate(path: Path, count: int) -> None:
    """Write the export: the events to a body file first, the checkpoints need their roots."""
    start = datetime(2026, 3, 14, 9, tzinfo=UTC)
    frontier, roots = Frontier(), {}
    body = path.with_suffix(".body")
    with body.open("wb") as out:
        for position, (aggregate, version, topic, state) in enumerate(states(count), 1):
            moment = format_moment(start + timedelta(milliseconds=position * 37))
            leaf = Leaf(position, aggregate, version, topic, moment, sha256(state).digest())
            leaf_hash = leaf.hash()
            frontier.push(leaf_hash)
            if position in (count // 2, count):
                roots[position] = frontier.root()
            out.write(
                event_line(
                    position=position,
                    aggregate_id=aggregate,
                    aggregate_version=version,
                    topic=topic,
                    recorded_at=moment,
                    state=state,
                    leaf_hash=leaf_hash,
                )
            )
    with path.open("wb") as out:
        out.write(header_line(ORIGIN, "bench"))
        for size, root in sorted(roots.items()):
            out.write(checkpoint_line(sign_checkpoint(Checkpoint(ORIGIN, size, root), signer())))
        with body.open("rb") as events:
            shutil.copyfileobj(events, out, BLOCK)
    body.unlink()


def cached_export(directory: Path, count: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{GENERATOR}-{count}.jsonl"
    if not path.exists():
        print(f"  generating {count:,} events into {path} (cached for later runs) …", flush=True)
        began = time.perf_counter()
        generate(path.with_suffix(".tmp"), count)
        path.with_suffix(".tmp").rename(path)
        print(f"  generated in {time.perf_counter() - began:.0f} s")
    return path


def cpu_time() -> float:
    """User + system time of this process and of its children that have ended (the workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass
class Figure:
    """A measured rate (bytes per second) and CPU time per event, one entry per repeat."""

    label: str
    rates: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)

    @contextmanager
    def timing(self, size: int, events: int) -> Iterator[None]:
        wall, cpu = time.perf_counter(), cpu_time()
        yield
        self.rates.append(size / (time.perf_counter() - wall))
        self.cpu_us.append((cpu_time() - cpu) / events * 1e6)

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_us)

    def shown(self) -> str:
        return f"{self.rate / 1e6:7.1f} MB/s  CPU {self.cpu:5.2f} µs/ev"


def sha256_pass(path: Path) -> bytes:
    digest = sha256()
    with path.open("rb") as file:
        while block := file.read(BLOCK):
            digest.update(block)
    return digest.digest()


def sha256_per_line(path: Path) -> int:
    lines = 0
    with path.open("rb", buffering=BLOCK) as file:
        for line in file:
            sha256(line).digest()
            lines += 1
    return lines


def verify(path: Path, parser: str, processes: int) -> Callable[[], int]:
    keys = [signer().verifier()]

    def run() -> int:
        return verify_file(path, keys=keys, parser=parser, processes=processes).size

    return run


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


def row(label: str, figure: str, baseline: str, ratio: float | None) -> None:
    shown = f"{ratio:6.2f}x" if ratio is not None else ""
    print(f"    {label:<44} {figure:>30}  | {baseline:<38} {shown}")


def load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def bench(args: argparse.Namespace) -> None:
    directory = Path(args.out)
    path = cached_export(directory, args.events)
    size = path.stat().st_size
    print(f"\nexport {path} ({filesystem(directory)})")
    print(
        f"  {args.events:,} events, {size / 2**20:,.0f} MiB, {size / args.events:,.0f} bytes per "
        f"line; load average {load()}"
    )
    baseline = Figure("sha256 over the file, 1 MiB reads")
    per_line = Figure("sha256 of every line")
    workers = os.cpu_count() or 1
    setups = [("orjson", 1), ("stdlib", 1)] + ([("orjson", workers)] if workers > 1 else [])
    verifiers = {
        setup: Figure(f"verify_file, {setup[0]}, {setup[1]} process{'es' * (setup[1] > 1)}")
        for setup in setups
    }
    runs = {setup: verify(path, *setup) for setup in setups}
    sha256_pass(path)  # warm-up: the file into the page cache, uncounted
    runs[("orjson", 1)]()
    for _ in range(args.repeats):
        with baseline.timing(size, args.events):
            sha256_pass(path)
        with per_line.timing(size, args.events):
            sha256_per_line(path)
        for setup, figure in verifiers.items():
            with figure.timing(size, args.events):
                checked = runs[setup]()
            assert checked == args.events, checked
    print(
        f"\n  verify throughput, medians of {args.repeats} repeats (bytes of the export per second)"
    )
    print("  (CPU µs/ev: this process and its worker processes together)")
    for figure in (*verifiers.values(), per_line):
        row(
            figure.label,
            figure.shown(),
            f"{baseline.label} {baseline.rate / 1e6:.0f} MB/s",
            figure.rate / baseline.rate,
        )
    for setup, figure in verifiers.items():
        ratio = figure.rate / baseline.rate
        record(f"verify_{setup[0]}_{setup[1]}", ratio, f"verify, {setup[0]} × {setup[1]}",
               f"SHA-256 pass {baseline.rate / 1e6:.0f} MB/s", "≥ 0.5x")  # fmt: skip
        verdict = "met" if ratio >= 0.5 else "NOT met"
        print(
            f"    goal ≥ 0.5x the SHA-256 pass, {setup[0]} × {setup[1]}: {verdict} ({ratio:.2f}x)"
        )
    print(f"    load average now: {load()}")
    both, alone = write_path_share(min(args.events, 100_000))
    print("\n  the write path's share, without a database (CPU per event)")
    row(
        "Leaf.hash + append_nodes",
        f"{both:5.2f} µs/ev",
        f"sha256 of the stored bytes {alone:.2f} µs/ev",
        both / alone,
    )


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


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.integrity", description=__doc__)
    parser.add_argument("--events", type=int, default=None, help=f"default {DEFAULT_EVENTS:,}")
    parser.add_argument("--repeats", type=int, default=3, help="repeats; medians are printed")
    parser.add_argument("--out", default=str(OUT), help="where the generated exports are cached")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EVENTS:,} events, 1 repeat")
    parser.add_argument("--part", choices=("verify", "write", "all"), default="all")
    parser.add_argument(
        "--write-events", type=int, default=1000, help="events per round of the write part"
    )
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.repeats = args.events or QUICK_EVENTS, 1
        args.write_events = min(args.write_events, 40)
    args.events = args.events or DEFAULT_EVENTS
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    print("Adviesspoor integrity bench: every figure next to a baseline measured in this run")
    print(f"machine: {machine()}")
    print(f"command: {' '.join(['python -m bench.integrity', *(argv or sys.argv[1:])])}")
    if args.part in ("verify", "all"):
        bench(args)
    if args.part in ("write", "all"):
        write_path(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
