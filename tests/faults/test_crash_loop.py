"""The kill -9 loop of `make crash-test` (tests/faults/crash_loop.py) in the normal suite: a few
cycles on SQLite and on PostgreSQL (with `adviesspoor project` beside the server).

`ADVIESSPOOR_CRASH_RUNS` sets the cycles (default 5); `make crash-test` runs 20, `RUNS=200` more.
"""

import os
import re
import subprocess
import sys

import pytest

from tests.faults.harness import ROOT

RUNS = int(os.environ.get("ADVIESSPOOR_CRASH_RUNS") or 5)
RESULT = re.compile(r"^RESULT runs=(\d+) acknowledged=(\d+) lost=(\d+) duplicated=(\d+)$")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> str:
    """The store the loop runs on; PostgreSQL skipped or failed as everywhere in the suite."""
    if request.param == "postgresql":
        request.getfixturevalue("postgres_base_url")
    kind: str = request.param
    return kind


def test_a_server_killed_at_random_moments_loses_and_doubles_nothing_it_acknowledged(
    store: str,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.crash_loop", "--runs", str(RUNS), "--store", store],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    lines = done.stdout.splitlines()
    shown = "\n".join(lines[-40:]) + "\n" + done.stderr[-2000:]
    found = RESULT.match(lines[-1]) if lines else None
    assert found is not None, f"geen RESULT-regel:\n{shown}"
    runs, acknowledged, lost, duplicated = (int(group) for group in found.groups())

    assert (runs, lost, duplicated) == (RUNS, 0, 0), shown
    assert acknowledged > 0, shown
    assert done.returncode == 0, shown
