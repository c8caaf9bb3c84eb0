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
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from aiohttp import ClientError, ClientSession

from tests.faults.client import (
    BASE_PATH,
    Answer,
    gaps,
    get_ok,
    nonce_counts,
    read_log,
    request,
    session,
)
from tests.faults.harness import Process, Store, postgres_url

MUNICIPALITY = "crashtest"
KILL_AFTER = (0.15, 1.5)  # seconds of writing before the SIGKILL, drawn per cycle
REPLAY_OLDER = 10  # acknowledged keyed writes of earlier cycles asked again per cycle
COMPARED_ADVICE = 30  # advice read one by one from both servers per cycle
SHOWN = 5  # failures shown per kind at the end
KINDS = (("advies", 0.15), ("reactie", 0.4), ("toezegging", 0.25), ("besluit", 0.2))


@dataclass
class Write:
    """One write request as the loop sent it, and everything that came back."""

    nonce: str
    kind: str
    path: str
    body: dict[str, Any]
    token: str
    key: str | None
    cycle: int
    answers: list[Answer] = field(default_factory=list)
    attempts: int = 0
    lost_first_answer: bool = False  # the first attempt got no answer (the kill cut it off)
    acknowledged: Answer | None = None
    refused_after_crash: int = 0  # keyed retries answered 409 although the first process was gone
    recorded: int = 0  # how often the log held it at the last check

    @property
    def answered(self) -> bool:
        return bool(self.answers)

    @property
    def needs_retry(self) -> bool:
        """A keyed write whose outcome is not known yet: no answer, 503, or 409 'in behandeling'."""
        if self.key is None or self.acknowledged is not None:
            return False
        return not self.answers or self.answers[-1].status in (409, 503)

    @property
    def failed(self) -> bool:
        """Answered with an error that stands (so nothing may have been recorded)."""
        return self.answered and self.acknowledged is None and not self.needs_retry

    def headers(self) -> dict[str, str]:
        return {"Idempotency-Key": self.key} if self.key else {}


@dataclass
class Figures:
    """What the loop counted, and the checks that failed (Dutch sentences)."""

    acknowledged: int = 0
    lost: set[str] = field(default_factory=set)
    duplicated: set[str] = field(default_factory=set)
    failures: dict[str, list[str]] = field(default_factory=dict)  # per kind, in order
    statuses: Counter[int] = field(default_factory=Counter)
    gaps: set[int] = field(default_factory=set)

    def fail(self, cycle: int, kind: str, message: str) -> None:
        self.failures.setdefault(kind, []).append(f"ronde {cycle}: {message}")

    @property
    def failed(self) -> int:
        return sum(len(found) for found in self.failures.values())


