"""The benchmarks still run: `make bench`'s runner at its smoke size runs every benchmark, each
printing figures against its baseline, and ends with the RESULT line.

Speed is not asserted here (that is what bench/ reports); only that every benchmark completes,
prints its ratios and hands its headline figures to the runner, so none can rot unnoticed.
"""

import re
import subprocess
import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]
# What each benchmark prints when it ran to its end.
EXPECTED = {
    "bench.commands": "goal: ≤ 300 µs CPU per command",
    "bench.writes": "acknowledged writes/s",
    "bench.http": "hello world",
    "bench.projections": "raw pass",
    "bench.projections.boards": "volglijst",
    "bench.integrity": "the leaf in the write path",
    "bench.ledger": "ledger command",
    "bench.pages": "page: advice of Stip",
}
RESULT = re.compile(
    r"RESULT writes_vs_raw=(\d+\.\d+) rebuild_vs_raw=(\d+\.\d+) "
    r"reads_vs_hello=(\d+\.\d+) command_cpu_us=(\d+)"
)


def test_make_bench_runs_every_benchmark_at_its_smoke_size() -> None:
    args = [sys.executable, "-m", "bench.all", "--quick"]

    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)

    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-2000:])
    for module, expected in EXPECTED.items():
        assert expected in done.stdout, f"{module} did not print {expected!r}"
    assert len(re.findall(r"\d+\.\d+x", done.stdout)) >= len(EXPECTED), "ratios missing"
    last = done.stdout.rstrip("\n").splitlines()[-1]
    assert RESULT.fullmatch(last), last
    written = re.search(r"written: (bench/out/bench-\S+\.json)", done.stdout)
    assert written is not None
    report = orjson.loads((ROOT / written.group(1)).read_bytes())
    assert report["result"] == last
    assert all(stage["exit"] == 0 for stage in report["stages"].values())
    assert {"writes_vs_raw", "rebuild_vs_raw", "reads_vs_hello", "command_cpu_us"} <= {
        figure["key"] for figure in report["figures"]
    }


def test_the_instruction_count_bench_runs_at_its_smoke_size() -> None:
    """bench.http.instructions (not in `make bench`: valgrind's counts take minutes) at --quick:
    CPU time per request of a hello world and of a cached GET through the real aiohttp stack."""
    args = [sys.executable, "-m", "bench.http.instructions", "--quick"]

    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)

    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-2000:])
    rows = re.findall(
        r"^  (hello world|GET /adviezen/\{id\}) +[\d,.]+ .* (\d+\.\d+)x$", done.stdout, re.M
    )
    assert [label for label, _ in rows] == ["hello world", "GET /adviezen/{id}"], done.stdout
    assert float(rows[0][1]) == 1.0
    assert float(rows[1][1]) > 1.0  # a GET with a token and a read costs more than a hello
