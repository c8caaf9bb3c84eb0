"""Read-side figures (rebuild, memory, time travel, catch-up lag) against baselines of the same run.

.venv/bin/python -m bench.projections [--events N] [--store sqlite|postgresql] [--quick]
    [--repeats N] [--rebuilds N] [--profile] [--page-size N] [--reference-events N]
    [--lag-seconds S] [--lag-rate R] [--postgres-url URL] [--out DIR]

The log is generated once per size through the ledger's own aggregates and mapper and cached in
bench/out/ (git-ignored); every run works on a copy, so the cache never sees the live writes.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import orjson
import psycopg
from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import Recording, StoredEvent
from psycopg import sql

from bench.machine import filesystem, machine
from events import BodyKind, Deviation, Outcome, Role, Verdict
from events.store import LEDGER_NAME, LogLocation, StoreUrl
from ledger import (
    Actor,
    Advice,
    AdviceLedger,
    AdviceRequest,
    AdvisoryBody,
    Decision,
    Dossier,
    amsterdam_today,
)
from ledger.decisions import DossierAdvice, ListedAdvice
from projections import LogReader, ReadModel
from projections.read_model import PAGE_SIZE

GENERATOR = "projections-log-v1"  # bump when the generated mix changes: old caches are rebuilt
MUNICIPALITY = "bench"
DEFAULT_EVENTS = {"sqlite": 1_000_000, "postgresql": 200_000}
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
OUT = Path(__file__).resolve().parent / "out" / "projections"
IN_FLIGHT = 400  # advices being worked on at once, so the events of one advice spread out
INSERT_BATCH = 20_000  # events per insert transaction while generating
# The library's PostgreSQL insert pipelines one statement per event; a batch of 20,000 hung
# (server waiting in ClientRead, client in poll), 4,000 did not.
POSTGRES_BATCH = 2_000
BODIES = 24
TIME_TRAVEL_SAMPLES = 50
OFFICE = Actor("secretariaat", Role.SECRETARIAT, "bench-generator")

POINT_TEXTS = (
    "Betrek cliënten vanaf het begin bij de uitvoeringsagenda en leg vast hoe hun inbreng "
    "terugkomt in de besluiten van het college.",
    "Zorg dat de wachttijd voor een keukentafelgesprek niet langer is dan vier weken en "
    "rapporteer die wachttijd elk kwartaal aan de raad.",
    "Maak de brochure over de eigen bijdrage begrijpelijk op taalniveau B1 en test haar met "
    "inwoners voordat zij wordt verspreid.",
    "Geef wijkteams een vast aanspreekpunt voor mantelzorgers en maak dat aanspreekpunt bekend "
    "via huisartsen, scholen en buurthuizen.",
    "Onderzoek of de regeling voor minimahuishoudens ook openstaat voor werkende armen met een "
    "inkomen tot 130 procent van het sociaal minimum.",
    "Leg in het beleidsplan vast hoe de gemeente de effecten meet en bespreek de uitkomsten "
    "jaarlijks met de adviesraad.",
)
RESPONSE_TEXTS = (
    "Het college neemt dit punt over en werkt het uit in de uitvoeringsagenda van het voorjaar; "
    "de adviesraad wordt bij de uitwerking betrokken.",
    "Het college neemt dit punt gedeeltelijk over: de wachttijd wordt gemeten, maar een harde "
    "norm van vier weken is met de huidige bezetting niet haalbaar.",
    "Het college neemt dit punt niet over, omdat de landelijke regeling hierin al voorziet en "
    "een gemeentelijke aanvulling tot dubbele loketten leidt.",
    "Het college komt op dit punt terug na de evaluatie van de pilot in de wijk, naar "
    "verwachting in het derde kwartaal.",
    "Het college neemt kennis van dit punt en betrekt het bij de herijking van het beleid in "
    "de volgende raadsperiode.",
)
RESPONSE = "Het college neemt dit punt mee in de uitvoering."
REASONS = (
    "De kosten passen niet binnen de begroting en de raad heeft de middelen voor dit jaar al "
    "verdeeld; het college heeft de belangen gewogen en kiest voor de bestaande aanpak."
)
OUTCOMES = (
    Outcome.FOLLOWED,
    Outcome.FOLLOWED,
    Outcome.PARTIALLY_FOLLOWED,
    Outcome.NOT_FOLLOWED,
    Outcome.DEFERRED,
    Outcome.NOTED,
)


# Generating the log ---------------------------------------------------------------------------


def seeded(seed: int) -> random.Random:
    """The same workload on every run; nothing here is a secret."""
    return random.Random(seed)  # noqa: S311 - reproducibility, not cryptography


Step = Callable[[], Aggregate]


@dataclass
class DossierPlan:
    """A dossier, the advice still to be given on it, and the advice given (for the decision)."""

    dossier: Dossier
    unstarted: int
    in_flight: int = 0
    given: list[Advice] = field(default_factory=list)


@dataclass
class AdvicePlan:
    """One advice being worked on: the steps still to come, each storing exactly one event."""

    advice: Advice
    steps: list[Step]
    dossier: DossierPlan | None


class LogGenerator:
    """A realistic municipality, written through the ledger's aggregates, mapper and recorder.

    Several hundred advices are in flight at once and the next step is taken for a random one,
    so one advice's events are spread over the log, as they are when people work on many at once.
    Business dates run from eight years ago to three months ago; recorded moments are real.
    """

    def __init__(self, ledger: AdviceLedger, total: int, seed: int = 2027) -> None:
        self.ledger, self.total, self.rng = ledger, total, seeded(seed)
        self.today = amsterdam_today()
        self.first_day = self.today - timedelta(days=8 * 365)
        self.span = (self.today - timedelta(days=90) - self.first_day).days
        self.meta = OFFICE.meta(ledger.municipality)
        self.produced = 0
        self.counts: Counter[str] = Counter()
        self.batch: list[CanMutateAggregate[UUID]] = []
        self.bodies: list[AdvisoryBody] = []
        self.filling: DossierPlan | None = None
        self.serial = 0

    def run(self) -> Counter[str]:
        kinds = list(BodyKind)
        for i in range(min(BODIES, self.total)):
            body = AdvisoryBody.register(
                self.meta,
                name=f"Adviesraad {i + 1}",
                kind=kinds[i % len(kinds)],
                response_term_days=(28, 42, 56)[i % 3],
                id=None,
            )
            self.bodies.append(body)
            self.emit(body)
        in_flight: list[AdvicePlan] = []
        while self.produced < self.total:
            if len(in_flight) < IN_FLIGHT:
                plan = self.start_advice()
                if plan is not None:
                    in_flight.append(plan)
                continue
            index = self.rng.randrange(len(in_flight))
            plan = in_flight[index]
            self.emit(plan.steps.pop(0)())
            if not plan.steps:
                in_flight[index] = in_flight[-1]
                in_flight.pop()
                self.finish(plan)
        self.flush()
        return self.counts

    def emit(self, aggregate: Aggregate) -> None:
        for event in aggregate.collect_events():
            self.batch.append(event)
            self.counts[type(event).__name__] += 1
            self.produced += 1
        if len(self.batch) >= INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        mapper = self.ledger.mapper
        self.ledger.recorder.insert_events([mapper.to_stored_event(e) for e in self.batch])
        self.batch.clear()

    def day(self) -> date:
        return self.first_day + timedelta(days=self.span * self.produced // self.total)

    def start_advice(self) -> AdvicePlan | None:
        """Opens a dossier and asks for advice when needed, then submits one advice (≥ 1 event)."""
        rng, day = self.rng, self.day()
        self.serial += 1
        if self.filling is None or self.filling.unstarted == 0:
            self.filling = None
            if rng.random() < 0.8:
                dossier = Dossier.open(
                    self.meta,
                    title=f"Beleidsnota sociaal domein {self.serial}",
                    reference=f"OS {self.serial}",
                    portfolio_holder="wethouder Zorg",
                    opened_on=day - timedelta(days=30),
                    today=self.today,
                    id=None,
                )
                self.emit(dossier)
                self.filling = DossierPlan(dossier, unstarted=rng.randint(1, 4))
        plan = self.filling
        if self.produced >= self.total:
            return None
        body = rng.choice(self.bodies)
        request = None
        if plan is not None and rng.random() < 0.7:
            request = AdviceRequest.request(
                self.meta,
                dossier=plan.dossier,
                body=body,
                question="Wilt u het college adviseren over de nota?",
                requested_on=day - timedelta(days=20),
                due_on=day + timedelta(days=30),
                today=self.today,
                id=None,
            )
            self.emit(request)
            if self.produced >= self.total:
                return None
        first = rng.randrange(len(POINT_TEXTS))
        points = [
            f"{POINT_TEXTS[(first + n) % len(POINT_TEXTS)]} ({self.serial}.{n + 1})"
            for n in range(rng.randint(3, 10))
        ]
        advice = Advice.submit(
            OFFICE,
            self.meta,
            body=body,
            title=f"Advies over de beleidsnota sociaal domein {self.serial}",
            submitted_on=day,
            solicited=request is not None or rng.random() < 0.5,
            points=points,
            dossier=plan.dossier if plan else None,
            request=request,
            reference=f"AR-{self.serial}",
            today=self.today,
            id=None,
        )
        self.emit(advice)
        if plan is not None:
            plan.unstarted -= 1
            plan.in_flight += 1
        return AdvicePlan(advice, self.script(advice, body, len(points), day), plan)

    def script(self, advice: Advice, body: AdvisoryBody, points: int, day: date) -> list[Step]:
        """What happens to one advice after submission, in order, dated after `day`."""
        rng, meta, today = self.rng, self.meta, self.today
        member = Actor("lid", Role.MEMBER, "bench-member", body_id=body.id)
        member_meta = member.meta(self.ledger.municipality)
        steps: list[Step] = []
        fulfilments: list[Step] = []
        answered = 0

        def later(days: int) -> date:
            return min(today, day + timedelta(days=days))

        def move() -> Aggregate:
            new_due_on = advice.due_on_at(today) + timedelta(days=14)
            advice.move_due_date(
                meta,
                new_due_on=new_due_on,
                reason="Zomerreces",
                effective_on=later(30),
                today=today,
            )
            return advice

        def respond(point: int, outcome: Outcome, given_on: date) -> Step:
            def step() -> Aggregate:
                text = RESPONSE_TEXTS[rng.randrange(len(RESPONSE_TEXTS))]
                reasons = REASONS if outcome.needs_reasons else None
                advice.respond(
                    meta,
                    point=point,
                    outcome=outcome,
                    text=text,
                    reasons=reasons,
                    consequence=None,
                    given_on=given_on,
                    decision=None,
                    today=today,
                )
                return advice

            return step

        def promise(point: int, promise_id: UUID, due_on: date) -> Step:
            def step() -> Aggregate:
                text = "Het college stuurt de raad een uitwerking met planning en kosten."
                advice.promise(
                    meta, promise_id=promise_id, point=point, description=text, due_on=due_on
                )
                return advice

            return step

        def fulfil(promise_id: UUID, on: date) -> Step:
            def step() -> Aggregate:
                advice.fulfil(
                    meta,
                    promise_id=promise_id,
                    fulfilled_on=on,
                    note="De uitwerking is naar de raad gestuurd.",
                    today=today,
                )
                return advice

            return step

        def rejoin() -> Aggregate:
            verdict = Verdict.SATISFIED if rng.random() < 0.6 else Verdict.NOT_SATISFIED
            text = "De adviesraad dankt het college voor de reactie op het advies."
            advice.give_rejoinder(
                member,
                member_meta,
                point=None,
                verdict=verdict,
                text=text,
                given_on=later(45),
                today=today,
            )
            return advice

        def withdraw() -> Aggregate:
            advice.withdraw(OFFICE, meta, reason="Het advies is vervangen door een nieuw advies.")
            return advice

        if rng.random() < 0.15:
            steps.append(move)
        for point in range(1, points + 1):
            if rng.random() < 0.08:
                continue  # left unanswered: the decision must motivate it
            answered += 1
            outcome = OUTCOMES[rng.randrange(len(OUTCOMES))]
            steps.append(respond(point, outcome, later(rng.randint(5, 40))))
            if rng.random() < 0.12:  # a later response supersedes the first
                steps.append(respond(point, Outcome.FOLLOWED, later(rng.randint(41, 70))))
            if rng.random() < 0.15:
                promise_id = uuid4()
                steps.append(promise(point, promise_id, later(rng.randint(60, 200))))
                if rng.random() < 0.7:
                    fulfilments.append(fulfil(promise_id, later(rng.randint(45, 85))))
        steps.extend(fulfilments)
        if answered and rng.random() < 0.5:
            steps.append(rejoin)
        if rng.random() < 0.03:
            del steps[rng.randrange(len(steps) + 1) :]
            steps.append(withdraw)
        return steps or [move]

    def finish(self, plan: AdvicePlan) -> None:
        """A dossier whose advice are all done gets its decision (most of the time)."""
        dossier = plan.dossier
        if dossier is None:
            return
        dossier.in_flight -= 1
        dossier.given.append(plan.advice)
        if dossier.in_flight or dossier.unstarted or self.produced >= self.total:
            return
        if self.rng.random() < 0.8:
            deviations = [
                Deviation(advice.id, number, REASONS)
                for advice in dossier.given
                if not advice.withdrawn
                for number in advice.pending_points()
            ]
            decision = Decision.take(
                self.meta,
                dossier=dossier.dossier,
                title=f"Besluit over {dossier.dossier.title}",
                decided_on=min(self.today, self.day() + timedelta(days=60)),
                listed=[ListedAdvice(advice.id, advice) for advice in dossier.given],
                on_dossier=[DossierAdvice(a.id, a.title, a.withdrawn) for a in dossier.given],
                reference=f"B-{self.serial}",
                deviations=deviations,
                today=self.today,
                id=None,
            )
            self.emit(decision)


def cached_sqlite_log(events: int, out: Path) -> tuple[Path, dict[str, Any]]:
    """The directory of a generated SQLite log of `events` events, generated when missing."""
    directory = out / f"sqlite-{events}"
    marker = directory / "generated.json"
    if marker.exists():
        info: dict[str, Any] = orjson.loads(marker.read_bytes())
        if info.get("generator") == GENERATOR and info.get("events") == events:
            return directory, info
    shutil.rmtree(directory, ignore_errors=True)
    print(f"  generating {events:,} events into {directory} (cached for later runs) …", flush=True)
    ledger = AdviceLedger(StoreUrl.parse(f"sqlite:///{directory}").location(MUNICIPALITY))
    wall = time.perf_counter()
    counts = LogGenerator(ledger, events).run()
    seconds = time.perf_counter() - wall
    assert ledger.last_position() == events
    ledger.close()
    with sqlite3.connect(directory / f"{MUNICIPALITY}.events.sqlite") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    info = {"generator": GENERATOR, "events": events, "seconds": seconds, "counts": counts}
    marker.write_bytes(orjson.dumps(info))
    print(f"  generated in {seconds:.0f} s ({events / seconds:,.0f} events/s)")
    return directory, info


def working_copy(cache: Path, out: Path) -> Path:
    """A private copy of the cached log: the live writes of this run must not reach the cache."""
    directory = out / f"run-{os.getpid()}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    name = f"{MUNICIPALITY}.events.sqlite"
    shutil.copyfile(cache / name, directory / name)
    return directory


def copy_into_postgres(cache: Path, ledger: AdviceLedger) -> None:
    """The cached log's stored events, byte for byte, into a PostgreSQL ledger's own recorder."""
    conn = sqlite3.connect(f"file:{cache / MUNICIPALITY}.events.sqlite?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
    )
    while batch := rows.fetchmany(POSTGRES_BATCH):
        ledger.recorder.insert_events([StoredEvent(UUID(i), v, t, s) for i, v, t, s in batch])
    conn.close()


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
    root = Path(__file__).resolve().parent.parent
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
        moments = model.store.query(
            "SELECT recorded_at FROM {events} WHERE aggregate_id = ? ORDER BY position",
            [advice_id],
        )
        moment = rng.choice(moments)[0]
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


def catch_up_lag(location: LogLocation, seconds: float, rate: float, seed: int = 11) -> Lag:
    """A writer records responses at a steady rate; the projection catches up after each write."""
    rng = seeded(seed)
    model = ReadModel(location)
    model.ensure_current()
    candidates = []
    for (doc,) in model.store.query(
        "SELECT doc FROM {docs} WHERE kind = 'advice' ORDER BY position DESC LIMIT 2000"
    ):
        parsed = orjson.loads(doc)
        if parsed["withdrawal"] is None:
            candidates.append((UUID(parsed["id"]), len(parsed["points"])))
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
                ledger.record_response(
                    OFFICE,
                    advice_id=advice_id,
                    point=rng.randint(1, points),
                    outcome=Outcome.NOTED,
                    text=RESPONSE,
                    given_on=today,
                )
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


# Reporting --------------------------------------------------------------------------------------


def row(label: str, figure: str, baseline: str, ratio: float | None) -> None:
    shown = f"{ratio:6.2f}x" if ratio is not None else ""
    print(f"    {label:<44} {figure:>22}  | {baseline:<34} {shown}")


def mib(size: float) -> str:
    return f"{size / 2**20:,.0f} MiB"


def measure_rebuild(url: str, location: LogLocation, args: argparse.Namespace) -> None:
    """Rebuilds against raw passes before and after them, then the memory in a traced run.

    The first rebuild starts from no views (like a first catch-up); later ones replace full views,
    as `adviesspoor rebuild` does, and their median is the headline figure.
    """
    page, municipality = args.page_size, location.municipality
    before = [raw_pass(location, page) for _ in range(args.repeats + 1)][1:]  # first one warms
    rebuilds = [run_worker(url, municipality, page, "time") for _ in range(args.rebuilds)]
    after = [raw_pass(location, page) for _ in range(args.repeats)]
    raw = median_pass([*before, *after])
    assert all(r["events"] == raw.events for r in rebuilds), (rebuilds, raw)
    print(f"\n  rebuild of all views from {raw.events:,} events, pages of {page:,}")
    print(f"    raw pass: median of {len(before)} before and {len(after)} after the rebuilds;")
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
    verdict = "met" if ratios[-1] <= 1.5 else "NOT met"
    print(f"    goal ≤ 1.5x the raw pass: {verdict} ({ratios[-1]:.2f}x)")

    traced = run_worker(url, municipality, page, "trace")
    peak_rss, start_rss = rebuilds[-1]["rss_peak_kib"] * 1024, rebuilds[-1]["rss_before_kib"] * 1024
    print("\n  memory of the rebuild (ru_maxrss of the last timed one; tracemalloc in another)")
    row("peak RSS of the rebuilding process", mib(peak_rss), f"{mib(start_rss)} before it", None)
    row("   growth during the rebuild", mib(peak_rss - start_rss), "", None)
    row("tracemalloc peak (Python objects only)", mib(traced["tracemalloc_peak"]), "", None)
    verdict = "met" if peak_rss < 300e6 else "NOT met"
    print(f"    goal < 300 MB (peak RSS of the whole process): {verdict}")
    if args.profile:
        print(run_worker(url, municipality, page, "profile")["profile"].rstrip())


def measure_reference(location: LogLocation, args: argparse.Namespace) -> None:
    """The per-event path for scale: one transaction per event on the first events (SQLite)."""
    assert location.directory is not None
    sample = min(args.reference_events, LogReader(location).last_position())
    per_event, raw = per_event_reference(location, sample, location.directory / "reference")
    print(f"\n  reference: one transaction per event (page_size=1), first {sample:,} events")
    row(
        "ReadModel(page_size=1).catch_up",
        f"{per_event.rate:,.0f} ev/s",
        f"raw pass {raw.rate:,.0f}/s",
        raw.rate / per_event.rate,
    )


def measure_time_travel(location: LogLocation, args: argparse.Namespace) -> None:
    model = ReadModel(location, page_size=args.page_size)
    travel = time_travel(model)
    model.close()
    print(f"\n  one advice, median of {travel.samples} random advices and moments")
    row("advice(id, as_of) now", f"{travel.current_ms:.2f} ms", "", None)
    row(
        "position_at(moment) + advice(upto=)",
        f"{travel.travel_ms:.2f} ms",
        f"now {travel.current_ms:.2f} ms",
        travel.travel_ms / travel.current_ms,
    )
    row("   of which position_at(moment)", f"{travel.position_at_ms:.2f} ms", "", None)


def measure_lag(location: LogLocation, args: argparse.Namespace) -> None:
    lag = catch_up_lag(location, args.lag_seconds, args.lag_rate)
    print(
        f"\n  catch-up lag: {lag.writes} responses recorded at {lag.rate:.0f}/s, "
        f"ensure_current() after each write signal ({lag.catch_ups} calls)"
    )
    save_median = statistics.median(lag.save_ms)
    for label, values in (
        ("ledger save (encode, insert, commit)", lag.save_ms),
        ("ledger record_response (load, rules, save)", lag.command_ms),
        ("commit → view reflects it", lag.lag_ms),
    ):
        median, p99 = statistics.median(values), percentile(values, 0.99)
        baseline = f"save median {save_median:.2f} ms"
        row(label, f"{median:.2f} / {p99:.2f} ms", baseline, median / save_median)
    print("    (median / p99 in ms; the ratio is of the medians, against the ledger's save)")


def measure(url: str, location: LogLocation, args: argparse.Namespace) -> None:
    """Every read-side figure on one store that already holds the log."""
    measure_rebuild(url, location, args)
    if location.backend == "sqlite" and args.reference_events:
        measure_reference(location, args)
    measure_time_travel(location, args)
    measure_lag(location, args)


def bench_sqlite(args: argparse.Namespace) -> None:
    out = Path(args.out)
    cache, info = cached_sqlite_log(args.events, out)
    directory = working_copy(cache, out)
    try:
        url = f"sqlite:///{directory}"
        location = StoreUrl.parse(url).location(MUNICIPALITY)
        size = location.events_file.stat().st_size
        print(f"\nSQLite {sqlite3.sqlite_version} in {directory} ({filesystem(directory)})")
        print(f"  log: {args.events:,} events, {size / 2**20:,.0f} MiB; mix {describe(info)}")
        measure(url, location, args)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def bench_postgres(args: argparse.Namespace) -> None:
    store = StoreUrl.parse(args.postgres_url)
    assert store.server is not None
    try:
        admin = psycopg.connect(store.server.conninfo(), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"\nPostgreSQL at {args.postgres_url} is unreachable ({error}): skipped.")
        return
    cache, info = cached_sqlite_log(args.events, Path(args.out))
    municipality = f"bench-{uuid4().hex[:8]}"
    location = store.location(municipality)
    try:
        version = admin.execute("SHOW server_version").fetchone()
        print(
            f"\nPostgreSQL {version[0] if version else '?'} at {args.postgres_url}, "
            f"schema {location.schema} (dropped after)"
        )
        ledger = AdviceLedger(location)
        wall = time.perf_counter()
        copy_into_postgres(cache, ledger)
        ledger.close()
        print(
            f"  log: {args.events:,} events copied in {time.perf_counter() - wall:.0f} s; "
            f"mix {describe(info)}"
        )
        measure(args.postgres_url, location, args)
    finally:
        admin.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(location.schema))
        )
        admin.close()


def describe(info: dict[str, Any]) -> str:
    counts: dict[str, int] = info["counts"]
    return ", ".join(
        f"{name} {count:,}" for name, count in sorted(counts.items(), key=lambda kv: -kv[1])
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.projections", description=__doc__)
    parser.add_argument("--events", type=int, default=None, help="log size (default per store)")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--repeats", type=int, default=3, help="raw passes before and after")
    parser.add_argument("--rebuilds", type=int, default=2, help="timed rebuilds (≥ 1)")
    parser.add_argument("--profile", action="store_true", help="also cProfile one rebuild")
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE)
    parser.add_argument("--reference-events", type=int, default=5000)
    parser.add_argument("--lag-seconds", type=float, default=5.0)
    parser.add_argument("--lag-rate", type=float, default=100.0, help="writes per second")
    parser.add_argument("--out", default=str(OUT), help="cache and scratch directory")
    parser.add_argument("--quick", action="store_true", help="a small smoke run, < 20 s")
    parser.add_argument(
        "--worker", nargs=2, metavar=("URL", "MUNICIPALITY"), help=argparse.SUPPRESS
    )
    parser.add_argument("--worker-mode", default="time", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.events = args.events or 5_000
        args.repeats, args.rebuilds, args.reference_events, args.lag_seconds = 1, 1, 200, 1.0
    args.events = args.events or DEFAULT_EVENTS[args.store]
    if args.rebuilds < 1:
        parser.error("--rebuilds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.worker:
        worker(args.worker[0], args.worker[1], args.page_size, args.worker_mode)
        return 0
    print("Adviesspoor projections bench: every figure next to a baseline measured in this run")
    print(f"machine: {machine()}")
    print(f"command: {' '.join(['python -m bench.projections', *(argv or sys.argv[1:])])}")
    if args.store == "sqlite":
        bench_sqlite(args)
    else:
        bench_postgres(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
