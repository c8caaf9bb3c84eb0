"""The benchmarks still run: each in its smoke size, printing figures against its baseline.

Speed is not asserted here (that is what bench/ reports); only that every benchmark completes
and prints its ratios, so they cannot rot unnoticed.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("bench.ledger", "ledger command"),
        ("bench.projections", "raw pass"),
        ("bench.http", "hello world"),
        ("bench.integrity", "the leaf in the write path"),
        ("bench.projections.boards", "volglijst"),
        ("bench.writes", "acknowledged writes/s"),
    ],
)
def test_the_benchmark_runs_in_its_smoke_size(module: str, expected: str) -> None:
    args = [sys.executable, "-m", module, "--quick"]
    if module in ("bench.ledger", "bench.integrity", "bench.writes"):
        args += ["--store", "sqlite"]

    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)

    assert done.returncode == 0, done.stderr[-2000:]
    assert expected in done.stdout
    assert re.search(r"\d+\.\d+x", done.stdout), "no ratio against a baseline printed"
