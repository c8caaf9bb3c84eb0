"""The session cookie of the pages: encrypted, HttpOnly, SameSite=Strict, with a lifetime, and
Secure exactly when the request came over https."""

import ssl

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from aiohttp_session import Session


@pytest.mark.parametrize("https", [True, False])
async def test_the_session_cookie_is_secure_over_https_only(https: bool) -> None:
    from api.pages.session import COOKIE, SESSION_SECONDS, SessionStorage, session_key

    storage = SessionStorage(
        session_key(),
        cookie_name=COOKIE,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="Strict",
    )
    context = ssl.create_default_context() if https else None
    request = make_mocked_request("GET", "/aanmelden", sslcontext=context)
    response = web.Response()
    session = Session(None, data=None, new=True, max_age=SESSION_SECONDS)
    session["token"] = "id-of-a-token"

    await storage.save_session(request, response, session)
    cookie = response.cookies[COOKIE]

    assert bool(cookie["secure"]) is https
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["max-age"] == str(SESSION_SECONDS)
    assert "id-of-a-token" not in cookie.value
