"""The request pipeline: routes and their endpoints (authentication, input, idempotency), and the
middlewares for request logging, trailing slashes and errors as problem+json."""

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar
from uuid import UUID, uuid4

import orjson
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler as AiohttpHandler

from api.edge_store import EdgeStore
from api.http import idempotency
from api.http.auth import Principal, authenticate, authorize
from api.http.problems import InvalidParam, ProblemError, from_http, from_ledger, invalid
from api.http.recorded import answer, row_of
from api.http.schemas import WHOLE_BODY, NamedSchema, Schema, check, parse_query
from api.logging import get_logger
from api.settings import Settings
from events import Role
from ledger import (
    Actor,
    AdviceLedger,
    IdempotencyKey,
    KeyRecord,
    LedgerError,
    Ledgers,
    Recorded,
)
from ledger.storage import is_storage_failure
from projections import ReadModel, ReadModels, swap
from projections.log import LogReader, LogRow
from projections.read_model import LogDamagedError

T = TypeVar("T")
CLIENT_GONE: Final = 499  # logged (never sent) when the caller hung up before the answer
# Patterns are matched whole (`fullmatch`): `$` would let a trailing newline through.
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_ETAG: Final = re.compile(r'"([0-9]{1,18})"')
# One spelling per record: a lower-case UUID with dashes; any other spelling names nothing.
_CANONICAL_ID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

log = get_logger("api")


@dataclass(frozen=True)
class Services:
    """What handlers work with; every call into them is blocking, so it runs in `executor`."""

    ledgers: Ledgers
    edge_store: EdgeStore
    read_models: ReadModels
    executor: ThreadPoolExecutor
    settings: Settings

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, work)


Handler = Callable[["Call"], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    """One operation: served by `handler` and described in the OpenAPI document by the rest."""

    method: Literal["GET", "POST"]
    path: str  # below the base path, e.g. "/adviezen/{id}/reacties"
    handler: Handler
    operation_id: str
    summary: str
    tag: str
    roles: frozenset[Role] | None  # None: public, no token needed
    status: int = 200
    body: NamedSchema | None = None
    query: Mapping[str, Schema] = field(default_factory=dict)
    response: NamedSchema | None = None
    command: str | None = None  # the ledger command, to name invalid fields in API terms
    if_match: bool = False
    errors: frozenset[int] = frozenset()  # statuses beyond those every such operation has
    description: str = ""
    media_type: str = "application/json"  # of the success answer; server-sent events differ
    csv: bool = False  # also answers `Accept: text/csv` (api/csv_answer.py)


REQUEST_ID = web.RequestKey("request_id", str)
PRINCIPAL = web.RequestKey("principal", Principal)
ROUTE = web.RequestKey("route", Route)


@dataclass
class Call:
    """One request as a handler sees it: authenticated, its query and body checked."""

    request: web.Request
    route: Route
    services: Services
    principal: Principal | None = None
    query: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    key: IdempotencyKey | None = None

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "only for routes that need a token"
        return self.principal

    @property
    def actor(self) -> Actor:
        return self.caller.actor(self.request[REQUEST_ID])

    def path_id(self, name: str = "id") -> UUID:
        """A record id from the path, in its one spelling; anything else names nothing: 404."""
        given = self.request.match_info[name]
        if not _CANONICAL_ID.fullmatch(given):
            raise ProblemError(404, "Dit record bestaat niet in deze gemeente.")
        return UUID(given)

    def expected_version(self) -> int | None:
        """The version `If-Match: "<versie>"` expects; None without the header or with `*`."""
        header = self.request.headers.get(hdrs.IF_MATCH)
        if header is None or header.strip() == "*":
            return None
        found = _ETAG.fullmatch(header.strip())
        if not found:
            reason = 'Gebruik If-Match: "<versie>", bijvoorbeeld "3".'
            raise invalid([InvalidParam("If-Match", reason)])
        return int(found.group(1))

    async def run(self, work: Callable[[], T]) -> T:
        return await self.services.run(work)

    async def ledger(self, command: Callable[[AdviceLedger], T]) -> T:
        """Run a command on the caller's municipality's ledger, off the event loop."""
        ledgers, municipality = self.services.ledgers, self.caller.municipality
        return await self.run(lambda: command(ledgers[municipality]))

    async def record(self, command: Callable[[AdviceLedger], Recorded]) -> web.Response:
        """Run a command (once per Idempotency-Key) and answer 201 with what was stored."""
        ledgers, municipality, key = self.services.ledgers, self.caller.municipality, self.key

        def work() -> LogRow:
            ledger = ledgers[municipality]
            if key is None:
                return row_of(command(ledger))
            outcome = ledger.once(key, lambda: command(ledger))
            if isinstance(outcome, Recorded):
                return row_of(outcome)
            return self._stored_row(outcome)

        row = await self.run(work)
        made = answer(row, municipality)
        headers = {"Location": made.location}
        if made.etag is not None:
            headers["ETag"] = made.etag
        return json_response(made.body, 201, headers)

    def _stored_row(self, found: KeyRecord) -> LogRow:
        """The event a stored key recorded, to answer again (a different body is 409)."""
        assert self.key is not None
        idempotency.check_same_request(self.key, found)
        rows = self.read_model.log.read(after=found.position - 1, limit=1)
        assert rows, "a stored key points at a stored event"
        return rows[0]

    @property
    def read_model(self) -> ReadModel:
        """The caller's municipality's views and log reader (blocking: use inside `run`)."""
        return self.services.read_models[self.caller.municipality]

    async def log(self, read: Callable[[LogReader], T]) -> T:
        reader = self.read_model.log
        return await self.run(lambda: read(reader))


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status, body=orjson.dumps(data), content_type="application/json", headers=headers
    )


