"""What every page shares: the templates, the session cookie, who is signed in, CSRF, reading the
views (read-your-writes), Dutch error pages, and the headers (a strict Content-Security-Policy).

The JSON API's pipeline stays as it is: its trailing-slash rule and problem+json apply to `/api`
only. A page handler answers HTML itself; what its middlewares still turn into problem+json (an
unknown address, a method a page does not take, a crash) is answered here as a Dutch HTML page.
"""

import base64
import hmac
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, TypeVar
from uuid import UUID

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_session import Session, get_session, new_session, session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from api.auth import Principal
from api.middlewares import PRINCIPAL, REQUEST_ID, Services
from api.problems import PROBLEM_JSON
from events import Role
from events.store import check_municipality
from ledger import Actor
from projections import ReadModel

T = TypeVar("T")
SESSION_KEY_SETTING: Final = "ADVIESSPOOR_SESSIESLEUTEL"
SESSION_SECONDS: Final = 8 * 3600  # a working day; then sign in again
COOKIE: Final = "adviesspoor_sessie"
READ_WAIT_SECONDS: Final = 5.0
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
OFFICE_ROLES: Final = frozenset({Role.ADMINISTRATOR, Role.SECRETARIAT})
_ERROR_TEXTS: Final = {
    400: ("Dit verzoek klopt niet", "De gegevens in het verzoek zijn niet te lezen."),
    403: ("Dit mag u niet", "U heeft geen toegang tot deze pagina."),
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres."),
    405: ("Dit kan hier niet", "Deze pagina kan dit verzoek niet verwerken."),
    413: ("Te groot", "Het bestand of formulier is te groot (meer dan 1 MB)."),
    503: ("Even niet bereikbaar", "De gegevens zijn even niet bereikbaar. Probeer het zo opnieuw."),
}


class PageError(Exception):
    """A page that cannot be shown: answered as a Dutch HTML error page with this status."""

    def __init__(self, status: int, detail: str | None = None) -> None:
        super().__init__(detail or "")
        self.status = status
        self.detail = detail


class Redirect(Exception):  # noqa: N818 - not an error: where the page sends the browser instead
    """Send the browser elsewhere (303 See Other after a form, or to sign in first)."""

    def __init__(self, location: str, status: int = 303) -> None:
        super().__init__(location)
        self.location = location
        self.status = status


def redirect(location: str, status: int = 303) -> web.Response:
    return web.Response(status=status, headers={"Location": location})


class SessionStorage(EncryptedCookieStorage):
    """Encrypted (Fernet) cookie, HttpOnly, SameSite=Strict, Secure when served over https."""

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: Session
    ) -> None:
        # No await inside: the shared parameters are set and used in one step of the loop.
        self._cookie_params["secure"] = request.secure
        await super().save_session(request, response, session)


def session_key() -> bytes:
    """ADVIESSPOOR_SESSIESLEUTEL (32 bytes, url-safe base64) for sessions that outlive a restart
    and span several servers; else a new key per process (sign in again after a restart)."""
    given = os.environ.get(SESSION_KEY_SETTING)
    if given:
        return base64.urlsafe_b64decode(given)
    return secrets.token_bytes(32)


@dataclass
class Site:
    """The pages' services: the JSON API's own (ledgers, read models, tokens, thread pool)."""

    services: Services
    _known: tuple[float, list[str]] = field(default=(0.0, []))

    async def run(self, work: Callable[[], T]) -> T:
        return await self.services.run(work)

    async def municipalities(self) -> list[str]:
        """The municipalities with a log, looked up at most every few seconds."""
        checked, known = self._known
        if time.monotonic() - checked > 5:
            known = await self.run(self.services.read_models.municipalities)
            self._known = (time.monotonic(), known)
        return known

    async def municipality(self, request: web.Request) -> str:
        slug = request.match_info["gemeente"]
        try:
            check_municipality(slug)
        except ValueError:
            raise PageError(404) from None
        if slug not in await self.municipalities():
            self._known = (0.0, [])
            if slug not in await self.municipalities():
                raise PageError(404)
        return slug

    def model(self, municipality: str) -> ReadModel:
        return self.services.read_models[municipality]

    async def read(self, municipality: str, work: Callable[[ReadModel], T]) -> T:
        """Read once the views hold every event committed before this request."""
        model = self.model(municipality)

        def run() -> T:
            try:
                model.ensure_current(timeout=READ_WAIT_SECONDS)
            except TimeoutError:
                raise PageError(503) from None
            return work(model)

        return await self.run(run)

    def today(self) -> date:
        return self.services.ledgers.today()


SITE = web.AppKey("pages_site", Site)


def site_of(request: web.Request) -> Site:
    return request.app[SITE]


# Who is signed in --------------------------------------------------------------------------


