"""The baselines: a raw pass over the log (rows + orjson), a rebuild in a process of its own, and
the per-event reference."""

import cProfile
import io
import json
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from events.store import LogLocation, StoreUrl
from projections import LogReader, ReadModel
from projections.read_model import PAGE_SIZE

# Measuring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pass:
    """One pass over the log: events, wall and CPU seconds."""

    events: int
    wall: float
    cpu: float

    @property
    def rate(self) -> float:
        return self.events / self.wall


@contextmanager
def clocks() -> Iterator[list[float]]:
    """Yields a list that holds [wall, cpu] seconds of the block once it is done."""
    result: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()
    yield result
    result.extend([time.perf_counter() - wall, time.process_time() - cpu])


def raw_pass(location: LogLocation, page_size: int, upto: int | None = None) -> Pass:
    """The floor under any rebuild: the same pages of raw rows, and orjson.loads of each state."""
    reader, after, count = LogReader(location), 0, 0
    with clocks() as spent:
        while rows := reader.raw(after, page_size, upto):
            for row in rows:
                orjson.loads(row[4])
            count += len(rows)
            after = rows[-1][0]
    reader.close()
    return Pass(count, *spent)


def median_pass(passes: Sequence[Pass]) -> Pass:
    wall = statistics.median(p.wall for p in passes)
    return Pass(passes[0].events, wall, statistics.median(p.cpu for p in passes))


def run_worker(url: str, municipality: str, page_size: int, mode: str) -> dict[str, Any]:
    """A rebuild in a fresh interpreter, so its memory figures are its own."""
    command = [sys.executable, "-m", "bench.projections", "--worker", url, municipality]
    command += ["--page-size", str(page_size), "--worker-mode", mode]
    root = Path(__file__).resolve().parents[2]
    # Our own interpreter and module, with arguments from this process: nothing untrusted.
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def written_bytes() -> int:
    """Bytes this process handed to write(2) so far (Linux), the rebuild's write volume."""
    try:
        lines = Path("/proc/self/io").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("wchar:")), 0)


def worker(url: str, municipality: str, page_size: int, mode: str) -> None:
    """Rebuild every view of one municipality; print events, times and memory as JSON."""
    model = ReadModel(StoreUrl.parse(url).location(municipality), page_size=page_size)
    model.position()  # connections open and tables exist before the baseline is taken
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    written = written_bytes()
    profiler = cProfile.Profile() if mode == "profile" else None
    if mode == "trace":
        tracemalloc.start()
    with clocks() as spent:
        events = profiler.runcall(model.rebuild) if profiler is not None else model.rebuild()
    result: dict[str, Any] = {
        "events": events,
        "wall": spent[0],
        "cpu": spent[1],
        "written": written_bytes() - written,
        "rss_before_kib": rss_before,
        "rss_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "tracemalloc_peak": tracemalloc.get_traced_memory()[1] if mode == "trace" else None,
    }
    model.close()
    if profiler is not None:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(20)
        result["profile"] = text.getvalue()
    print(json.dumps(result))


@dataclass(frozen=True)
class ScratchLocation(LogLocation):
    """The same log, with views in another directory: for a reference projection beside the real."""

    scratch: Path = Path()

    @property
    def views_file(self) -> Path:
        return self.scratch / f"{self.municipality}.views.sqlite"


def scratch_location(location: LogLocation, scratch: Path) -> LogLocation:
    return ScratchLocation(
        location.municipality, "sqlite", location.directory, None, scratch=scratch
    )


def per_event_reference(location: LogLocation, events: int, scratch: Path) -> tuple[Pass, Pass]:
    """One transaction per event, as the library's projection runner does, on the first events."""
    scratch.mkdir(parents=True, exist_ok=True)
    model = ReadModel(scratch_location(location, scratch), page_size=1)
    with clocks() as spent:
        processed = model.catch_up(upto=events)
    model.close()
    shutil.rmtree(scratch)
    raw = median_pass([raw_pass(location, PAGE_SIZE, events) for _ in range(3)])
    return Pass(processed, *spent), raw
