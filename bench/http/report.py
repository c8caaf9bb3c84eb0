"""The table of a run, the goals, the machine it ran on, and a py-spy profile of the GETs."""

import os
import platform
import re
import shutil
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Final

from bench.http.load import Load, Result, measure, wrk
from bench.http.servers import Server
from bench.results import record

READ_GOAL: Final = 0.5  # reads at least half the hello world's rate (one process)...
CPU_GOAL: Final = 3.0  # ...at most three times its server CPU per request...
P99_GOAL_MS: Final = 10.0  # ...and, with several processes, a p99 under 10 ms


@dataclass(frozen=True)
class Plan:
    """One row of the table: what is measured, and the row it is compared with."""

    label: str
    server: Server
    load: Load
    warmup: int
    baseline: str
    role: str = ""  # "hello", "reads", "before", "uncached", "workers", "writes": rows of the goals


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine(generator: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    # A Python client is about as slow as the hello world it drives: that row measures the client.
    tool = "aiohttp client in a process of its own (install wrk for a fair baseline)"
    if generator == "wrk":
        version = subprocess.run(  # noqa: S603 - wrk found on PATH, a fixed argument
            [wrk(), "--version"], capture_output=True, text=True, check=False
        ).stdout
        tool = version.split(" Copyright")[0].strip() or "wrk"
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.platform()}\n"
        f"software: Python {platform.python_version()}, aiohttp {metadata.version('aiohttp')}, "
        f"pydantic {metadata.version('pydantic')}, SQLite {sqlite3.sqlite_version}, "
        f"eventsourcing {metadata.version('eventsourcing')}\nload generator: {tool}"
    )


def report(chosen: Sequence[Plan], results: dict[str, Result]) -> None:
    width = max(len(plan.label) for plan in chosen)
    print(
        f"  {'':<{width}}  {'req/s':>8}  {'p50 ms':>7}  {'p99 ms':>7}  {'errors':>6}  "
        f"{'server CPU µs/req':>17}  {'kernel':>6}  {'client CPU µs/req':>17}  {'ratio':>6}"
    )
    for plan in chosen:
        result, baseline = results[plan.label], results[plan.baseline]
        print(
            f"  {plan.label:<{width}}  {result.rate:>8,.0f}  {result.p50_ms:>7.2f}  "
            f"{result.p99_ms:>7.2f}  {result.errors:>6}  {result.server_cpu_us:>17,.0f}  "
            f"{result.server_kernel:>6.0%}  "
            f"{result.client_cpu_us:>17,.0f}  {result.rate / baseline.rate:>5.2f}x"
        )
    role = {plan.role: results[plan.label] for plan in chosen if plan.role}
    hello = role["hello"]
    for name in ("before", "uncached", "reads", "workers", "writes"):
        if name in role:
            result = role[name]
            print(
                f"  {name} vs hello world: {result.rate / hello.rate:.2f}x req/s, "
                f"{result.server_cpu_us / hello.server_cpu_us:.1f}x server CPU per request, "
                f"p99 {result.p99_ms:.1f} ms"
            )
    reads = role["reads"]
    record("reads_vs_hello", reads.rate / hello.rate, "GET /adviezen/{id} req/s (HTTP)",
           f"hello world {hello.rate:,.0f} req/s", f"≥ {READ_GOAL}x")  # fmt: skip
    if "writes" in role:
        record("http_writes_per_s", role["writes"].rate, "POST /reacties req/s (HTTP, 1 process)",
               "—")  # fmt: skip
    rate_ok = reads.rate / hello.rate >= READ_GOAL
    cpu_ok = reads.server_cpu_us / hello.server_cpu_us <= CPU_GOAL
    print(f"  goal: reads ≥ {READ_GOAL}x hello world's req/s: {'met' if rate_ok else 'NOT met'}")
    print(f"  goal: server CPU per read ≤ {CPU_GOAL:.0f}x: {'met' if cpu_ok else 'NOT met'}")
    if "workers" in role:
        p99_ok = role["workers"].p99_ms < P99_GOAL_MS
        print(
            f"  goal: p99 < {P99_GOAL_MS:.0f} ms with --workers: {'met' if p99_ok else 'NOT met'}"
        )
    if chosen[-1].role == "" and chosen[-1].baseline == chosen[0].label:
        again = results[chosen[-1].label]
        print(f"  hello world drift over the run: {again.rate / hello.rate - 1:+.0%}")


def profile(plan: Plan, seconds: int, out: Path, generator: str, workdir: Path) -> list[str]:
    """Sample the server under this load with py-spy (only the thread holding the GIL: where
    Python time goes); the costliest functions as lines to print, the raw stacks kept in `out`."""
    spy = shutil.which("py-spy")
    if spy is None:
        return ["  profile skipped: py-spy is not on PATH (pip install py-spy)"]
    command = [spy, "record", "--pid", str(plan.server.process.pid), "--gil", "--nonblocking"]
    command += ["--rate", "250", "--duration", str(seconds), "--format", "raw", "-o", str(out)]
    sampler = subprocess.Popen(  # noqa: S603 - py-spy found on PATH, our own arguments
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    time.sleep(0.5)
    measure(plan.label, plan.load, seconds, plan.server, generator, workdir)
    _, err = sampler.communicate(timeout=seconds + 30)
    if sampler.returncode != 0 or not out.exists():
        return [f"  profile failed: {err.decode(errors='replace').strip()[:300]}"]
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            # The entry point (api/__main__, cli, cli_serve) holds every main-thread sample.
            if re.search(r"\((api|projections|ledger|events)/(?!__main__|cli)", frame):
                inclusive[frame] += int(count)
    lines = [f"  profile of {plan.label}: {total} samples of the thread holding the GIL, in {out}"]
    lines.append("    our functions, inclusive:")
    lines += [f"      {count / total:4.0%} {name}" for name, count in inclusive.most_common(15)]
    lines.append("    any function, self:")
    lines += [f"      {count / total:4.0%} {name}" for name, count in own.most_common(10)]
    return lines