async def signed_in(request: web.Request) -> Principal | None:
    """The principal of this session, if its token is still valid (a revoked token ends it)."""
    session = await get_session(request)
    token_id = session.get("token")
    if token_id is None:
        return None
    site = site_of(request)
    valid = await site.run(lambda: site.services.edge_store.token_valid(token_id))
    if not valid or time.time() - float(session.get("since", 0)) > SESSION_SECONDS:
        session.invalidate()
        return None
    body = session.get("body")
    principal = Principal(
        token_id,
        session["name"],
        Role(session["role"]),
        session["municipality"],
        UUID(body) if body else None,
    )
    request[PRINCIPAL] = principal  # the request log names who asked
    return principal


async def start_session(request: web.Request, principal: Principal) -> None:
    """A fresh session (new cookie, new CSRF token) for a token that was just shown."""
    session = await new_session(request)
    session.update(
        token=principal.token_id,
        name=principal.name,
        role=principal.role.value,
        municipality=principal.municipality,
        body=str(principal.body_id) if principal.body_id else None,
        since=time.time(),
        csrf=secrets.token_urlsafe(32),
    )


async def require(
    request: web.Request, municipality: str, roles: frozenset[Role] | None = None
) -> Principal:
    """The signed-in principal of this municipality (with one of `roles`), else sign in first."""
    principal = await signed_in(request)
    if principal is None:
        target = request.path_qs if request.method == "GET" else request.path
        raise Redirect(f"/aanmelden?{_next_query(target)}")
    if principal.municipality != municipality:
        raise PageError(404)
    if roles is not None and principal.role not in roles:
        raise PageError(403, "Uw rol mag dit niet doen.")
    return principal


def _next_query(target: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"terug": target})


def actor_of(request: web.Request, principal: Principal) -> Actor:
    return principal.actor(request[REQUEST_ID])


# CSRF ---------------------------------------------------------------------------------------


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    token = session.get("csrf")
    if token is None:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


async def checked_form(request: web.Request) -> dict[str, Any]:
    """The posted form, after the CSRF check (the session's token, and an Origin of our own)."""
    origin = request.headers.get("Origin")
    if origin not in (None, "null") and origin != f"{request.scheme}://{request.host}":
        raise PageError(403, "Dit formulier kwam niet van deze website.")
    form = await request.post()
    session = await get_session(request)
    expected, given = session.get("csrf"), form.get("csrf")
    if not isinstance(given, str) or not expected or not hmac.compare_digest(given, expected):
        raise PageError(
            403,
            "Het formulier is verlopen. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
        )
    return dict(form)


# Rendering ----------------------------------------------------------------------------------


async def render(
    request: web.Request, template: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    principal = request.get(PRINCIPAL)
    if principal is None:
        principal = await signed_in(request)
    full = {
        "user": principal,
        "office": principal is not None and principal.role in OFFICE_ROLES,
        "csrf": await csrf_token(request)
        if principal is not None or context.get("form_page")
        else "",
        "path": request.path,
        "notice": request.query.get("vastgelegd", ""),
        **context,
    }
    response = aiohttp_jinja2.render_template(template, request, full, status=status)
    response.content_type = "text/html"
    response.charset = "utf-8"
    return response


async def error_page(request: web.Request, status: int, detail: str | None = None) -> web.Response:
    title, text = _ERROR_TEXTS.get(
        status, ("Er ging iets mis", "Er ging aan onze kant iets mis. Probeer het later opnieuw.")
    )
    return await render(
        request, "error.html", {"title": title, "detail": detail or text, "status": status}, status
    )


PageHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page(handler: PageHandler) -> PageHandler:
    """A page handler whose refusals become Dutch HTML error pages (not problem+json)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except PageError as error:
            return await error_page(request, error.status, error.detail)
        except Redirect as moved:
            return redirect(moved.location, moved.status)

    return handle


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def pages_middleware(storage: SessionStorage) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Sessions for pages, a slash at the end sent to the address without it, and every error
    the inner (API) middlewares made into problem+json answered as a Dutch HTML page instead."""
    sessions = session_middleware(storage)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if is_api(request.path):
            return await handler(request)
        if request.path != "/" and request.path.endswith("/") and request.method == "GET":
            # One leading slash only: `//host/` must not become a link to another site.
            target = "/" + request.path.strip("/")
            raise web.HTTPMovedPermanently(
                target + (f"?{request.query_string}" if request.query_string else "")
            )
        response = await sessions(request, handler)
        if response.content_type == PROBLEM_JSON:
            return await error_page(request, response.status)
        return response

    return middleware


async def page_headers(request: web.Request, response: web.StreamResponse) -> None:
    """The pages' own policy: CSS from this site only, no script at all, no framing."""
    if is_api(request.path):
        return
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers.popall("API-Version", None)
    if request.path.startswith("/static/") and response.status == 200:
        response.headers["Cache-Control"] = "public, max-age=3600"
