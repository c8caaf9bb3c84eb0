"""`GET /gebeurtenissen/stroom`: server-sent events (aiohttp-sse) of new events, for as long as the
caller listens. One poller per municipality reads the log and hands each new page to every
listener; it also checks every listener's token at once, so a revoked token's stream ends within
a second. Auditors get each event whole; other roles what changed (position, type, record,
moment), without the stored data, as they may not read the log itself."""

import asyncio
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Final, Literal

import orjson
from aiohttp import web
from aiohttp_sse import EventSourceResponse

from api.http import answers as A  # noqa: N812 - the table of answers
from api.http.events import log_event
from api.http.fields import Named
from api.http.headers import add_every
from api.http.pipeline import REQUEST_ID, Call, Route, Services
from api.http.problems import InvalidParam, invalid
from api.http.queries import StreamQuery
from events import Role
from ledger.rules import READING_ROLES
from projections.log import LogRow

POLL_SECONDS: Final = 0.25
TOKEN_CHECK_SECONDS: Final = 0.5
KEEPALIVE_SECONDS: Final = 15.0
PAGE: Final = 500
_POSITION: Final = re.compile(r"[0-9]{1,18}")
REVOKED: Final = orjson.dumps({"reden": "token ingetrokken"}).decode()
FEEDS = web.AppKey("stream_feeds", dict)
# A page of new events, or the end: the token was revoked, or the listener or the server left.
Batch = list[LogRow] | Literal["revoked", "end"]


@dataclass(eq=False)
class Listener:
    token_id: str
    alive: Callable[[], bool]
    inbox: asyncio.Queue[Batch] = field(default_factory=asyncio.Queue)


class Feed:
    """The new events of one municipality, read once per poll for all its listeners."""

    def __init__(self, services: Services, municipality: str) -> None:
        self.services = services
        self.municipality = municipality
        self.listeners: set[Listener] = set()
        self.after: int | None = None  # the last position handed out
        self.task: asyncio.Task[None] | None = None

    def join(self, listener: Listener) -> None:
        self.listeners.add(listener)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._poll())

    def leave(self, listener: Listener) -> None:
        self.listeners.discard(listener)

    async def _poll(self) -> None:
        log = self.services.read_models[self.municipality].log
        edge, loop = self.services.edge_store, asyncio.get_running_loop()
        if self.after is None:
            self.after = await self.services.run(log.last_position)
        checked = loop.time()
        while self.listeners:
            for listener in [li for li in self.listeners if not li.alive()]:
                listener.inbox.put_nowait("end")
                self.leave(listener)
            rows = await self.services.run(partial(log.read, after=self.after, limit=PAGE))
            if rows:
                self.after = rows[-1].position
                for listener in self.listeners:
                    listener.inbox.put_nowait(rows)
            if loop.time() - checked >= TOKEN_CHECK_SECONDS:
                ids = {listener.token_id for listener in self.listeners}
                valid = await self.services.run(partial(edge.valid_tokens, ids))
                for listener in [li for li in self.listeners if li.token_id not in valid]:
                    listener.inbox.put_nowait("revoked")
                    self.leave(listener)
                checked = loop.time()
            if len(rows) < PAGE:
                await asyncio.sleep(POLL_SECONDS)


def setup(app: web.Application) -> None:
    """A feed per municipality; streams end when the server stops, so a graceful shutdown is not
    held up by listeners."""
    feeds: dict[str, Feed] = {}
    app[FEEDS] = feeds

    async def close_streams(_app: web.Application) -> None:
        for feed in feeds.values():
            for listener in list(feed.listeners):
                listener.inbox.put_nowait("end")
            feed.listeners.clear()
            if feed.task is not None:
                feed.task.cancel()

    app.on_shutdown.append(close_streams)


def _last_seen(call: Call) -> int | None:
    """The position in `Last-Event-ID`: a positive whole number of at most 18 digits, else 400."""
    given = call.request.headers.get("Last-Event-ID")
    if given is None or given == "":
        return None
    if not _POSITION.fullmatch(given) or int(given) < 1:
        reason = "Een positie: een positief geheel getal van hoogstens 18 cijfers."
        raise invalid([InvalidParam("Last-Event-ID", reason)])
    return int(given)


async def stream_events(call: Call) -> web.StreamResponse:
    start, last_seen = call.query_as(StreamQuery).vanaf, _last_seen(call)
    services, municipality = call.services, call.caller.municipality
    feeds: dict[str, Feed] = call.request.app[FEEDS]
    feed = feeds.get(municipality) or feeds.setdefault(municipality, Feed(services, municipality))
    log = services.read_models[municipality].log
    if start is not None:
        after = start - 1
    elif last_seen is not None:
        after = last_seen  # resume after the last event the client saw
    else:
        after = await services.run(log.last_position)  # a new listener: what comes next
    whole = call.caller.role is Role.AUDITOR
    transport = call.request.transport
    listener = Listener(
        call.caller.token_id, lambda: transport is not None and not transport.is_closing()
    )
    response = EventSourceResponse(sep="\n", ping_interval=KEEPALIVE_SECONDS)
    add_every(response, call.request[REQUEST_ID])  # it starts sending here, before the edge
    await response.prepare(call.request)

    async def send(rows: list[LogRow]) -> None:
        nonlocal after
        for row in rows:
            if row.position <= after:
                continue  # the backlog and the feed may both hold it
            answer = A.Gebeurtenis.model_validate(log_event(row))
            include = None if whole else set(A.SUMMARY_FIELDS)
            data = answer.model_dump_json(by_alias=True, include=include)
            await response.send(data, id=str(row.position), event="gebeurtenis")
            after = row.position

    feed.join(listener)  # first, so that nothing recorded during the backlog is missed
    try:
        while len(backlog := await services.run(partial(log.read, after, PAGE))) > 0:
            await send(backlog)
        while isinstance(batch := await listener.inbox.get(), list):
            if batch[0].position > after + 1:  # more came before this poll than one page
                await send(
                    await services.run(partial(log.read, after, PAGE, batch[0].position - 1))
                )
            await send(batch)
        if batch == "revoked":
            await response.send(REVOKED, event="einde")
    except ConnectionResetError:
        pass  # the listener went away: the normal end of a stream, nothing to report
    finally:
        feed.leave(listener)
        with contextlib.suppress(Exception):
            response.stop_streaming()
    return response


STREAM: Final = Named(
    "Gebeurtenissenstroom",
    {
        "type": "string",
        "description": "text/event-stream: per gebeurtenis `id: <positie>`, `event: gebeurtenis` "
        "en `data: <JSON>`; hervat met de header Last-Event-ID of met `vanaf`.",
    },
)

ROUTES: Final = (
    Route(
        "GET",
        "/gebeurtenissen/stroom",
        "stroomGebeurtenissen",
        "Nieuwe gebeurtenissen als server-sent events",
        tag="gebeurtenissen",
        roles=READING_ROLES,
        stream=stream_events,
        query=StreamQuery,
        response=STREAM,
        media_type="text/event-stream",
        description="Een auditor krijgt elke gebeurtenis volledig; andere rollen krijgen positie, "
        "type, record en moment, zonder de opgeslagen gegevens.",
    ),
)
