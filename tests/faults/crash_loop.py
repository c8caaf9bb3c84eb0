"""`make crash-test`: `adviesspoor serve` killed with SIGKILL at random moments under concurrent
writes, restarted, and after every restart the proof that nothing acknowledged is lost or doubled.

    python -m tests.faults.crash_loop [--runs N] [--store sqlite|postgresql] [--writers N]

`RUNS`, `STORE`, `WRITERS` and `SEED` in the environment do the same (`RUNS=200 make crash-test`).
Every write carries a unique nonce in a text field, so the log says how often it was recorded.
After every restart: each acknowledged (2xx) write is in the log exactly once; a write that got no
answer is in it at most once (a keyed one is retried with the same key and body, and must then be
answered with the first answer; an unkeyed one is never retried); a write answered with an error is
not in it; each keyed write acknowledged earlier is answered again with the same status and body;
positions are 1..n; `PRAGMA integrity_check` is ok on every SQLite file; the views answer as a fresh
rebuild of a copy of the store does. The last line is
`RESULT runs=<n> acknowledged=<n> lost=<n> duplicated=<n>`; exit status 1 when anything was lost
or doubled or any other check failed.
"""

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

from tests.faults.crash_cycle import CrashLoop
from tests.faults.crash_writes import Figures, Write
from tests.faults.harness import Store, postgres_url

# The loop's parts, importable from here as before the split.
__all__ = ["CrashLoop", "Figures", "Write", "main", "run", "summary"]

SHOWN = 5  # failures shown per kind at the end


def summary(loop: CrashLoop, runs: int) -> list[str]:
    """The closing lines: what was refused after a crash, every failure, and the RESULT."""
    figures = loop.figures
    keyed = [w for w in loop.writes if w.key]
    keyed_unanswered = [w for w in keyed if w.lost_first_answer]
    refused = [w for w in keyed if w.refused_after_crash]
    refused_recorded = [w for w in refused if w.needs_retry and w.recorded]
    doubled_keyed = [n for n in figures.duplicated if loop.by_nonce[n].key]
    lines = [
        f"schrijfverzoeken {len(loop.writes)}, waarvan {len(keyed)} met Idempotency-Key; "
        f"antwoorden: {dict(sorted(figures.statuses.items()))}",
        f"met sleutel en zonder antwoord door de kill: {len(keyed_unanswered)}; daarvan na de "
        f"herstart met 409 geweigerd: {len(refused)}, nog zonder uitkomst: "
        f"{sum(1 for w in keyed if w.needs_retry)}, waarvan al in de log: "
        f"{len(refused_recorded)}; dubbel vastgelegd: {len(doubled_keyed)}",
        f"gaten of dubbele posities: {len(figures.gaps)}",
    ]
    if figures.failures:
        lines.append(f"MISLUKT: {figures.failed} controle(s), per soort:")
        for kind, found in figures.failures.items():
            lines.append(f"  {kind}: {len(found)}")
            lines.extend(f"    {failure}" for failure in found[:SHOWN])
            if len(found) > SHOWN:
                lines.append(f"    … en nog {len(found) - SHOWN}")
    lines.append(
        f"RESULT runs={runs} acknowledged={figures.acknowledged} lost={len(figures.lost)} "
        f"duplicated={len(figures.duplicated)}"
    )
    return lines


async def run(store: Store, work: Path, runs: int, writers: int, seed: int) -> CrashLoop:
    """The whole loop; a harness that breaks down is one more failed check, never a pass."""
    loop = CrashLoop(store, work, writers, random.Random(seed))  # noqa: S311 - a repeatable loop, not secrets
    done = 0
    try:
        await loop.set_up()
        for cycle in range(1, runs + 1):
            await loop.cycle(cycle, runs)
            done = cycle
        await loop.finish(runs)
    except Exception as error:
        loop.figures.fail(
            done + 1, "proef afgebroken", f"de proef brak af: {type(error).__name__}: {error}"
        )
    finally:
        loop.close()
    loop.runs_done = done
    return loop


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.faults.crash_loop",
        description="Kill -9 onder schrijvende clients, herstart, en controleer de log.",
    )
    parser.add_argument("--runs", type=int, default=int(os.environ.get("RUNS") or 20))
    parser.add_argument(
        "--store",
        choices=["sqlite", "postgresql"],
        default=os.environ.get("STORE") or "sqlite",
    )
    parser.add_argument("--writers", type=int, default=int(os.environ.get("WRITERS") or 16))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED") or 0) or None)
    parser.add_argument(
        "--keep", action="store_true", default=bool(os.environ.get("KEEP")), help="bewaar alles"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    seed = args.seed or random.SystemRandom().randrange(1, 2**31)
    work = Path(tempfile.mkdtemp(prefix="adviesspoor-crash-"))
    if args.store == "sqlite":
        store = Store.sqlite(work / "data")
    else:
        store = Store.postgresql(postgres_url(), "crash")
    print(
        f"Crashtest: {args.runs} rondes, {args.writers} schrijvers, opslag {store.url}, "
        f"seed {seed}, werkmap {work}",
        flush=True,
    )
    loop = asyncio.run(run(store, work, args.runs, args.writers, seed))
    ok = not loop.figures.failures
    if args.keep or not ok:
        print(f"Logs en gegevens bewaard in {work}", flush=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
    if store.backend == "postgresql" and args.keep:
        print(f"Database bewaard: {store.url}", flush=True)
    else:
        _drop_database(store)
    for line in summary(loop, loop.runs_done):
        print(line, flush=True)
    return 0 if ok else 1


def _drop_database(store: Store) -> None:
    if store.backend == "postgresql":
        store.drop()


if __name__ == "__main__":
    sys.exit(main())