class CrashLoop:
    """The loop's state: the store, the processes on it, the tokens, every write sent."""

    def __init__(self, store: Store, work: Path, writers: int, rng: random.Random) -> None:
        self.store = store
        self.work = work
        self.writers = writers
        self.rng = rng
        self.server = Process(store, work / "logs", name="server")
        self.projector: Process | None = None
        if store.backend == "postgresql":
            self.projector = Process(store, work / "logs", name="project", command="project")
        self.writes: list[Write] = []
        self.by_nonce: dict[str, Write] = {}
        self.advice: list[tuple[str, int]] = []  # acknowledged advice: id, number of points
        self.tokens: dict[str, str] = {}
        self.body_id = ""
        self.dossier_id = ""
        self.figures = Figures()
        self.today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
        self.unexpected_disconnects = 0
        self.runs_done = 0

    # Set-up ----------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.server.url + BASE_PATH + path

    def day(self, offset: int) -> str:
        return (self.today + timedelta(days=offset)).isoformat()

    async def set_up(self) -> None:
        for role in ("beheerder", "secretariaat", "auditor"):
            self.tokens[role] = self.store.token(MUNICIPALITY, role)
        self.start()
        async with session() as client:
            admin = self.tokens["beheerder"]
            body = {"naam": "Adviesraad crashtest", "soort": "adviesraad"}
            self.body_id = (await self._created(client, "/adviesorganen", body, admin))["id"]
            dossier = {"titel": "Dossier crashtest", "geopendOp": self.day(-30)}
            self.dossier_id = (await self._created(client, "/dossiers", dossier, admin))["id"]
            advice = self._advice_body("nonce-" + "0" * 16, 3)
            self.advice.append(((await self._created(client, "/adviezen", advice, admin))["id"], 3))

    async def _created(
        self, client: ClientSession, path: str, body: dict[str, Any], token: str
    ) -> dict[str, Any]:
        answer = await request(client, "POST", self.url(path), token, body)
        assert answer.status == 201, f"POST {path} gaf {answer.status}: {answer.body}"
        created: dict[str, Any] = answer.body
        return created

    def start(self) -> None:
        if self.projector is not None and not self.projector.alive():
            self.projector.start()
        self.server.start()

    def close(self) -> None:
        self.server.stop()
        if self.projector is not None:
            self.projector.stop()

    # Writes ----------------------------------------------------------------------------------

    def _advice_body(self, nonce: str, points: int) -> dict[str, Any]:
        return {
            "adviesorgaan": self.body_id,
            "titel": f"Advies {nonce}",
            "uitgebrachtOp": self.day(-10),
            "gevraagd": False,
            "punten": [{"tekst": f"Punt {n}"} for n in range(1, points + 1)],
        }

    def new_write(self, cycle: int) -> Write:
        rng = self.rng
        nonce = f"nonce-{rng.getrandbits(64):016x}"
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        advice_id, points = rng.choice(self.advice[:1] + self.advice[-20:])
        point = rng.randint(1, points)
        body: dict[str, Any]
        if kind == "advies":
            path, body = "/adviezen", self._advice_body(nonce, rng.randint(1, 3))
        elif kind == "reactie":
            path = f"/adviezen/{advice_id}/reacties"
            outcome = rng.choice(["overgenomen", "kennisgenomen", "niet_overgenomen"])
            body = {"punt": point, "uitkomst": outcome, "reactie": f"Reactie {nonce}"}
            body["gegevenOp"] = self.day(-1)
            if outcome == "niet_overgenomen":
                body["motivering"] = f"Motivering {nonce}"
        elif kind == "toezegging":
            path = f"/adviezen/{advice_id}/toezeggingen"
            body = {"punt": point, "omschrijving": f"Toezegging {nonce}"}
            body["uiterlijkOp"] = self.day(30)
        else:
            path = "/besluiten"
            deviations = [
                {"advies": advice_id, "punt": n, "motivering": f"Afwijking {nonce}"}
                for n in range(1, points + 1)
            ]
            body = {"dossier": self.dossier_id, "titel": f"Besluit {nonce}"}
            body |= {"besluitdatum": self.day(-1), "adviezen": [advice_id]}
            body["afwijkingen"] = deviations
        token = self.tokens[rng.choice(["beheerder", "secretariaat"])]
        key = str(uuid4()) if rng.random() < 0.5 else None
        write = Write(nonce, kind, path, body, token, key, cycle)
        self.writes.append(write)
        self.by_nonce[nonce] = write
        return write

    async def send(self, client: ClientSession, write: Write) -> Answer | None:
        """Send (or resend) a write; None when no answer came."""
        write.attempts += 1
        try:
            answer = await request(
                client, "POST", self.url(write.path), write.token, write.body, write.headers()
            )
        except (ClientError, TimeoutError):
            if write.attempts == 1:
                write.lost_first_answer = True
            return None
        write.answers.append(answer)
        self.figures.statuses[answer.status] += 1
        if answer.ok and write.acknowledged is None:
            write.acknowledged = answer
            self.figures.acknowledged += 1
            if write.kind == "advies":
                self.advice.append((answer.body["id"], len(write.body["punten"])))
        return answer

    async def writer(self, client: ClientSession, cycle: int, stop: asyncio.Event) -> None:
        while not stop.is_set():
            write = self.new_write(cycle)
            answer = await self.send(client, write)
            if answer is None:
                if not stop.is_set():
                    self.unexpected_disconnects += 1
                return

    # One cycle -------------------------------------------------------------------------------

    async def write_and_kill(self, cycle: int) -> None:
        """Writers at full speed; SIGKILL at a random moment; every writer stops."""
        stop = asyncio.Event()
        async with session() as client:
            tasks = [
                asyncio.create_task(self.writer(client, cycle, stop)) for _ in range(self.writers)
            ]
            await asyncio.sleep(self.rng.uniform(*KILL_AFTER))
            stop.set()
            self.server.kill()
            if self.projector is not None and self.rng.random() < 0.5:
                self.projector.kill()  # the projection worker dies too, now and then
            await asyncio.gather(*tasks)

    async def retry_and_replay(self, cycle: int) -> tuple[int, int, int]:
        """Retry every keyed write without a known outcome; ask acknowledged keyed ones again.

        Returns (retried, of which acknowledged now, of which refused with 409)."""
        pending = [w for w in self.writes if w.needs_retry]
        keyed_done = [w for w in self.writes if w.key and w.acknowledged is not None]
        recent = [w for w in keyed_done if w.cycle == cycle - 1]
        older = [w for w in keyed_done if w.cycle < cycle - 1]
        replays = recent + self.rng.sample(older, min(REPLAY_OLDER, len(older)))
        refused = acknowledged = 0
        async with session() as client:
            for write in pending:
                answer = await self.send(client, write)
                if answer is None:
                    self.figures.fail(
                        cycle,
                        "geen antwoord op een herhaling",
                        f"geen antwoord op de herhaling van {write.nonce}",
                    )
                elif answer.ok:
                    acknowledged += 1
                elif answer.status == 409:
                    refused += 1
                    if not write.refused_after_crash:
                        self.figures.fail(
                            cycle,
                            "409 op een herhaling na de herstart",
                            f"herhaling van {write.nonce} (met sleutel) na de herstart: "
                            f"{_last(write)}, terwijl het eerste proces al weg is",
                        )
                    write.refused_after_crash += 1
            for write in replays:
                first = write.acknowledged
                assert first is not None
                again = await self.send(client, write)
                if again is None or (again.status, again.body) != (first.status, first.body):
                    got = "geen antwoord" if again is None else f"{again.status} {again.body}"
                    self.figures.fail(
                        cycle,
                        "herhaling anders beantwoord",
                        f"{write.nonce} met Idempotency-Key kreeg bij herhaling {got}, "
                        f"eerst {first.status} {first.body}",
                    )
        return len(pending), acknowledged, refused

    def at_rest_checks(self, cycle: int) -> str:
        """With the server dead: PRAGMA integrity_check on every SQLite file."""
        if self.store.backend != "sqlite":
            return "n.v.t."
        bad = {name: answer for name, answer in self.store.integrity().items() if answer != "ok"}
        for name, answer in bad.items():
            self.figures.fail(cycle, "integriteit", f"PRAGMA integrity_check van {name}: {answer}")
        return "ok" if not bad else f"{len(bad)} bestand(en) beschadigd"

    async def check_log(self, cycle: int) -> tuple[int, int]:
        """Every write against the log: exactly once, at most once, or not at all."""
        async with session() as client:
            events = await read_log(client, self.server.url, self.tokens["auditor"])
        positions = [int(event["positie"]) for event in events]
        missing = gaps(positions)
        new = [p for p in missing if p not in self.figures.gaps]
        if new:
            self.figures.gaps.update(new)
            shown = ", ".join(str(p) for p in new[:10])
            self.figures.fail(
                cycle,
                "gaten in de posities",
                f"log van {len(positions)} posities niet 1..{len(positions)}: {len(new)} nieuwe "
                f"gat(en) of dubbele, o.a. {shown}",
            )
        counts = nonce_counts(events)
        for nonce, count in counts.items():
            write = self.by_nonce.get(nonce)
            if write is None and nonce != "nonce-" + "0" * 16:
                self.figures.fail(cycle, "onbekend in de log", f"onbekende {nonce} in de log")
            elif count > 1 and nonce not in self.figures.duplicated:
                self.figures.duplicated.add(nonce)
                label = "met" if write is not None and write.key else "zonder"
                self.figures.fail(
                    cycle,
                    "dubbel vastgelegd",
                    f"{nonce} ({label} sleutel) staat {count} keer in de log",
                )
        for write in self.writes:
            count = counts[write.nonce]
            write.recorded = count
            if (
                write.acknowledged is not None
                and count == 0
                and write.nonce not in self.figures.lost
            ):
                self.figures.lost.add(write.nonce)
                self.figures.fail(cycle, "kwijt", f"bevestigde {write.nonce} ontbreekt in de log")
            elif write.failed and count > 0:
                status = write.answers[-1].status
                self.figures.fail(
                    cycle,
                    "geweigerd maar vastgelegd",
                    f"{write.nonce} kreeg {status} maar staat in de log",
                )
        return len(events), len(missing)

    async def compare_with_rebuild(self, cycle: int, copy: Store) -> int:
        """The running server's answers against a server on a copy of the store after
        `adviesspoor rebuild`; returns how many answers were compared."""
        copy.cli("rebuild")
        twin = Process(copy, self.work / "logs", name="kopie")
        twin.start()
        try:
            paths = self._compared_paths(cycle)
            token = self.tokens["secretariaat"]
            async with session() as client:
                for path in paths:
                    ours = await get_ok(client, self.url(path), token)
                    theirs = await get_ok(client, twin.url + BASE_PATH + path, token)
                    if ours != theirs:
                        self.figures.fail(
                            cycle,
                            "overzichten wijken af van een herbouw",
                            f"GET {path} verschilt van de herbouwde overzichten",
                        )
        finally:
            twin.stop()
        return len(paths)

    def _compared_paths(self, cycle: int) -> list[str]:
        touched = {
            w.path.split("/")[2]
            for w in self.writes
            if w.cycle == cycle and w.path.startswith("/adviezen/")
        }
        # Those written to in this cycle first, then the first advice, then the newest ones.
        newest = [a for a, _ in reversed(self.advice[-COMPARED_ADVICE:])]
        ordered = [*sorted(touched), self.advice[0][0], *newest]
        advice = list(dict.fromkeys(ordered))[:COMPARED_ADVICE]
        return [
            "/statistieken",
            f"/volglijst?adviesorgaan={self.body_id}",
            "/adviezen?paginaGrootte=100",
            "/besluiten?paginaGrootte=100",
            f"/dossiers/{self.dossier_id}",
            f"/adviesorganen/{self.body_id}",
            *(f"/adviezen/{a}" for a in advice),
            *(f"/adviezen/{a}/historie" for a in advice[:5]),
        ]

    def copy_store(self, cycle: int) -> Store:
        if self.projector is not None:
            # A PostgreSQL template has no other sessions; the worker may die as the server did.
            self.projector.kill()
        return self.store.copy(self.work / f"kopie-{cycle}")

    async def cycle(self, cycle: int, runs: int) -> None:
        started = time.monotonic()
        retried, retry_ok, refused = await self.retry_and_replay(cycle)
        before = len(self.writes)
        await self.write_and_kill(cycle)
        sent = self.writes[before:]
        integrity = self.at_rest_checks(cycle)
        copy = self.copy_store(cycle)
        try:
            self.start()
            length, missing = await self.check_log(cycle)
            compared = await self.compare_with_rebuild(cycle, copy)
        finally:
            copy.drop()
        acknowledged = sum(1 for w in sent if w.acknowledged is not None)
        unanswered = [w for w in sent if not w.answered]
        print(
            f"ronde {cycle}/{runs}: {len(sent)} schrijfverzoeken "
            f"({sum(1 for w in sent if w.key)} met sleutel), {acknowledged} bevestigd, "
            f"{len(unanswered)} zonder antwoord ({sum(1 for w in unanswered if w.key)} met "
            f"sleutel); herhaald {retried}: {retry_ok} bevestigd, {refused} geweigerd (409); "
            f"log {length} posities, {missing} gaten; integriteit {integrity}; "
            f"{compared} antwoorden vergeleken met herbouw; kwijt {len(self.figures.lost)}, "
            f"dubbel {len(self.figures.duplicated)}, {self.figures.failed} fout(en) tot nu; "
            f"{time.monotonic() - started:.1f} s",
            flush=True,
        )

    async def finish(self, runs: int) -> None:
        """After the last restart: one more retry of what is open, and the log checked again."""
        await self.retry_and_replay(runs + 1)
        await self.check_log(runs + 1)
        for write in self.writes:
            if write.needs_retry and not write.refused_after_crash:
                self.figures.fail(
                    runs + 1,
                    "met sleutel zonder uitkomst",
                    f"{write.nonce} met Idempotency-Key heeft na {write.attempts} pogingen nog "
                    f"geen antwoord (laatste: {_last(write)})",
                )
        if self.unexpected_disconnects:
            self.figures.fail(
                runs,
                "verbinding verbroken vóór de kill",
                f"{self.unexpected_disconnects} verzoek(en) verloren hun verbinding vóór de kill",
            )
        if self.figures.statuses[500]:
            self.figures.fail(runs, "500", f"{self.figures.statuses[500]} keer 500 als antwoord")


def _last(write: Write) -> str:
    if not write.answers:
        return "geen antwoord"
    answer = write.answers[-1]
    detail = answer.body.get("detail") if isinstance(answer.body, dict) else answer.body
    return f"{answer.status} '{detail}'"


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
