"""Who is signed in: a token exchanged for an encrypted session cookie (HttpOnly, SameSite=Strict,
Secure over https, a lifetime), checked against the token store on every request, so a revoked
token ends its sessions; and the CSRF token every form carries."""

import base64
import hmac
import os
import secrets
import time
from typing import Any, Final
from urllib.parse import urlencode
from uuid import UUID

from aiohttp import web
from aiohttp_session import Session, get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from api.http.auth import Principal
from api.http.pipeline import PRINCIPAL, REQUEST_ID
from api.pages.site import PageError, Redirect, site_of
from events import Role
from ledger import Actor

SESSION_KEY_SETTING: Final = "ADVIESSPOOR_SESSIESLEUTEL"
SESSION_SECONDS: Final = 8 * 3600  # a working day; then sign in again
COOKIE: Final = "adviesspoor_sessie"


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


async def signed_in(request: web.Request) -> Principal | None:
    """The principal of this session, if its token is still valid (a revoked token ends it)."""
    session = await get_session(request)
    token_id = session.get("token")
    if token_id is None:
        return None
    site = site_of(request)
    valid = token_id in await site.run(lambda: site.services.edge_store.valid_tokens([token_id]))
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
            "Dit formulier is niet meer geldig. Laad de pagina opnieuw en probeer het nog eens.",
        )
    return dict(form)
