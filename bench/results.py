"""The headline figures of a benchmark, handed to `make bench` (bench/all.py).

A benchmark calls `record` for each figure the summary table shows; when it runs under
`python -m bench.all`, the environment names a file and each figure is appended to it as one JSON
line. Run on its own, a benchmark records nothing beyond what it prints.
"""

import os
from pathlib import Path
from typing import Final

import orjson

RESULTS_FILE: Final = "ADVIESSPOOR_BENCH_RESULTS"


def record(key: str, value: float, label: str, baseline: str, goal: str = "") -> None:
    """One figure: `key` names it in the RESULT line, `label` and `baseline` in the table, `goal`
    the issue's target in words ("≤ 1.5x"), empty when there is none."""
    path = os.environ.get(RESULTS_FILE)
    if not path:
        return
    line = {"key": key, "value": value, "label": label, "baseline": baseline, "goal": goal}
    with Path(path).open("ab") as out:
        out.write(orjson.dumps(line) + b"\n")


def read(path: Path) -> list[dict[str, object]]:
    """Every figure recorded into `path`, in order (the last of a key counts)."""
    if not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
