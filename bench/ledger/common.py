"""What every part of the ledger bench shares: the workload's words, a figure and its report."""

import os
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from events import Outcome, Role
from ledger import Actor

POINTS = 3  # every advice gets three points: one submission and three responses, four events
EVENTS_PER_ADVICE = 1 + POINTS
PAGE = 5000  # LogReader's default page, used for the library's reads too
BATCH = 100  # advices per save when building the log that the reads measure
REBUILT = 1000  # advices rebuilt by repository.get per repeat: one query each, the slowest read
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
ACTOR = Actor(name="bench", role=Role.SECRETARIAT, request_id="bench")
ADMINISTRATOR = Actor(name="bench-admin", role=Role.ADMINISTRATOR, request_id="bench")
TITLE = "Advies over het concept-beleidsplan sociaal domein 2027-2030"
POINT = (
    "Betrek cliënten vanaf het begin bij de uitvoeringsagenda en leg vast hoe hun inbreng "
    "terugkomt in de besluiten van het college (punt {})."
)
RESPONSE = (
    "Het college neemt dit punt over en werkt het uit in de uitvoeringsagenda van het voorjaar."
)
OUTCOMES = (Outcome.FOLLOWED, Outcome.NOTED)
SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


@dataclass
class Figure:
    """One measured figure: a rate and the CPU time per operation of every repeat."""

    label: str
    rates: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)

    def add(self, ops: int, wall: float, cpu: float) -> None:
        self.rates.append(ops / wall)
        self.cpu_us.append(cpu / ops * 1e6)

    @contextmanager
    def timing(self, ops: int) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.add(ops, time.perf_counter() - wall, time.process_time() - cpu)

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_us)


@dataclass
class Laps:
    """Wall and CPU time summed over many short timed stretches (the saves between commands)."""

    wall: float = 0.0
    cpu: float = 0.0

    @contextmanager
    def lap(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu


def report(title: str, baseline: Figure, figures: Sequence[Figure]) -> None:
    width = max(len(figure.label) for figure in figures)
    print(f"  {title}; medians of {len(baseline.rates)} repeats")
    for figure in figures:
        print(
            f"    {figure.label:<{width}} {figure.rate:>9,.0f}/s  CPU {figure.cpu:>6.1f} µs/ev  |  "
            f"{baseline.label} {baseline.rate:>9,.0f}/s  CPU {baseline.cpu:>6.1f} µs/ev  |  "
            f"ratio {figure.rate / baseline.rate:.2f}x  (CPU/ev {figure.cpu / baseline.cpu:.1f}x)"
        )
    print(f"    load average now: {load()}")


def load() -> str:
    """Other work on the machine slows both sides of a ratio, but not always equally."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"
