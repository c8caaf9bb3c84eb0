"""bench.pages still runs in its smoke size and prints its figures against the JSON baseline
(speed is reported by the benchmark, never asserted here)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_pages_benchmark_runs_in_its_smoke_size() -> None:
    args = [sys.executable, "-m", "bench.pages", "--quick"]

    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)

    assert done.returncode == 0, done.stderr[-2000:]
    assert "page: advice of Stip" in done.stdout
    assert re.search(r"\d+\.\d+x", done.stdout), "no ratio against a baseline printed"
