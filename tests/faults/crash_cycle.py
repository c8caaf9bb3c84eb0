"""One cycle of `make crash-test` (tests/faults/crash_loop.py) around the writes: retries and
replays of keyed writes, the checks at rest and after the restart (the log, and the views against
a rebuild of a copy of the store), and the checks after the last restart."""

import time

from tests.faults.client import BASE_PATH, gaps, get_ok, nonce_counts, read_log, session
from tests.faults.crash_writes import CrashWriter, Write
from tests.faults.harness import Process, Store

REPLAY_OLDER = 10  # acknowledged keyed writes of earlier cycles asked again per cycle
COMPARED_ADVICE = 30  # advice read one by one from both servers per cycle


class CrashLoop(CrashWriter):
    """The whole loop: the writer's state and writes, and every step of a cycle around them."""

    # One cycle -------------------------------------------------------------------------------

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
