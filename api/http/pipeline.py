"""The request pipeline: what a route is, and how one request becomes its answer.

A request with a token takes at most one hop to a worker thread: there the token is looked up and
its role checked, the query string and body decoded into the route's models, and the route's work
done (a read after the views caught up, or one ledger command) up to the encoded answer.

A read of one record by id on SQLite (a route marked `light`) takes no hop at all: its queries
take microseconds on a local file, less than the hop to a thread and back, so it runs on the event
loop, as long as the views are current and it is no time travel. Otherwise the read goes to a
worker thread, which catches the views up first (that may take a while); lists, views across the
municipality and scans of the log always do, as they may take milliseconds and would stall every
other request on the loop. Writes always go to a thread: a durable commit waits for the disk.
"""

import asyncio
import contextvars
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar
from uuid import UUID

import orjson
import structlog
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler as AiohttpHandler
from pydantic import BaseModel, ValidationError

from api.edge_store import EdgeStore
from api.http import idempotency
from api.http.answer_cache import AnswerCache
from api.http.auth import Principal, authenticate, authorize, bearer_secret, unauthenticated
from api.http.fields import CANONICAL_ID, Request
from api.http.invalid import WHOLE_BODY, decode, query_of
from api.http.problems import InvalidParam, ProblemError, from_http, invalid
from api.http.queries import NoQuery
from api.http.requests import Command, Target
from api.settings import Settings
from events import Role
from ledger import Actor, IdempotencyKey, Ledgers
from projections import ReadModel, ReadModels

T = TypeVar("T")


class OffTheLoop(Exception):  # noqa: N818 - a signal to the pipeline, not an error
    """This read cannot be answered on the event loop (the views must catch up first)."""


M = TypeVar("M", bound=Request)
_ETAG: Final = re.compile(r'"([0-9]{1,18})"')


@dataclass(frozen=True)
class Services:
    """What routes work with; every call into them blocks, so it runs in `executor`."""

    ledgers: Ledgers
    edge_store: EdgeStore
    read_models: ReadModels
    executor: ThreadPoolExecutor
    settings: Settings
    answers: AnswerCache[tuple[bytes, str]]

    async def run(self, work: Callable[[], T]) -> T:
        """`work` on a worker thread, with this request's log context (request id, caller)."""
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self.executor, context.run, work)


