"""What the bench serves: a small history made through the API, tokens made as an operator makes
them, the advices' state before and after, the server's own log, and PostgreSQL clean-up."""

import asyncio
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import aiohttp

from bench.http.servers import ROOT

BASE: Final = "/api/v1"
POINTS: Final = 3
RESPONSES: Final = (
    {"uitkomst": "overgenomen", "reactie": "Het college neemt dit punt over."},
    {"uitkomst": "kennisgenomen", "reactie": "Het college neemt hiervan kennis."},
    {
        "uitkomst": "niet_overgenomen",
        "reactie": "Het college neemt dit punt niet over.",
        "motivering": "Het budget voor 2027 is al verdeeld.",
    },
)


def amsterdam_today() -> date:
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


@dataclass(frozen=True)
class History:
    advices: tuple[str, ...]
    events: int


async def make_history(base_url: str, token: str, advices: int) -> History:
    """A body, a dossier, advices of three points and some responses, all through the API."""
    today = amsterdam_today()
    headers = {"Authorization": f"Bearer {token}"}
    events = 0
    async with aiohttp.ClientSession(base_url, headers=headers) as session:

        async def created(path: str, body: dict[str, Any]) -> str:
            nonlocal events
            async with session.post(BASE + path, json=body) as response:
                answer = await response.json(content_type=None)
                if response.status != 201:
                    raise RuntimeError(f"POST {path}: {response.status} {answer}")
                events += 1
                return str(answer.get("id") or answer.get("advies"))

        body_id = await created("/adviesorganen", {"naam": "WIJ-raad", "soort": "clientenraad"})
        dossier = {"titel": "Met elkaar voor elkaar", "geopendOp": str(today - timedelta(60))}
        dossier_id = await created("/dossiers", dossier)
        ids = []
        for n in range(advices):
            advice = {
                "adviesorgaan": body_id,
                "dossier": dossier_id,
                "titel": f"Advies {n + 1} over het beleidsplan sociaal domein",
                "uitgebrachtOp": str(today - timedelta(days=20)),
                "gevraagd": n % 2 == 0,
                "punten": [{"tekst": f"Betrek cliënten bij punt {p}."} for p in range(POINTS)],
            }
            advice_id = await created("/adviezen", advice)
            ids.append(advice_id)
            for point in range(1, n % (POINTS + 1) + 1):
                await created(f"/adviezen/{advice_id}/reacties", response_body(point, today))
    return History(tuple(ids), events)


def response_body(point: int, today: date) -> dict[str, Any]:
    given = str(today - timedelta(days=5))
    return {"punt": point, **RESPONSES[point % len(RESPONSES)], "gegevenOp": given}


@dataclass(frozen=True)
class State:
    """The advices as a GET answers them: events (versions) and bytes, summed over all."""

    events: int
    size: int


async def state(base_url: str, token: str, advices: Sequence[str]) -> State:
    headers = {"Authorization": f"Bearer {token}"}
    events = size = 0
    async with aiohttp.ClientSession(base_url, headers=headers) as session:
        for advice_id in advices:
            async with session.get(f"{BASE}/adviezen/{advice_id}") as response:
                body = await response.read()
                events += int(json.loads(body)["versie"])
                size += len(body)
    return State(events, size)


def server_log(log: Path) -> tuple[Counter[str], Counter[str]]:
    """The answers the server logged (one line per request), by method and status; its errors."""
    answers: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        if entry.get("event") == "request":
            answers[f"{entry['method']} {entry['status']}"] += 1
        elif entry.get("level") == "error":
            causes = [f"{e['exc_type']}: {e['exc_value']}" for e in entry.get("exception", [])]
            errors[f"{entry['event']} ({'; '.join(causes)})"] += 1
    return answers, errors


async def settled_state(base_url: str, token: str, advices: Sequence[str]) -> State:
    """The advices' state once the requests still queued in the server (wrk has gone) are done."""
    last = await state(base_url, token, advices)
    for _ in range(50):
        await asyncio.sleep(0.2)
        again = await state(base_url, token, advices)
        if again == last:
            break
        last = again
    return last


def make_tokens(
    env: dict[str, str], municipality: str, roles: Sequence[str], root: Path = ROOT
) -> dict[str, str]:
    """Tokens as an operator makes them: `adviesspoor token create`, one process per role (from
    `root`: this tree or the checkout whose server is measured)."""
    command = [sys.executable, "-m", "api", "token", "create", "--gemeente", municipality]
    processes = {
        role: subprocess.Popen(  # noqa: S603 - this interpreter running our own command line
            [*command, "--rol", role, "--naam", f"bench-{role}"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in roles
    }
    tokens = {}
    for role, process in processes.items():
        out, err = process.communicate(timeout=60)
        if process.returncode != 0:
            raise RuntimeError(f"token create --rol {role}: {err.strip()}")
        tokens[role] = out.strip()
        found = re.search(r"Token (\S+) gemaakt", err)
        tokens[f"{role}-id"] = found.group(1) if found else ""
    return tokens


@contextmanager
def postgres_cleanup(url: str, municipality: str, tokens: dict[str, str]) -> Iterator[None]:
    """Drop the throwaway municipality and delete the bench's tokens, however the bench ends."""
    import psycopg  # here: importing the driver slows down every SQLite run
    from psycopg import sql

    try:
        yield
    finally:
        schema = "gemeente_" + municipality.replace("-", "_")
        ids = [value for key, value in tokens.items() if key.endswith("-id") and value]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
            if ids:
                conn.execute("DELETE FROM adviesspoor.tokens WHERE id = ANY(%s)", (ids,))


def postgres_settings(url: str) -> str:
    import psycopg

    with psycopg.connect(url, connect_timeout=3) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
        commit = conn.execute("SHOW synchronous_commit").fetchone()
    assert version is not None
    assert fsync is not None
    assert commit is not None
    return f"PostgreSQL {version[0]}, fsync {fsync[0]}, synchronous_commit {commit[0]}"
