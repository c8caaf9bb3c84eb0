"""Pages as HTML: the templates with who is signed in, Dutch error pages, the pages' part of the
edge middleware (sessions; a slash at the end; problem+json of the API's part answered as HTML
instead) and their headers (a strict Content-Security-Policy without any script).

The JSON API's pipeline stays as it is: its trailing-slash rule and problem+json apply to `/api`
only. A page handler answers HTML itself; what the API's part still turns into problem+json (an
unknown address, a method a page does not take, a crash) is answered here as a Dutch page.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Final

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_session import session_middleware

from api.http.middleware import PageLayer
from api.http.pipeline import PRINCIPAL
from api.http.problems import PROBLEM_JSON
from api.pages.session import SessionStorage, csrf_token, signed_in
from api.pages.site import OFFICE_ROLES, PageError, Redirect, redirect
from api.pages.words import municipality_name

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_ERROR_TEXTS: Final = {
    400: ("Dit verzoek klopt niet", "De gegevens in het verzoek zijn niet te lezen."),
    403: ("Dit mag u niet", "U heeft geen toegang tot deze pagina."),
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres."),
    405: ("Dit kan hier niet", "Deze pagina kan dit verzoek niet verwerken."),
    413: ("Te groot", "Het bestand of formulier is te groot (meer dan 1 MB)."),
    503: ("Even niet bereikbaar", "De gegevens zijn even niet bereikbaar. Probeer het zo opnieuw."),
}


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


async def render_for(
    request: web.Request,
    municipality: str,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> web.Response:
    """A page of one municipality: its slug and its name beside what the page shows."""
    full = {"municipality": municipality, "name": municipality_name(municipality), **context}
    return await render(request, template, full, status)


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


def pages_layer(storage: SessionStorage) -> PageLayer:
    """The pages' part of the edge middleware (api/http/middleware.py), for every address
    outside `/api`: sessions, a slash at the end sent to the address without it, and every error
    the API's part made into problem+json answered as a Dutch HTML page instead."""
    sessions = session_middleware(storage)

    async def layer(request: web.Request, inner: Handler) -> web.StreamResponse:
        if request.path != "/" and request.path.endswith("/") and request.method == "GET":
            # One leading slash only: `//host/` must not become a link to another site.
            target = "/" + request.path.strip("/")
            query = f"?{request.query_string}" if request.query_string else ""
            return redirect(target + query, 301)
        response = await sessions(request, inner)
        if response.content_type == PROBLEM_JSON:
            return await error_page(request, response.status)
        return response

    return layer


def page_headers(request: web.Request, response: web.StreamResponse) -> None:
    """The pages' own policy: CSS from this site only, no script at all, no framing (called by
    the edge middleware for every address outside `/api`, after the headers every response
    has)."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers.popall("API-Version", None)
    if request.path.startswith("/static/") and response.status == 200:
        response.headers["Cache-Control"] = "public, max-age=3600"
