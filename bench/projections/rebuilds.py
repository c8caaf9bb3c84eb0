"""The rebuild against the raw read + decode pass of the same log in the same run (the headline
`rebuild_vs_raw`), and the rebuild's memory."""

import argparse
import shutil
import statistics
from typing import Any

from bench.projections.common import MUNICIPALITY, OUT, mib, row
from bench.projections.logs import cached_sqlite_log, working_copy
from bench.projections.passes import Pass, median_pass, raw_pass, run_worker
from bench.results import record
from events.store import LogLocation, StoreUrl
from projections.read_model import PAGE_SIZE, REBUILD_PAGE


def rebuilds_and_raw(
    url: str, location: LogLocation, page: int, repeats: int, rebuilds: int
) -> tuple[Pass, Pass, list[dict[str, Any]], int, int]:
    """Raw passes before and after `rebuilds` rebuilds (each in a fresh interpreter) of the same
    log: the median raw pass, the headline rebuild (median of those over full views, or the one
    into empty views when there is only one), every rebuild's figures, and the raw passes taken
    before and after."""
    before = [raw_pass(location, page) for _ in range(repeats + 1)][1:]  # first one warms
    runs = [run_worker(url, location.municipality, page, "time") for _ in range(rebuilds)]
    after = [raw_pass(location, page) for _ in range(repeats)]
    raw = median_pass([*before, *after])
    assert all(r["events"] == raw.events for r in runs), (runs, raw)
    headline = runs[1:] or runs
    rebuild = Pass(
        raw.events,
        statistics.median(r["wall"] for r in headline),
        statistics.median(r["cpu"] for r in headline),
    )
    return raw, rebuild, runs, len(before), len(after)


def rebuild_vs_raw(events: int, quick: bool = False) -> float:
    """Rebuild wall time / raw read + decode pass wall time, same log (SQLite), same run.

    For a `make bench` runner: the log of `events` events is generated once and cached in
    bench/out/; this run works on a copy. `quick`: one raw pass either side and one rebuild
    (into empty views); otherwise three either side and two rebuilds (the one over full views
    counts, as `adviesspoor rebuild` replaces full views).
    """
    out = OUT
    cache, _ = cached_sqlite_log(events, out)
    directory = working_copy(cache, out)
    try:
        url = f"sqlite:///{directory}"
        location = StoreUrl.parse(url).location(MUNICIPALITY)
        repeats, rebuilds = (1, 1) if quick else (3, 2)
        raw, rebuild, *_ = rebuilds_and_raw(url, location, PAGE_SIZE, repeats, rebuilds)
        return rebuild.wall / raw.wall
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def measure_rebuild(url: str, location: LogLocation, args: argparse.Namespace) -> None:
    """Rebuilds against raw passes before and after them, then the memory in a traced run.

    The first rebuild starts from no views (like a first catch-up); later ones replace full views,
    as `adviesspoor rebuild` does, and their median is the headline figure.
    """
    page, municipality = args.page_size, location.municipality
    raw, _, rebuilds, before, after = rebuilds_and_raw(
        url, location, page, args.repeats, args.rebuilds
    )
    print(
        f"\n  rebuild of all views from {raw.events:,} events, read in pages of {page:,}, "
        f"folded and written {REBUILD_PAGE:,} at a time"
    )
    print(f"    raw pass: median of {before} before and {after} after the rebuilds;")
    print("    every rebuild in a fresh interpreter")
    row("raw pass: LogReader.raw + orjson.loads", f"{raw.rate:,.0f} ev/s", "", None)
    row("   wall / CPU", f"{raw.wall:.1f} s / {raw.cpu:.1f} s", "", None)
    size = location.events_file.stat().st_size if location.backend == "sqlite" else 0
    ratios = []
    for label, runs in (("into empty views", rebuilds[:1]), ("over full views", rebuilds[1:])):
        if not runs:
            continue
        rebuild = Pass(
            raw.events,
            statistics.median(r["wall"] for r in runs),
            statistics.median(r["cpu"] for r in runs),
        )
        ratios.append(raw.rate / rebuild.rate)
        shown = f"raw pass {raw.rate:,.0f}/s"
        row(f"ReadModel.rebuild() {label}", f"{rebuild.rate:,.0f} ev/s", shown, ratios[-1])
        row(
            "   wall / CPU",
            f"{rebuild.wall:.1f} s / {rebuild.cpu:.1f} s",
            f"median of {len(runs)}",
            None,
        )
        if size:  # on PostgreSQL the writes happen in the server, not in this process
            written = statistics.median(r["written"] for r in runs)
            row("   bytes written (wchar)", mib(written), f"log file {mib(size)}", None)
    record("rebuild_vs_raw", ratios[-1], f"rebuild time, {raw.events:,} events (lower is better)",
           f"raw read + decode pass {raw.wall:.1f} s", "≤ 1.5x")  # fmt: skip
    verdict = "met" if ratios[-1] <= 1.5 else "NOT met"
    print(f"    goal ≤ 1.5x the raw pass: {verdict} ({ratios[-1]:.2f}x)")

    traced = run_worker(url, municipality, page, "trace")
    peak_rss, start_rss = rebuilds[-1]["rss_peak_kib"] * 1024, rebuilds[-1]["rss_before_kib"] * 1024
    print("\n  memory of the rebuild (ru_maxrss of the last timed one; tracemalloc in another)")
    row("peak RSS of the rebuilding process", mib(peak_rss), f"{mib(start_rss)} before it", None)
    row("   growth during the rebuild", mib(peak_rss - start_rss), "", None)
    row("tracemalloc peak (Python objects only)", mib(traced["tracemalloc_peak"]), "", None)
    record("rebuild_peak_rss_mb", peak_rss / 1e6, "peak RSS of the rebuild, MB", "—", "< 300")
    verdict = "met" if peak_rss < 300e6 else "NOT met"
    print(f"    goal < 300 MB (peak RSS of the whole process): {verdict}")
    if args.profile:
        print(run_worker(url, municipality, page, "profile")["profile"].rstrip())