async def read_json(request: web.Request, max_body: int) -> Any:
    """The JSON body: 415 for another content type, 413 above 1 MiB, 400 for broken JSON or
    none at all (a missing body is missing input, whatever type it would have had)."""
    charset = (request.charset or "utf-8").lower()
    if not request.body_exists:
        raise invalid([InvalidParam(WHOLE_BODY, "De inhoud ontbreekt; stuur een JSON-object.")])
    if hdrs.CONTENT_TYPE not in request.headers or request.content_type != "application/json":
        raise ProblemError(415, "Stuur de inhoud als JSON: Content-Type: application/json.")
    if charset not in ("utf-8", "utf8"):
        raise ProblemError(415, "Stuur JSON in UTF-8.")
    if request.content_length is not None and request.content_length > max_body:
        raise from_http(web.HTTPRequestEntityTooLarge(max_body, request.content_length))
    raw = await request.read()
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise invalid([InvalidParam(WHOLE_BODY, f"Geen geldige JSON ({error.msg}).")]) from None
    duplicated = duplicate_keys(raw) if b'"' in raw else []
    if duplicated:
        reason = "Dit veld staat twee keer in het object; geef elk veld één keer."
        raise invalid([InvalidParam(name, reason) for name in duplicated])
    return parsed


class _Duplicates(list[str]):
    """The keys found twice in one object (orjson, like most parsers, silently keeps the last)."""

    def hook(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen and key not in self:
                self.append(key)
            seen.add(key)
        return dict(pairs)


def duplicate_keys(raw: bytes) -> list[str]:
    """Every key that occurs twice in one object of this (valid) JSON document."""
    found = _Duplicates()
    with contextlib.suppress(ValueError):  # orjson read it; the standard parser may be stricter
        json.loads(raw, object_pairs_hook=found.hook)
    return list(found)


def endpoint(route: Route, services: Services) -> AiohttpHandler:
    """The aiohttp handler of a route: token, role, query, body and idempotency, then the work."""

    async def handle(request: web.Request) -> web.StreamResponse:
        request[ROUTE] = route
        call = Call(request, route, services)
        if route.roles is not None:
            header = request.headers.get(hdrs.AUTHORIZATION)
            call.principal = await authenticate(header, services.edge_store, services.run)
            request[PRINCIPAL] = call.principal
            authorize(call.principal, route.roles)
        call.query = parse_query(route.query, request.query, [k for k, _ in request.query.items()])
        if route.method != "POST":
            return await route.handler(call)
        body = await read_json(request, services.settings.max_body)
        if route.body is not None:
            check(route.body.schema, body)
        if route.if_match:
            call.expected_version()  # a malformed If-Match is invalid input, also on a replay
        call.body = body
        key = request.headers.get(idempotency.HEADER)
        if key is not None and call.principal is not None:
            call.key = idempotency.key_for(
                call.principal.token_id, route.method, request.path, key, body
            )
        return await route.handler(call)

    return handle


def request_id_of(request: web.Request) -> str:
    """The caller's X-Request-ID when it is a sensible one, else a new UUID."""
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.fullmatch(given) else str(uuid4())


@web.middleware
async def log_requests(request: web.Request, handler: AiohttpHandler) -> web.StreamResponse:
    """One JSON line per request: who (token name and role, never the token), what, how long."""
    started = time.perf_counter()
    request[REQUEST_ID] = request_id_of(request)
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except ConnectionResetError:
        status = CLIENT_GONE
        raise
    finally:
        principal = request.get(PRINCIPAL)
        log.info(
            "request",
            method=request.method,
            path=request.path,
            status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            request_id=request[REQUEST_ID],
            who=None
            if principal is None
            else {"name": principal.name, "role": principal.role_word},
            municipality=None if principal is None else principal.municipality,
        )


@web.middleware
async def problems(request: web.Request, handler: AiohttpHandler) -> web.StreamResponse:
    """The one place errors become answers: problem+json for every 4xx and 5xx."""
    try:
        return await handler(request)
    except ProblemError as problem:
        return problem.response()
    except LedgerError as error:
        route = request.get(ROUTE)
        return from_ledger(error, route.command if route else None).response()
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return from_http(error).response()
    except ConnectionResetError:
        raise  # the caller went away: nobody to answer, and no fault of ours
    except LogDamagedError as error:
        log.error("log_damaged", path=request.path, detail=str(error))
        return ProblemError(503, str(error), headers={"Retry-After": "60"}).response()
    except Exception as error:
        if is_storage_failure(error) or swap.is_damaged(error):
            # Disk full, a lock held too long, a connection lost: nothing was stored, and the
            # same request may succeed in a moment. One line, without a traceback.
            log.warning(
                "store_unavailable",
                path=request.path,
                request_id=request.get(REQUEST_ID),
                error=f"{type(error).__name__}: {error}",
            )
            msg = "De opslag is even niet beschikbaar; er is niets vastgelegd. Probeer het zo weer."
            return ProblemError(503, msg, headers={"Retry-After": "1"}).response()
        log.exception("unhandled", path=request.path, request_id=request.get(REQUEST_ID))
        msg = "Er ging aan onze kant iets mis; het is vastgelegd in het serverlog."
        return ProblemError(500, msg).response()


@web.middleware
async def no_trailing_slash(request: web.Request, handler: AiohttpHandler) -> web.StreamResponse:
    """NL API rule /core/no-trailing-slash: 404, no redirect, before any authentication."""
    if request.path != "/" and request.path.endswith("/"):
        raise ProblemError(404, "Deze URL bestaat niet; laat de slash aan het eind weg.")
    return await handler(request)


MIDDLEWARES: Final = (log_requests, problems, no_trailing_slash)
