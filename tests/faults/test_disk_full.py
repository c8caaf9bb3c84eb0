"""A full disk (issue 7): `adviesspoor serve` on SQLite on a small tmpfs that is filled to the
brim while the server runs. Writes get 503 problem+json with Retry-After, reads that must catch
the views up get 503 (never 500), nothing acknowledged is lost and nothing refused is stored, and
once space is freed writes and reads work again without a restart.

Where no tmpfs can be mounted (no privilege), the reason is printed and the same scenario runs
with every SQLite file of the server capped by `PRAGMA max_page_count` (tests/faults/page_limit.py).
`ADVIESSPOOR_DISK_FULL=max_page_count` chooses that fallback on purpose.
"""

import asyncio
import errno
import os
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from tests.faults.client import (
    BASE_PATH,
    Answer,
    Municipality,
    amsterdam_day,
    gaps,
    nonce,
    nonce_counts,
    request,
    session,
)
from tests.faults.harness import Process, Store

PROBLEM_JSON = "application/problem+json"
TMPFS_SIZE = "8m"
LAGGING_WRITES = 20  # acknowledged before the disk fills, not yet in the views
BIG_TEXT = 19_000  # characters in each write (20,000 at most), so each one needs new space
FULL_ATTEMPTS = 40  # writes tried on the full disk, at most
FULL_IN_A_ROW = 6  # refusals in a row that show the disk is really full
ATTEMPTS_AFTER = 5  # tries a write gets once space is back


@dataclass
class Disk:
    """Where the store lives, and how it is filled and freed."""

    path: Path
    mode: str  # "tmpfs", or "max_page_count" where mounting is not allowed
    control: Path  # the cap's switch (max_page_count)

    @property
    def filler(self) -> Path:
        return self.path / "vulling"

    def fill(self) -> None:
        if self.mode != "tmpfs":
            self.control.write_text("vol")
            return
        # Unbuffered, so the last bytes that fit are written and nothing is left for close().
        descriptor = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            for size in (1 << 20, 1 << 16, 4096, 512, 1):
                block = b"\0" * size
                while True:
                    try:
                        os.write(descriptor, block)
                    except OSError as error:
                        if error.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(descriptor)

    def free(self) -> None:
        if self.mode != "tmpfs":
            self.control.write_text("")
            return
        self.filler.unlink()


def _mount_tmpfs(path: Path) -> str | None:
    """Mount a small tmpfs on `path`; the reason why not, or None when it is mounted."""
    if os.environ.get("ADVIESSPOOR_DISK_FULL") == "max_page_count":
        return "ADVIESSPOOR_DISK_FULL=max_page_count gekozen"
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(path)],  # noqa: S607 - the system's mount
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except OSError as error:
        return f"mount niet uit te voeren: {error}"
    if done.returncode != 0:
        return f"mount -t tmpfs mislukte: {done.stderr.strip() or done.returncode}"
    return None


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Disk]:
    path = tmp_path_factory.mktemp("schijf")
    reason = _mount_tmpfs(path)
    control = tmp_path_factory.mktemp("schakelaar") / "paginagrens"
    if reason is None:
        yield Disk(path, "tmpfs", control)
        subprocess.run(["umount", "-l", str(path)], check=False, timeout=30)  # noqa: S607
        return
    message = f"Geen tmpfs voor de volle-schijfproef ({reason}); PRAGMA max_page_count in plaats."
    print(message)
    warnings.warn(message, stacklevel=1)
    yield Disk(path, "max_page_count", control)


