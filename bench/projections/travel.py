"""Time travel for one advice against the current-state query, and the lag from a ledger commit
to the view reflecting it."""

import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Recording

from bench.projections.common import OFFICE, RESPONSE, TIME_TRAVEL_SAMPLES
from bench.projections.generator import seeded
from events import Outcome
from events.store import LEDGER_NAME, LogLocation
from ledger import (
    AdviceLedger,
    amsterdam_today,
)
from projections import ReadModel, fold


@dataclass(frozen=True)
class TimeTravel:
    current_ms: float
    travel_ms: float
    position_at_ms: float
    samples: int


def time_travel(model: ReadModel, seed: int = 7) -> TimeTravel:
    """Median query time of one advice as recorded at a moment vs as it is now."""
    rng = seeded(seed)
    ids = [row[0] for row in model.store.query("SELECT id FROM {docs} WHERE kind = 'advice'")]
    today = amsterdam_today()
    current, travel, lookups = [], [], []
    for advice_id in rng.sample(ids, min(TIME_TRAVEL_SAMPLES, len(ids))):
        moments = [
            fold.moment(orjson.loads(row[4])["timestamp"]) for row in model.log.of_record(advice_id)
        ]
        moment = rng.choice(moments)
        model.advice(advice_id, today)  # warm: the same pages for both queries
        wall = time.perf_counter()
        now = model.advice(advice_id, today)
        current.append(time.perf_counter() - wall)
        wall = time.perf_counter()
        position = model.position_at(moment)
        lookups.append(time.perf_counter() - wall)
        then = model.advice(advice_id, today, upto=position)
        travel.append(time.perf_counter() - wall)
        assert now is not None
        assert then is not None
        assert then["version"] <= now["version"]
        assert then["updated_at"] <= moment
    return TimeTravel(
        statistics.median(current) * 1e3,
        statistics.median(travel) * 1e3,
        statistics.median(lookups) * 1e3,
        len(current),
    )


class TimedLedger(AdviceLedger):
    """The real ledger, noting when each save returns (its commit is done) and how long it took."""

    name = LEDGER_NAME  # the library names tables after the class unless told otherwise

    def __init__(self, location: LogLocation) -> None:
        super().__init__(location)
        self.commits: list[tuple[int, float, float]] = []  # position, returned at, seconds

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        wall = time.perf_counter()
        recordings = super().save(*objs, **kwargs)
        done = time.perf_counter()
        self.commits.append((recordings[-1].notification.id, done, done - wall))
        return recordings


@dataclass(frozen=True)
class Lag:
    writes: int
    rate: float
    command_ms: list[float]
    save_ms: list[float]
    lag_ms: list[float]
    catch_ups: int


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _answerable(model: ReadModel, latest: int) -> list[tuple[UUID, int]]:
    """Of the `latest` advices in the views, those not withdrawn, each with its number of points."""
    candidates = []
    for (doc,) in model.store.query(
        "SELECT doc FROM {docs} WHERE kind = 'advice' ORDER BY position DESC LIMIT ?", (latest,)
    ):
        parsed = orjson.loads(doc)
        if parsed["withdrawal"] is None:
            candidates.append((UUID(parsed["id"]), len(parsed["points"])))
    return candidates


def _note(ledger: AdviceLedger, advice_id: UUID, point: int, text: str, on: date) -> None:
    """The secretariat notes a point of an advice: the response the lag is measured with."""
    ledger.record_response(
        OFFICE, advice_id=advice_id, point=point, outcome=Outcome.NOTED, text=text, given_on=on
    )


def catch_up_lag(location: LogLocation, seconds: float, rate: float, seed: int = 11) -> Lag:
    """A writer records responses at a steady rate; the projection catches up after each write."""
    rng = seeded(seed)
    model = ReadModel(location)
    model.ensure_current()
    candidates = _answerable(model, 2000)
    ledger = TimedLedger(location)
    wrote = threading.Event()
    finished = threading.Event()
    seen: list[tuple[float, int]] = []
    command_ms: list[float] = []
    today = amsterdam_today()

    failures: list[BaseException] = []

    def write() -> None:
        start = time.perf_counter()
        try:
            for i in range(int(seconds * rate)):
                time.sleep(max(0.0, start + i / rate - time.perf_counter()))
                advice_id, points = rng.choice(candidates)
                wall = time.perf_counter()
                _note(ledger, advice_id, rng.randint(1, points), RESPONSE, today)
                command_ms.append((time.perf_counter() - wall) * 1e3)
                wrote.set()
        except BaseException as error:
            failures.append(error)
            raise
        finally:
            finished.set()
            wrote.set()

    def project() -> None:
        while True:
            wrote.wait(timeout=0.1)
            wrote.clear()
            done = finished.is_set()
            position = model.ensure_current()
            seen.append((time.perf_counter(), position))
            if done and position >= ledger.last_position():
                return

    threads = [threading.Thread(target=write), threading.Thread(target=project)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        ledger.close()
        model.close()
        raise failures[0]
    lags = []
    for position, committed, _ in ledger.commits:
        # The first catch-up that reached it; one that finished before `save` returned (the
        # commit is visible a moment before) counts as no lag at all.
        reflected = next(at for at, reached in seen if reached >= position)
        lags.append(max(0.0, reflected - committed) * 1e3)
    ledger.close()
    model.close()
    saves = [spent * 1e3 for _, _, spent in ledger.commits]
    return Lag(len(lags), rate, command_ms, saves, lags, len(seen))


def catch_up_one(
    location: LogLocation, samples: int, seed: int = 13
) -> tuple[list[float], list[float]]:
    """Milliseconds of `ensure_current()` for one new event, wall and CPU (of this process: on a
    busy machine the wall includes waiting for a processor): a response is recorded (and
    committed), then the projection catches up with it alone; `samples` times, one at a time."""
    rng = seeded(seed)
    model = ReadModel(location)
    model.ensure_current()
    candidates = _answerable(model, 500)
    ledger = AdviceLedger(location)
    today = amsterdam_today()
    spent, cpu = [], []
    for sample in range(samples):
        advice_id, points = rng.choice(candidates)
        # A text of its own: the point's search row changes.
        _note(ledger, advice_id, rng.randint(1, points), f"{RESPONSE} ({sample})", today)
        target = ledger.last_position()
        wall, started = time.perf_counter(), time.process_time()
        reached = model.ensure_current()
        spent.append((time.perf_counter() - wall) * 1e3)
        cpu.append((time.process_time() - started) * 1e3)
        assert reached == target, (reached, target)
    ledger.close()
    model.close()
    return spent, cpu
