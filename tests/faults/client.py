"""Talking to the API as its clients do: one request and its answer, reading the whole log as an
auditor, and a fresh municipality with a token per role to write in. Nonces (`nonce-<16 hex>`) in
text fields tell how often a write was recorded."""

import asyncio
import re
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from aiohttp import ClientSession, ClientTimeout

from tests.faults.harness import Store

BASE_PATH = "/api/v1"
NONCE = re.compile(r"nonce-[0-9a-f]{16}")


@dataclass(frozen=True)
class Answer:
    """What the server answered: status, the JSON body (or the text), and the headers we check."""

    status: int
    body: Any
    content_type: str
    retry_after: str | None
    location: str | None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def session(seconds: float = 60) -> ClientSession:
    """A client session whose requests give up after `seconds` (a hung server fails a proof)."""
    return ClientSession(timeout=ClientTimeout(total=seconds))


async def request(
    client: ClientSession,
    method: str,
    url: str,
    token: str,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """One request; connection errors are raised to the caller (that means: no answer)."""
    sent = {"Authorization": f"Bearer {token}", **(headers or {})}
    data = None
    if body is not None:
        data = orjson.dumps(body)
        sent["Content-Type"] = "application/json"
    async with client.request(method, url, data=data, headers=sent) as response:
        raw = await response.read()
        try:
            parsed: Any = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            parsed = raw.decode(errors="replace")
        return Answer(
            response.status,
            parsed,
            response.content_type,
            response.headers.get("Retry-After"),
            response.headers.get("Location"),
        )


async def get_ok(client: ClientSession, url: str, token: str, attempts: int = 20) -> Any:
    """A GET that must succeed; a 503 (views catching up, storage briefly away) is asked again."""
    answer = None
    for _ in range(attempts):
        answer = await request(client, "GET", url, token)
        if answer.status != 503:
            break
        await asyncio.sleep(0.25)
    assert answer is not None
    if answer.status != 200:
        msg = f"GET {url} gaf {answer.status}: {answer.body}"
        raise AssertionError(msg)
    return answer.body


async def read_log(client: ClientSession, base: str, auditor: str) -> list[dict[str, Any]]:
    """The municipality's whole log, page by page, through `GET /gebeurtenissen`."""
    events: list[dict[str, Any]] = []
    path: str | None = f"{BASE_PATH}/gebeurtenissen?limiet=1000"
    while path is not None:
        page = await get_ok(client, base + path, auditor)
        events.extend(page["gebeurtenissen"])
        path = page["volgende"]
    return events


def gaps(positions: list[int]) -> list[int]:
    """The positions missing from 1..n, or repeated (a log without gaps gives [])."""
    expected = list(range(1, len(positions) + 1))
    if positions == expected:
        return []
    present = set(positions)
    top = max(positions, default=0)
    missing = [p for p in range(1, top + 1) if p not in present]
    return missing or [p for p in positions if positions.count(p) > 1]


def amsterdam_day(offset: int = 0) -> str:
    """Today in the Netherlands (the servers' business date), moved by `offset` days."""
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    return (today + timedelta(days=offset)).isoformat()


def nonce() -> str:
    """A unique word to put in a text field, so the log shows how often a write was recorded."""
    return f"nonce-{secrets.token_hex(8)}"


@dataclass
class Municipality:
    """A fresh municipality of a store, with a token per role, and a body to give advice."""

    store: Store
    slug: str = field(default_factory=lambda: "t" + secrets.token_hex(4))
    tokens: dict[str, str] = field(default_factory=dict)
    body_id: str = ""

    def token(self, role: str) -> str:
        if role not in self.tokens:
            self.tokens[role] = self.store.quick_token(self.slug, role)
        return self.tokens[role]

    async def created(
        self, client: ClientSession, base: str, path: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """A POST by the beheerder that must succeed (201); its body."""
        answer = await request(
            client, "POST", base + BASE_PATH + path, self.token("beheerder"), body
        )
        assert answer.status == 201, f"POST {path} gaf {answer.status}: {answer.body}"
        created: dict[str, Any] = answer.body
        return created

    async def new_advice(self, client: ClientSession, base: str, points: int = 3) -> str:
        if not self.body_id:
            body = {"naam": "Adviesraad", "soort": "adviesraad"}
            self.body_id = (await self.created(client, base, "/adviesorganen", body))["id"]
        advice = {
            "adviesorgaan": self.body_id,
            "titel": f"Advies {nonce()}",
            "uitgebrachtOp": amsterdam_day(-10),
            "gevraagd": False,
            "punten": [{"tekst": f"Punt {n}"} for n in range(1, points + 1)],
        }
        return str((await self.created(client, base, "/adviezen", advice))["id"])

    async def log(self, client: ClientSession, base: str) -> list[dict[str, Any]]:
        return await read_log(client, base, self.token("auditor"))


def reaction(text: str, point: int = 1) -> dict[str, Any]:
    """The body of a reactie on `point` whose text is `text` (a nonce, say)."""
    return {
        "punt": point,
        "uitkomst": "kennisgenomen",
        "reactie": f"Reactie {text}",
        "gegevenOp": amsterdam_day(-1),
    }


def nonce_counts(events: list[dict[str, Any]]) -> Counter[str]:
    """How many events carry each nonce (an event counts once, however often it names it)."""
    import re

    found: Counter[str] = Counter()
    for event in events:
        found.update(
            set(re.findall(r"nonce-[0-9a-f]{16}", orjson.dumps(event["gegevens"]).decode()))
        )
    return found
