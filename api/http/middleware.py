"""What wraps every request, in one middleware: its log line and context, no trailing slash,
errors as problem+json (or a page), the headers every response carries."""

import os
import re
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Final

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from api.http.headers import add_every
from api.http.pipeline import PRINCIPAL, REQUEST_ID, ROUTE
from api.http.problems import ProblemError, from_http, from_ledger
from api.logging import get_logger, request_line
from ledger import LedgerError
from ledger.storage import is_storage_failure
from projections import swap
from projections.read_model import LogDamagedError

CLIENT_GONE: Final = 499  # logged (never sent) when the caller hung up before the answer
# Matched whole (`fullmatch`): `$` would let a trailing newline through.
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}")

log = get_logger("api")


def request_id_of(request: web.Request) -> str:
    """The caller's X-Request-ID when it is a sensible one, else a new random one (128 bits in
    hex: a fifth of what formatting a UUID costs)."""
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.fullmatch(given) else os.urandom(16).hex()


# The pages' part of the edge (api/pages/render.py: sessions, a slash at the end redirected,
# problem+json answered as a Dutch page): it gets the request and the API's inner part.
PageLayer = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]
PageHeaders = Callable[[web.Request, web.StreamResponse], None]


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def edge(pages: tuple[PageLayer, PageHeaders] | None = None) -> Middleware:
    """The one middleware around every request (each layer, and aiohttp's response hook, costs
    coroutines per request): its id and log context, no trailing slash, errors as problem+json
    (or, for a page, as a Dutch page), the headers every response carries, one log line (who by
    token id and role, never the token; what; how long)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        request_id = request[REQUEST_ID] = request_id_of(request)
        # Requests on one connection share a task and so a context: overwrite, rather than
        # clear (which walks every context variable there is).
        structlog.contextvars.bind_contextvars(request_id=request_id, who=None, municipality=None)
        status = 500
        try:
            if pages is None or is_api(request.path):
                refused = _slash(request)
                response = refused if refused is not None else await _answered(request, handler)
                add_every(response, request_id)
            else:
                response = await pages[0](request, partial(_api, handler=handler))
                add_every(response, request_id)
                pages[1](request, response)
            status = response.status
            return response
        except web.HTTPException as moved:  # a redirect raised by a route: answered by aiohttp
            add_every(moved, request_id)
            if pages is not None and not is_api(request.path):
                pages[1](request, moved)
            status = moved.status
            raise
        except ConnectionResetError:
            status = CLIENT_GONE  # the caller went away: nobody to answer, and no fault of ours
            raise
        finally:
            principal = request.get(PRINCIPAL)
            request_line(
                {
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    "request_id": request_id,
                    # The token's id, never its name: a name is personal data that can be
                    # forgotten (adviesspoor forget), and a log line cannot be.
                    "who": None
                    if principal is None
                    else {"token": principal.token_id, "role": principal.role_word},
                    "municipality": None if principal is None else principal.municipality,
                },
            )

    return middleware


def _slash(request: web.Request) -> web.Response | None:
    """NL API rule /core/no-trailing-slash: 404, no redirect, before any authentication."""
    if request.path != "/" and request.path.endswith("/"):
        msg = "Deze URL bestaat niet; laat de slash aan het eind weg."
        return ProblemError(404, msg).response()
    return None


async def _api(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The API's part, as the pages' part calls it (an API request awaits one layer less)."""
    refused = _slash(request)
    return refused if refused is not None else await _answered(request, handler)


async def _answered(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The one place errors become answers: problem+json for every 4xx and 5xx."""
    try:
        return await handler(request)
    except ProblemError as problem:
        return problem.response()
    except LedgerError as error:
        route = request.get(ROUTE)
        body = route.body if route else None
        return from_ledger(error, body.LEDGER_FIELDS if body else None).response()
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return from_http(error).response()
    except ConnectionResetError:
        raise
    except LogDamagedError as error:
        log.error("log_damaged", path=request.path, detail=str(error))
        return ProblemError(503, str(error), headers={"Retry-After": "60"}).response()
    except Exception as error:
        if is_storage_failure(error) or swap.is_damaged(error):
            # Disk full, a lock held too long, a connection lost: nothing was stored, and the
            # same request may succeed in a moment. One line, without a traceback.
            log.warning(
                "store_unavailable", path=request.path, error=f"{type(error).__name__}: {error}"
            )
            msg = "De opslag is even niet beschikbaar; er is niets vastgelegd. Probeer het zo weer."
            return ProblemError(503, msg, headers={"Retry-After": "1"}).response()
        log.exception("unhandled", path=request.path)
        msg = "Er ging aan onze kant iets mis; het is vastgelegd in het serverlog."
        return ProblemError(500, msg).response()