@dataclass(repr=False)
class Observed:
    """Everything the scenario saw; each test below asserts one part of it."""

    mode: str
    lagging: list[tuple[str, Answer]] = field(default_factory=list)
    full_writes: list[tuple[str, str | None, Answer]] = field(default_factory=list)
    full_reads: list[tuple[str, Answer]] = field(default_factory=list)
    retried: dict[str, list[Answer]] = field(default_factory=dict)  # keyed 503s, after freeing
    after_writes: list[tuple[str, list[Answer]]] = field(default_factory=list)
    after_reads: list[tuple[str, Answer]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    integrity: dict[str, str] = field(default_factory=dict)
    same_process: bool = False
    advice_version: int = 0
    advice_events: int = 0
    server_log: str = ""

    def __repr__(self) -> str:
        return f"<scenario op {self.mode}>"


def _big_reaction(word: str) -> dict[str, Any]:
    return {
        "punt": 1,
        "uitkomst": "kennisgenomen",
        "reactie": f"Reactie {word} " + "x" * BIG_TEXT,
        "gegevenOp": amsterdam_day(-1),
    }


async def _scenario(disk: Disk, logs: Path) -> Observed:
    store = Store.sqlite(disk.path / "data")
    town = Municipality(store)
    token, auditor = town.token("secretariaat"), town.token("auditor")
    server = Process(
        store,
        logs,
        module="api" if disk.mode == "tmpfs" else "tests.faults.page_limit",
        extra_env={"ADVIESSPOOR_TEST_PAGE_LIMIT": str(disk.control)},
    )
    server.start()
    seen = Observed(disk.mode)
    try:
        async with session() as client:
            advice = await town.new_advice(client, server.url)
            url = server.url + BASE_PATH + f"/adviezen/{advice}/reacties"
            reads = [
                (f"/adviezen/{advice}", token),
                ("/statistieken", token),
                (f"/volglijst?adviesorgaan={town.body_id}", token),
                ("/gebeurtenissen?limiet=1000", auditor),
            ]
            await request(client, "GET", server.url + BASE_PATH + reads[0][0], token)
            for _ in range(LAGGING_WRITES):
                word = nonce()
                seen.lagging.append(
                    (word, await request(client, "POST", url, token, _big_reaction(word)))
                )

            disk.fill()
            in_a_row = 0
            for attempt in range(FULL_ATTEMPTS):
                word = nonce()
                key = str(uuid4()) if attempt % 2 else None
                headers = {"Idempotency-Key": key} if key else None
                answer = await request(client, "POST", url, token, _big_reaction(word), headers)
                seen.full_writes.append((word, key, answer))
                in_a_row = 0 if answer.ok else in_a_row + 1
                if in_a_row == FULL_IN_A_ROW:
                    break
            for path, who in reads:
                seen.full_reads.append(
                    (path, await request(client, "GET", server.url + BASE_PATH + path, who))
                )

            disk.free()
            for word, key, answer in seen.full_writes:
                if key is None or answer.ok:
                    continue
                tries = seen.retried.setdefault(word, [])
                while len(tries) < ATTEMPTS_AFTER and not (tries and tries[-1].ok):
                    headers = {"Idempotency-Key": key}
                    tries.append(
                        await request(client, "POST", url, token, _big_reaction(word), headers)
                    )
            for _ in range(3):
                word = nonce()
                tries = []
                while len(tries) < ATTEMPTS_AFTER and not (tries and tries[-1].ok):
                    tries.append(await request(client, "POST", url, token, _big_reaction(word)))
                    await asyncio.sleep(0.1 if not tries[-1].ok else 0)
                seen.after_writes.append((word, tries))
            for path, who in reads:
                seen.after_reads.append(
                    (path, await request(client, "GET", server.url + BASE_PATH + path, who))
                )

            seen.events = await town.log(client, server.url)
            view = await request(
                client, "GET", server.url + BASE_PATH + f"/adviezen/{advice}", token
            )
            seen.advice_version = view.body["versie"] if view.ok else -1
        seen.advice_events = sum(1 for event in seen.events if event.get("id") == advice)
        seen.positions = store.positions(town.slug)
        seen.integrity = store.integrity()
        seen.same_process = server.alive() and server.starts == 1
    finally:
        server.stop()
        seen.server_log = server.stderr_path.read_text(errors="replace")
    return seen


@pytest.fixture(scope="module")
def seen(disk: Disk, tmp_path_factory: pytest.TempPathFactory) -> Observed:
    """The scenario, run once for every test of this module."""
    return asyncio.run(_scenario(disk, tmp_path_factory.mktemp("logs")))


def _problems(answers: list[Answer]) -> list[str]:
    """What is wrong with these 503 answers: not problem+json, or no Retry-After."""
    return [
        f"{a.status} {a.content_type} Retry-After={a.retry_after}"
        for a in answers
        if a.status == 503 and (a.content_type != PROBLEM_JSON or not a.retry_after)
    ]


def test_writes_on_a_full_disk_are_answered_503_with_retry_after(seen: Observed) -> None:
    statuses = [answer.status for _, _, answer in seen.full_writes]

    assert [a.status for _, a in seen.lagging] == [201] * LAGGING_WRITES
    assert set(statuses) <= {201, 503}, f"{seen.mode}: {statuses}"
    assert statuses[-FULL_IN_A_ROW:] == [503] * FULL_IN_A_ROW, statuses
    assert _problems([answer for _, _, answer in seen.full_writes]) == []


def test_reads_that_must_catch_the_views_up_on_a_full_disk_get_503_not_500(
    seen: Observed,
) -> None:
    statuses = {path: answer.status for path, answer in seen.full_reads}

    assert set(statuses.values()) <= {200, 503}, statuses
    assert 503 in statuses.values(), f"de overzichten liepen niet vast: {statuses}"
    assert _problems([answer for _, answer in seen.full_reads]) == []


def test_nothing_acknowledged_is_lost_and_nothing_refused_is_stored_on_a_full_disk(
    seen: Observed,
) -> None:
    counts = nonce_counts(seen.events)
    acknowledged = [w for w, a in seen.lagging if a.ok]
    acknowledged += [w for w, _, a in seen.full_writes if a.ok]
    acknowledged += [w for w, tries in seen.retried.items() if tries and tries[-1].ok]
    acknowledged += [w for w, tries in seen.after_writes if tries[-1].ok]
    refused = [w for w, key, a in seen.full_writes if key is None and not a.ok]

    assert {w: counts[w] for w in acknowledged} == dict.fromkeys(acknowledged, 1)
    assert {w: counts[w] for w in refused} == dict.fromkeys(refused, 0)
    assert gaps(seen.positions) == []
    assert len(seen.positions) == 2 + len(acknowledged)  # the body, the advice
    assert seen.integrity == dict.fromkeys(seen.integrity, "ok")


def test_writes_and_reads_work_again_once_space_is_freed_without_a_restart(
    seen: Observed,
) -> None:
    retried = {w: [a.status for a in tries] for w, tries in seen.retried.items()}

    assert seen.same_process
    assert [tries[-1].status for _, tries in seen.after_writes] == [201] * 3
    assert {w: statuses[-1] for w, statuses in retried.items()} == dict.fromkeys(retried, 201)
    assert {path: a.status for path, a in seen.after_reads} == dict.fromkeys(
        [path for path, _ in seen.after_reads], 200
    )
    assert seen.advice_version == seen.advice_events
