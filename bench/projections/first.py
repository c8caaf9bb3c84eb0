"""The first catch-up after a VIEWS_VERSION change: views of the version before dropped when a
store opens, then one catch-up from position 0. Page by page (as before `BULK_FROM`) against in
bulk, apart (as a rebuild), in the same run on the same log (SQLite).

    python -m bench.projections.first [--events 200000] [--repeats 1]
"""

import argparse
import os
import shutil

from bench.projections.common import MUNICIPALITY, OUT
from bench.projections.logs import cached_sqlite_log, working_copy
from bench.projections.passes import clocks
from bench.results import record
from events.store import StoreUrl
from projections.read_model import BULK_FROM, ReadModel

NEVER = 1 << 62  # a `bulk_from` no log reaches: page by page, as before


def first_catch_up(url: str, bulk_from: int) -> tuple[int, float, float]:
    """Views at the version before (set back by hand), then one catch-up from their drop: the
    events, wall and CPU seconds."""
    location = StoreUrl.parse(url).location(MUNICIPALITY)
    model = ReadModel(location)
    if model.position() == 0:
        model.rebuild()
    with model.store.transaction(commit=True) as cursor:
        cursor.execute(
            model.store.tables.sql("UPDATE {meta} SET value = '4' WHERE name = ?"), ["version"]
        )
    model.close()
    model = ReadModel(location, bulk_from=bulk_from)  # drops them
    assert model.position() == 0
    with clocks() as spent:
        events = model.catch_up()
    model.close()
    return events, spent[0], spent[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    cache, _ = cached_sqlite_log(args.events, OUT)
    directory = working_copy(cache, OUT)
    try:
        url = f"sqlite:///{directory}"
        ratios = []
        for _ in range(args.repeats):
            runs = {
                name: first_catch_up(url, b) for name, b in (("paged", NEVER), ("bulk", BULK_FROM))
            }
            for name, (events, wall, cpu) in runs.items():
                print(f"{name:5} {events:,} events: wall {wall:.1f} s, CPU {cpu:.1f} s")
            ratios.append(runs["paged"][2] / runs["bulk"][2])
            print(f"paged / bulk CPU: {ratios[-1]:.2f}x  (load average {os.getloadavg()})")
        record(
            "first_catch_up_paged_vs_bulk_cpu",
            min(ratios),
            "first catch-up after a version change, page by page / in bulk (CPU)",
            "the same catch-up page by page, same log, same run",
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
