"""`GET /gebeurtenissen/stroom`: server-sent events of new events, for as long as the caller
listens. Auditors get each event whole; other roles get what changed (position, type, record,
moment), without the stored data, as they may not read the log itself."""

import asyncio
import re
import time
from functools import partial
from typing import Any, Final

import orjson
from aiohttp import web

from api.http.pipeline import Call, Route
from api.http.problems import InvalidParam, invalid
from api.http.schemas import LARGEST_QUERY_INTEGER, named
from api.http.translate import log_event
from events import Role
from ledger.rules import READING_ROLES
from projections.log import LogReader, LogRow

READERS: Final = READING_ROLES
POLL_SECONDS: Final = 0.25
TOKEN_CHECK_SECONDS: Final = 0.5
_POSITION: Final = re.compile(r"[0-9]{1,18}")
REVOKED: Final = b'event: einde\ndata: {"reden":"token ingetrokken"}\n\n'
KEEPALIVE_SECONDS: Final = 15.0
PAGE: Final = 500
CLOSING = web.AppKey("stream_closing", asyncio.Event)


def setup(app: web.Application) -> None:
    """Streams end when the server stops, so a graceful shutdown is not held up by listeners."""
    app[CLOSING] = asyncio.Event()

    async def close_streams(app: web.Application) -> None:
        app[CLOSING].set()

    app.on_shutdown.append(close_streams)


def _summary(row: LogRow) -> dict[str, Any]:
    whole = log_event(row)
    return {key: whole[key] for key in ("positie", "type", "vastgelegdOp", "id", "versie")}


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
    request = call.request
    start, last_seen = call.query.get("vanaf"), _last_seen(call)
    if start is not None:
        after = start - 1
    elif last_seen is not None:
        after = last_seen  # resume after the last event the client saw
    else:
        after = await call.log(LogReader.last_position)  # a new listener: what comes next
    whole = call.caller.role is Role.AUDITOR
    token_id, edge = call.caller.token_id, call.services.edge_store
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    closing = request.app[CLOSING]
    quiet = 0.0
    checked = time.monotonic()
    try:
        while not closing.is_set() and _listening(request):
            if time.monotonic() - checked >= TOKEN_CHECK_SECONDS:
                # A revoked token stops working everywhere within a second, streams included.
                if not await call.run(lambda: edge.token_valid(token_id)):
                    await response.write(b'event: einde\ndata: {"reden":"token ingetrokken"}\n\n')
                    break
                checked = time.monotonic()
            rows = await call.log(partial(LogReader.read, after=after, limit=PAGE))
            for row in rows:
                item = log_event(row) if whole else _summary(row)
                payload = orjson.dumps(item).decode()
                frame = f"id: {row.position}\nevent: gebeurtenis\ndata: {payload}\n\n"
                await response.write(frame.encode())
                after = row.position
            if rows:
                quiet = 0.0
                continue
            if quiet >= KEEPALIVE_SECONDS:
                await response.write(b": nog verbonden\n\n")
                quiet = 0.0
            try:
                await asyncio.wait_for(closing.wait(), POLL_SECONDS)
            except TimeoutError:
                quiet += POLL_SECONDS
    except ConnectionResetError:
        pass  # the listener went away: the normal end of a stream, nothing to report
    return response


def _listening(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


STREAM: Final = named(
    "Gebeurtenissenstroom",
    {
        "type": "string",
        "description": "text/event-stream: per gebeurtenis `id: <positie>`, `event: gebeurtenis` "
        "en `data: <JSON>`; hervat met de header Last-Event-ID of met `vanaf`.",
    },
)

ROUTES: Final = [
    Route(
        "GET",
        "/gebeurtenissen/stroom",
        stream_events,
        operation_id="stroomGebeurtenissen",
        summary="Nieuwe gebeurtenissen als server-sent events",
        tag="gebeurtenissen",
        roles=READERS,
        query={
            "vanaf": {
                "type": "integer",
                "minimum": 1,
                "maximum": LARGEST_QUERY_INTEGER,
                "description": "Begin bij deze positie (inclusief); zonder: na Last-Event-ID, "
                "of bij wat hierna komt.",
            }
        },
        response=STREAM,
        media_type="text/event-stream",
        description="Een auditor krijgt elke gebeurtenis volledig; andere rollen krijgen positie, "
        "type, record en moment, zonder de opgeslagen gegevens.",
    )
]
