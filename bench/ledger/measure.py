"""The figures: ledger writes against raw commits, and reads of the log against a raw SELECT."""

import time
from collections.abc import Callable, Sequence
from uuid import UUID

from bench.ledger.common import EVENTS_PER_ADVICE, PAGE, REBUILT, Figure, Laps
from bench.ledger.raw import RawWriter
from bench.ledger.workload import register_body, run_commands, run_saves
from ledger import AdviceLedger
from projections.log import LogReader


def measure_writes(
    ledger: AdviceLedger, durable: RawWriter, relaxed: RawWriter, events: int, repeats: int
) -> tuple[Figure, list[Figure]]:
    body, reader = register_body(ledger), LogReader(ledger.location)
    commands = Figure("ledger command (load + rules + save)")
    saves = Figure("ledger app.save only (library path)")
    baseline, reference = Figure(durable.label), Figure(relaxed.label + " (not durable)")
    for repeat in range(repeats + 1):  # a small first round warms caches and is not counted
        advices = 2 if repeat == 0 else max(1, events // EVENTS_PER_ADVICE)
        n = advices * EVENTS_PER_ADVICE
        before = ledger.last_position()
        with commands.timing(n):
            run_commands(ledger, body, advices)
        rows = reader.raw(before, n)  # the very rows the commands stored, for the baselines
        assert len(rows) == n
        laps = Laps()
        run_saves(ledger, body, advices, laps)
        saves.add(n, laps.wall, laps.cpu)
        with baseline.timing(n):
            durable.commit_each(rows)
        with reference.timing(n):
            relaxed.commit_each(rows)
        if repeat == 0:
            for figure in (commands, saves, baseline, reference):
                figure.rates.clear()
                figure.cpu_us.clear()
    reader.close()
    return baseline, [commands, saves, reference]


def aggregate_cache(ledger: AdviceLedger) -> str:
    cache = ledger.repository.cache
    if cache is None:
        # Since issue 12 the ledger keeps current aggregates itself (ledger/current.py).
        return "library aggregate cache: off (the ledger keeps current aggregates itself)"
    mode = "fast-forwarded from the store" if ledger.repository.fastforward else "trusted"
    return f"aggregate cache: on ({cache.__class__.__name__}, {mode})"


def measure_reads(
    ledger: AdviceLedger, ids: Sequence[UUID], raw_read: Callable[[], int], repeats: int
) -> tuple[Figure, list[Figure]]:
    reader = LogReader(ledger.location)

    def log_reader() -> int:
        return sum(len(page) for page in reader.pages(page_size=PAGE))

    def notifications() -> int:
        count, start = 0, 0
        while notes := ledger.recorder.select_notifications(start, PAGE, inclusive_of_start=False):
            for note in notes:
                ledger.mapper.to_domain_event(note)
            count, start = count + len(notes), notes[-1].id
        return count

    def rebuilt() -> int:
        # A version bypasses the aggregate cache: every advice is replayed from its stored events.
        for advice_id in ids[:REBUILT]:
            ledger.repository.get(advice_id, version=EVENTS_PER_ADVICE)
        return len(ids[:REBUILT]) * EVENTS_PER_ADVICE

    def loaded() -> int:
        # What a command pays: from the cache if the ledger keeps one (plus a fast-forward query).
        for advice_id in ids[:REBUILT]:
            ledger.repository.get(advice_id)
        return len(ids[:REBUILT]) * EVENTS_PER_ADVICE

    total = ledger.last_position()
    baseline = Figure("raw SELECT + orjson.loads")
    stages = [
        (baseline, raw_read),
        (Figure("LogReader.pages (rows + orjson)"), log_reader),
        (Figure("select_notifications + to_domain_event"), notifications),
        (Figure(f"repository.get, {min(len(ids), REBUILT):,} advices rebuilt"), rebuilt),
        (Figure(f"repository.get, {min(len(ids), REBUILT):,} advices as commands load"), loaded),
    ]
    for stage in stages:  # warm-up: connections, page cache, topic and statement caches
        stage[1]()
    for _ in range(repeats):
        for figure, run in stages:
            wall, cpu = time.perf_counter(), time.process_time()
            count = run()
            figure.add(count, time.perf_counter() - wall, time.process_time() - cpu)
    assert log_reader() == notifications() == raw_read() == total
    reader.close()
    return baseline, [figure for figure, _ in stages[1:]]


def mean_state_size(ledger: AdviceLedger) -> float:
    reader = LogReader(ledger.location)
    rows = reader.raw(0, 10_000)
    reader.close()
    return sum(len(row[4]) for row in rows) / max(1, len(rows))
