"""The writes of `make crash-test` (tests/faults/crash_loop.py): each write as sent and answered,
what the loop counted, and the loop's base: the store, its processes, the set-up, and writers at
full speed until the SIGKILL."""

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from aiohttp import ClientError, ClientSession

from tests.faults.client import BASE_PATH, Answer, request, session
from tests.faults.harness import Process, Store

MUNICIPALITY = "crashtest"
KILL_AFTER = (0.15, 1.5)  # seconds of writing before the SIGKILL, drawn per cycle
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


class CrashWriter:
    """The loop's state: the store, the processes on it, the tokens, every write sent; the set-up
    and the writes (the checks are in CrashLoop, tests/faults/crash_cycle.py)."""

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

    # Write and kill --------------------------------------------------------------------------

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
