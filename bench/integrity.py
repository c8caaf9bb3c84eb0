"""The offline verifier's throughput against a plain SHA-256 pass over the same export, same run.

.venv/bin/python -m bench.integrity [--events N] [--repeats N] [--quick] [--out DIR]
    [--part verify|write|all] [--processes N] [--write-events N] [--store sqlite|postgresql|both]

Part `verify`: the export (bench/integrity_export.py: events of ≈ 700 bytes of stored JSON with
Dutch text, as the ledger writes them, and two signed checkpoints) is generated once per size and
format version and cached in bench/out/integrity/ (git-ignored). Each repeat hashes the file with
hashlib.sha256 in 1 MiB reads (the baseline: the least any check of these bytes costs), hashes it
line by line, then runs the verifier over it as `adviesspoor verify` does: export version 2 in one
process and in N worker processes, and version 1 (the format before) in one process. The file is
in the page cache for all after the warm-up. CPU is user + system of this process and its ended
worker processes; "main" is this process alone (with workers: reading results and folding).

Part `write`: the cost of the Merkle leaf in the write path (bench/integrity_write.py).
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

from bench.integrity_export import cached_export, signer
from bench.integrity_write import row, write_path, write_path_share
from bench.ledger import DEFAULT_POSTGRES_URL, load
from bench.machine import filesystem, machine
from bench.results import record
from ledger.integrity.verifier import verify_file

DEFAULT_EVENTS = 1_000_000
QUICK_EVENTS = 20_000
OUT = Path(__file__).resolve().parent / "out" / "integrity"
BLOCK = 1 << 20


def cpu_times() -> tuple[float, float]:
    """User + system time of this process, and with its children that have ended (workers)."""
    times = os.times()
    own = times.user + times.system
    return own, own + times.children_user + times.children_system


@dataclass
class Figure:
    """A measured rate (bytes per second) and CPU time per event, one entry per repeat."""

    label: str
    rates: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)
    main_us: list[float] = field(default_factory=list)

    @contextmanager
    def timing(self, size: int, events: int) -> Iterator[None]:
        wall, (own, cpu) = time.perf_counter(), cpu_times()
        yield
        self.rates.append(size / (time.perf_counter() - wall))
        after_own, after = cpu_times()
        self.cpu_us.append((after - cpu) / events * 1e6)
        self.main_us.append((after_own - own) / events * 1e6)

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    def shown(self) -> str:
        m = statistics.median
        main = f" (main {m(self.main_us):.2f})" if m(self.main_us) < m(self.cpu_us) * 0.9 else ""
        return f"{self.rate / 1e6:7.1f} MB/s  CPU {m(self.cpu_us):5.2f}{main} µs/ev"


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


def verify(path: Path, processes: int) -> Callable[[], int]:
    keys = [signer().verifier()]

    def run() -> int:
        return verify_file(path, keys=keys, processes=processes).size

    return run


def bench(args: argparse.Namespace) -> None:
    directory = Path(args.out)
    paths = {version: cached_export(directory, args.events, version) for version in (2, 1)}
    path, size = paths[2], paths[2].stat().st_size
    print(f"\nexport {path} ({filesystem(directory)})")
    print(
        f"  {args.events:,} events, {size / 2**20:,.0f} MiB, {size / args.events:,.0f} bytes per "
        f"line (version 1: {paths[1].stat().st_size / args.events:,.0f}); load average {load()}"
    )
    baseline = Figure("sha256 over the file, 1 MiB reads")
    per_line = Figure("sha256 of every line")
    workers = args.processes or os.cpu_count() or 1
    setups = [(2, 1), (1, 1)] + ([(2, workers)] if workers > 1 else [])
    verifiers = {
        setup: Figure(f"verify, version {setup[0]}, {setup[1]} process{'es' * (setup[1] > 1)}")
        for setup in setups
    }
    runs = {setup: verify(paths[setup[0]], setup[1]) for setup in setups}
    for each in paths.values():
        sha256_pass(each)  # warm-up: the files into the page cache, uncounted
    runs[(2, 1)]()
    for _ in range(args.repeats):
        with baseline.timing(size, args.events):
            sha256_pass(path)
        with per_line.timing(size, args.events):
            sha256_per_line(path)
        for setup, figure in verifiers.items():
            # a version 1 file is larger: its rate is counted over the version 2 file's bytes
            with figure.timing(size, args.events):
                checked = runs[setup]()
            assert checked == args.events, checked
    print(f"\n  verify throughput, medians of {args.repeats} repeats (v2 export bytes per s)")
    print("  (CPU µs/ev: this process and its worker processes together; main: this one alone)")
    base_cpu = statistics.median(baseline.cpu_us)
    print(f"    baseline: {baseline.label}, {baseline.shown()}")
    for figure in (*verifiers.values(), per_line):
        row(
            figure.label,
            figure.shown(),
            f"CPU ratio {base_cpu / statistics.median(figure.cpu_us):.2f}x; wall ratio",
            figure.rate / baseline.rate,
        )
    for (version, processes), figure in verifiers.items():
        ratio = figure.rate / baseline.rate
        record(f"verify_v{version}_{processes}", ratio, f"verify, v{version} × {processes}",
               f"SHA-256 pass {baseline.rate / 1e6:.0f} MB/s", "≥ 0.5x")  # fmt: skip
        verdict = "met" if ratio >= 0.5 else "NOT met"
        print(f"    goal ≥ 0.5x, version {version} × {processes}: {verdict} ({ratio:.2f}x)")
    print(f"    load average now: {load()}")
    both, alone = write_path_share(min(args.events, 100_000))
    print("\n  the write path's share, without a database (CPU per event)")
    row(
        "Leaf.hash + append_nodes",
        f"{both:5.2f} µs/ev",
        f"sha256 of the stored bytes {alone:.2f} µs/ev",
        both / alone,
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.integrity", description=__doc__)
    parser.add_argument("--events", type=int, default=None, help=f"default {DEFAULT_EVENTS:,}")
    parser.add_argument("--repeats", type=int, default=3, help="repeats; medians are printed")
    parser.add_argument("--out", default=str(OUT), help="where the generated exports are cached")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EVENTS:,} events, 1 repeat")
    parser.add_argument("--part", choices=("verify", "write", "all"), default="all")
    parser.add_argument("--processes", type=int, default=0, help="workers (default: CPUs)")
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
