"""Every benchmark in one run (`make bench`): one table of the headline figures, each against a
baseline measured in the same run, written with the machine's details to bench/out/, and, as the
last line, `RESULT writes_vs_raw=<x> rebuild_vs_raw=<x> reads_vs_hello=<x> command_cpu_us=<n>`.

.venv/bin/python -m bench.all [--quick] [--only NAME ...]

The full size fits in about 15 minutes on a 2-CPU machine; `--quick` runs every benchmark at its
smoke size (what CI runs, to show the runner works). Each benchmark runs as a process of its own,
its output shown as it comes and kept in bench/out/bench-<moment>.log.
"""

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import orjson

from bench.machine import filesystem, machine
from bench.results import RESULTS_FILE, read

ROOT: Final = Path(__file__).resolve().parents[1]
OUT: Final = ROOT / "bench" / "out"
# The RESULT line's keys, in its order, and how each value is written.
HEADLINE: Final = (
    ("writes_vs_raw", "{:.2f}"),
    ("rebuild_vs_raw", "{:.2f}"),
    ("reads_vs_hello", "{:.2f}"),
    ("command_cpu_us", "{:.0f}"),
)


@dataclass(frozen=True)
class Stage:
    """One benchmark: its module, and its arguments at full and at smoke size."""

    name: str
    module: str
    full: tuple[str, ...]
    quick: tuple[str, ...] = ("--quick",)


SQLITE_QUICK: Final = ("--quick", "--store", "sqlite")
STAGES: Final = (
    Stage("commands", "bench.commands", ("--store", "sqlite"), SQLITE_QUICK),
    Stage("writes", "bench.writes", ("--store", "sqlite"), SQLITE_QUICK),
    Stage("http", "bench.http", ("--seconds", "5", "--warmup", "2")),
    Stage("projections", "bench.projections", ("--events", "200000", "--rebuilds", "2")),
    Stage("boards", "bench.projections.boards", ()),
    Stage("integrity", "bench.integrity", ("--events", "200000", "--repeats", "2"), SQLITE_QUICK),
    Stage("ledger", "bench.ledger", ("--store", "sqlite", "--repeats", "3"), SQLITE_QUICK),
    Stage("pages", "bench.pages", ("--requests", "1000")),
)


def run_stage(stage: Stage, quick: bool, log: Path, results: Path) -> tuple[int, float]:
    """Run one benchmark, its output to the terminal and the log; its exit code and seconds."""
    args = [sys.executable, "-m", stage.module, *(stage.quick if quick else stage.full)]
    env = {**os.environ, RESULTS_FILE: str(results), "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    banner = f"\n=== {stage.name}: {' '.join(args[1:])}\n"
    with log.open("a", encoding="utf-8") as out:
        print(banner, end="", flush=True)
        out.write(banner)
        with subprocess.Popen(  # noqa: S603 - this interpreter, our own modules
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as child:
            assert child.stdout is not None
            for line in child.stdout:
                print(line, end="", flush=True)
                out.write(line)
        code = child.wait()
    return code, time.perf_counter() - started


def table(figures: Sequence[dict[str, object]]) -> list[str]:
    """The summary: every recorded figure with its baseline and goal."""
    rows = [(str(f["label"]), f"{float(str(f['value'])):,.2f}", str(f["baseline"]), str(f["goal"]))
            for f in figures]  # fmt: skip
    heads = ("figure", "value", "baseline (same run)", "goal")
    widths = [max(len(r[i]) for r in [heads, *rows]) for i in range(4)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return lines


def result_line(figures: Sequence[dict[str, object]]) -> str:
    latest = {str(f["key"]): float(str(f["value"])) for f in figures}
    parts = []
    for key, shape in HEADLINE:
        parts.append(f"{key}={shape.format(latest[key]) if key in latest else 'n/a'}")
    return "RESULT " + " ".join(parts)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.all", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="every benchmark at its smoke size")
    names = [stage.name for stage in STAGES]
    parser.add_argument("--only", nargs="+", choices=names, help="run only these benchmarks")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    moment = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log, results = OUT / f"bench-{moment}.log", OUT / f"bench-{moment}.figures"
    about = machine()
    print(f"machine: {about}\nbench/out: {filesystem(OUT)}; log: {log.relative_to(ROOT)}")
    stages = [s for s in STAGES if args.only is None or s.name in args.only]
    ran: dict[str, dict[str, float]] = {}
    for stage in stages:
        code, seconds = run_stage(stage, args.quick, log, results)
        ran[stage.name] = {"exit": code, "seconds": round(seconds, 1)}
    figures = read(results)
    summary = table(figures) if figures else ["(no figures recorded)"]
    failed = [name for name, outcome in ran.items() if outcome["exit"] != 0]
    line = result_line(figures)
    report = {
        "moment": moment,
        "quick": args.quick,
        "machine": about,
        "load_average": os.getloadavg(),
        "stages": ran,
        "figures": figures,
        "result": line,
    }
    (OUT / f"bench-{moment}.json").write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    results.unlink(missing_ok=True)
    print(f"\n=== summary ({'smoke size' if args.quick else 'full size'})")
    for text in summary:
        print(text)
    print("stages: " + ", ".join(f"{n} {o['seconds']:.0f} s" for n, o in ran.items()))
    if failed:
        print(f"failed: {', '.join(failed)} (see {log.relative_to(ROOT)})")
    print(f"written: bench/out/bench-{moment}.json")
    print(line)
    return 1 if failed or "n/a" in line else 0


if __name__ == "__main__":
    sys.exit(main())
