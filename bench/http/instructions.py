"""Instructions per request through the real aiohttp stack, without sockets or a load generator.

The server's app (this tree's, and an older checkout's with `--before`) and an aiohttp hello world
each run in a process of their own, driven by raw request bytes fed to aiohttp's connection
handler, one keep-alive request after another (`driver.py`). Counted by valgrind's callgrind when
it is installed: the count of instructions is the same run after run, whatever else the machine
does, so a change of a few per cent shows where a wall clock on a shared VM moves ±15 % (each
process is counted at two request counts and the difference taken, so start-up drops out).
Without valgrind, or with `--quick`, CPU time per request instead (noisy; shown as such).

.venv/bin/python -m bench.http.instructions [--before DIR] [--requests N] [--quick]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final

from bench.pages import demo_with_auditor

ROOT: Final = Path(__file__).resolve().parents[2]
DRIVER: Final = Path(__file__).with_name("driver.py")
_COLLECTED: Final = re.compile(r"Collected : (\d+)")


def demo_store(directory: Path) -> tuple[str, str]:
    """The demo's data in `directory`: (an auditor's token, the path of its largest advice)."""
    _, token = demo_with_auditor(directory)
    listing = _drive(ROOT, directory, "api", "/api/v1/adviezen?paginaGrootte=100", token, "list", 0)
    return token, f"/api/v1/adviezen/{listing}"


def _env(tree: Path, data: Path) -> dict[str, str]:
    """A driver's environment: the tree's code first on the path, the store, one process."""
    return {
        **os.environ,
        "PYTHONPATH": str(tree),
        "ADVIESSPOOR_DATABASE_URL": f"sqlite:///{data}",
        "ADVIESSPOOR_WORKERS": "1",
    }


# S603 in this module: every command is our own (this interpreter, the driver, valgrind).
def _drive(
    tree: Path, data: Path, app: str, path: str, token: str, mode: str, requests: int
) -> str:
    """One driver process: what it prints (the CPU per request, or for `list` an advice id)."""
    args = [sys.executable, str(DRIVER), app, path, token, mode, str(requests)]
    done = subprocess.run(  # noqa: S603
        args, env=_env(tree, data), cwd=tree, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"driver {app} {path}: {done.stderr[-1500:]}")
    return done.stdout.strip().splitlines()[-1]


def _instructions(tree: Path, data: Path, app: str, path: str, token: str, requests: int) -> int:
    """Instructions per request: callgrind at `requests` and at a fifth of it, the difference."""

    def counted(count: int) -> int:
        args = [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(DRIVER),
            *(app, path, token, "count", str(count)),
        ]
        done = subprocess.run(  # noqa: S603
            args, env=_env(tree, data), cwd=tree, capture_output=True, text=True, check=False
        )
        found = _COLLECTED.search(done.stderr)
        if done.returncode != 0 or found is None:
            raise RuntimeError(f"callgrind {app} {path}: {done.stderr[-1500:]}")
        return int(found.group(1))

    small = requests // 5
    with ThreadPoolExecutor(2) as pool:  # two processes at a time: one per CPU here
        low, high = pool.map(counted, (small, requests))
    return (high - low) // (requests - small)


def bench(args: argparse.Namespace) -> None:
    counting = shutil.which("valgrind") is not None and not args.quick
    unit = "instructions" if counting else "µs CPU (noisy)"
    print(
        "Instructions per request through the aiohttp stack, no sockets (bench.http.instructions)"
    )
    if not counting:
        why = "--quick" if args.quick else "valgrind is not installed"
        print(f"  counting CPU time instead of instructions ({why})")
    with tempfile.TemporaryDirectory(prefix="adviesspoor-bench-instr-") as scratch:
        data = Path(scratch) / "data"
        token, advice = demo_store(data)
        rows = [("hello world", ROOT, data, "hello", "")]
        if args.before:
            before_data = Path(scratch) / "before"
            shutil.copytree(data, before_data)
            rows.append(
                ("GET /adviezen/{id}, before", Path(args.before), before_data, "api", token)
            )
        rows.append(("GET /adviezen/{id}", ROOT, data, "api", token))
        values = []
        for label, tree, store, app, key in rows:
            if counting:
                value = float(_instructions(tree, store, app, advice, key, args.requests))
            else:
                value = float(_drive(tree, store, app, advice, key, "cpu", args.requests))
            values.append(value)
            print(f"  {label:32s} {value:>12,.1f} {unit} per request   {value / values[0]:5.2f}x")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="an older checkout to count beside this tree")
    parser.add_argument("--requests", type=int, default=1200, help="requests per count")
    parser.add_argument("--quick", action="store_true", help="CPU time of 300 requests")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests = 300
    return args


def main(argv: Sequence[str] | None = None) -> int:
    bench(parse(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