Work = Callable[["Call"], web.StreamResponse]
Stream = Callable[["Call"], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    """One operation: served by `work` (or `stream`) and described in the OpenAPI document."""

    method: Literal["GET", "POST"]
    path: str  # below the base path, e.g. "/adviezen/{id}/reacties"
    operation_id: str
    summary: str
    tag: str
    roles: frozenset[Role] | None  # None: public, no token needed
    work: Work | None = None  # blocking: runs on a worker thread, after authentication
    stream: Stream | None = None  # on the event loop, after authentication
    status: int = 200
    body: type[Command] | None = None
    query: type[Request] = NoQuery
    response: Any = None  # a model class, or a `Named` schema (see openapi.py)
    if_match: bool = False
    errors: frozenset[int] = frozenset()  # statuses beyond those every such operation has
    description: str = ""
    media_type: str = "application/json"  # of the success answer; server-sent events differ
    csv: bool = False  # also answers `Accept: text/csv` (api/http/csv.py)
    # One record by id: answered on the event loop while the views are current (SQLite), as
    # it takes microseconds. Every other read (lists, views, scans, time travel) may take
    # milliseconds or more and runs on a worker thread, so it never stalls the other requests.
    light: bool = False


REQUEST_ID = web.RequestKey("request_id", str)
PRINCIPAL = web.RequestKey("principal", Principal)
ROUTE = web.RequestKey("route", Route)
_EMPTY: dict[type[Request], Request | None] = {}
_NO_QUERY: Final = NoQuery()


@dataclass
class Call:
    """One request as a route's work sees it: authenticated, its query and body decoded."""

    request: web.Request
    route: Route
    services: Services
    principal: Principal | None = None
    query: Request = field(default_factory=lambda: _NO_QUERY)  # one, not a model per request
    body: Command | None = None
    document: Any = None  # the body as plain JSON
    on_loop: bool = False  # running on the event loop: a read that must not wait
    views_position: int = 0  # where the views were when this read began (read-your-writes)

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "only for routes that need a token"
        return self.principal

    @property
    def actor(self) -> Actor:
        return self.caller.actor(self.request[REQUEST_ID])

    def query_as(self, kind: type[M]) -> M:
        assert isinstance(self.query, kind), "the route declares this query model"
        return self.query

    def record_id(self, name: str = "id") -> str:
        """A record id from the path, in its one spelling (that of `str(UUID)`); anything else
        names nothing: 404."""
        given = self.request.match_info[name]
        if not CANONICAL_ID.fullmatch(given):
            raise ProblemError(404, "Dit record bestaat niet in deze gemeente.")
        return given

    def path_id(self, name: str = "id") -> UUID:
        return UUID(self.record_id(name))

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

    @property
    def read_model(self) -> ReadModel:
        """The caller's municipality's views and log reader (blocking: use on a worker)."""
        return self.services.read_models[self.caller.municipality]

    # The hop ----------------------------------------------------------------------------

    def admit(self, secret: str) -> None:
        """The caller (401), its role (403), then the query string (400)."""
        self.principal = authenticate(secret, self.services.edge_store)
        structlog.contextvars.bind_contextvars(
            who=self.principal.token_id, municipality=self.principal.municipality
        )
        authorize(self.principal, self.route.roles or frozenset())
        self.query = _query(self.route.query, self.request)

    def serve(
        self, secret: str, raw: bytes | None, refused: ProblemError | None
    ) -> web.StreamResponse:
        """Everything of a request with a token, on a worker thread, up to its answer."""
        self.admit(secret)
        if refused is not None:
            raise refused
        if self.route.body is not None:
            assert raw is not None
            self.body, self.document = decode(raw, self.route.body)
        assert self.route.work is not None
        return self.route.work(self)

    def target(self, expected: int | None) -> Target:
        """What a command is about: the records the path names, the version If-Match expects."""
        path = self.request.match_info
        return Target(
            self.actor,
            advice_id=self.path_id() if "id" in path else None,
            promise_id=self.path_id("toezeggingId") if "toezeggingId" in path else None,
            expected_version=expected,
        )

    def idempotency_key(self) -> IdempotencyKey | None:
        given = self.request.headers.get(idempotency.HEADER)
        if given is None:
            return None
        request = self.request
        return idempotency.key_for(
            self.caller.token_id, request.method, request.path, given, self.document
        )


def _query(model: type[Request], request: web.Request) -> Request:
    if model not in _EMPTY:
        # The model without any key, made once; None when it has required keys (a query without
        # them is then checked, and refused, like any other).
        try:
            _EMPTY[model] = model()
        except ValidationError:
            _EMPTY[model] = None
    if not request.query_string:
        return query_of(model, (), _EMPTY[model])  # no query string to parse
    return query_of(model, list(request.query.items()), _EMPTY[model])


async def _raw_body(request: web.Request, max_body: int) -> tuple[bytes, ProblemError | None]:
    """The body's bytes, or why it is refused: 415 for another content type, 413 above the
    limit, 400 for none at all. The refusal waits until the caller is known (401 and 403 first)."""
    if not request.body_exists:
        reason = "De inhoud ontbreekt; stuur een JSON-object."
        return b"", invalid([InvalidParam(WHOLE_BODY, reason)])
    if hdrs.CONTENT_TYPE not in request.headers or request.content_type != "application/json":
        msg = "Stuur de inhoud als JSON: Content-Type: application/json."
        return b"", ProblemError(415, msg)
    if (request.charset or "utf-8").lower() not in ("utf-8", "utf8"):
        return b"", ProblemError(415, "Stuur JSON in UTF-8.")
    if request.content_length is not None and request.content_length > max_body:
        too_large = web.HTTPRequestEntityTooLarge(max_body, request.content_length)
        return b"", from_http(too_large)
    try:
        return await request.read(), None
    except web.HTTPRequestEntityTooLarge as error:
        return b"", from_http(error)


def endpoint(route: Route, services: Services) -> AiohttpHandler:
    """The aiohttp handler of a route."""
    # Decided once per route, not per request: whether its read may be tried on the event loop.
    on_loop = route.light and services.ledgers.store.backend == "sqlite"

    async def handle(request: web.Request) -> web.StreamResponse:
        request[ROUTE] = route
        call = Call(request, route, services)
        if route.roles is None:
            call.query = _query(route.query, request)
            work = route.work
            assert work is not None
            # Public routes read the store too (the latest checkpoint): on a worker thread.
            return await services.run(lambda: work(call))
        secret = bearer_secret(request.headers.get(hdrs.AUTHORIZATION))
        if secret is None:
            raise unauthenticated("Meld u aan met een token: Authorization: Bearer <token>.")
        try:
            if route.stream is not None:
                await services.run(lambda: call.admit(secret))
                request[PRINCIPAL] = call.caller
                return await route.stream(call)
            raw, refused = (b"", None)
            if route.method == "POST":
                raw, refused = await _raw_body(request, services.settings.max_body)
            elif on_loop:
                try:
                    call.on_loop = True
                    return call.serve(secret, raw, refused)
                except OffTheLoop:
                    call.on_loop = False
            response = await services.run(lambda: call.serve(secret, raw, refused))
        finally:
            if call.principal is not None:
                request[PRINCIPAL] = call.principal  # for the log line
        return response

    return handle


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """An answer as JSON: a model under its Dutch names, or plain data."""
    if isinstance(data, BaseModel):
        body = data.__pydantic_serializer__.to_json(data, by_alias=True)
    else:
        body = orjson.dumps(data)
    return web.Response(status=status, body=body, content_type="application/json", headers=headers)
