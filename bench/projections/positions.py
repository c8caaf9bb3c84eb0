"""The read-your-writes check of every GET on SQLite: `ReadModel.current_position()` (one
statement over the views and the attached log) against the two queries it made before (the
views' tracking row, then the log's MAX(rowid)), CPU per call, alternating, in the same run.

    python -m bench.projections.positions [--events 5000] [--calls 20000] [--rounds 5]
"""

import argparse
import os
import shutil
import statistics
import time
from collections.abc import Callable

from bench.projections.common import MUNICIPALITY, OUT
from bench.projections.logs import cached_sqlite_log, working_copy
from bench.results import record
from events.store import StoreUrl
from projections import ReadModel


def cpu_us(work: Callable[[], object], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        work()
    return (time.process_time() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cache, _ = cached_sqlite_log(args.events, OUT)
    directory = working_copy(cache, OUT)
    model = ReadModel(StoreUrl.parse(f"sqlite:///{directory}").location(MUNICIPALITY))
    try:
        model.catch_up()

        def two_queries() -> int | None:
            position = model.store.position()
            return position if position >= model.log.last_position() else None

        assert two_queries() == model.current_position() == args.events
        ways = {
            "two queries (before)": two_queries,
            "one statement (after)": model.current_position,
        }
        spent: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.rounds):
            for name, work in ways.items():
                spent[name].append(cpu_us(work, args.calls))
        medians = {name: statistics.median(s) for name, s in spent.items()}
        for name, us in medians.items():
            rounds = ", ".join(f"{s:.2f}" for s in spent[name])
            print(f"{name:24} {us:6.2f} µs CPU per call  (rounds: {rounds})")
        ratio = medians["two queries (before)"] / medians["one statement (after)"]
        print(f"before / after: {ratio:.2f}x  (load average {os.getloadavg()})")
        record(
            "current_position_before_vs_after",
            ratio,
            "read-your-writes check per GET, two queries / one statement (CPU)",
            "the two queries, same views, same run",
        )
    finally:
        model.close()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
