"""Helpers for the page tests: read a page, sign in with a token, fill in a form (with its CSRF
token) the way a browser without JavaScript would."""

import re
from html.parser import HTMLParser
from typing import Any

from aiohttp import ClientResponse, FormData

from tests.e2e.conftest import Api

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def text_of(api: Api, path: str, status: int = 200) -> str:
    response = await api.client.get(path, allow_redirects=False)
    body = await response.text()
    assert response.status == status, (path, response.status, body[:2000])
    return body


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


async def sign_in(api: Api, token: str) -> ClientResponse:
    form = await text_of(api, "/aanmelden")
    response = await api.client.post(
        "/aanmelden", data={"csrf": csrf_of(form), "token": token}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    return response


async def submit(
    api: Api, path: str, fields: dict[str, str], *, form_path: str | None = None
) -> ClientResponse:
    """Open the form (for its CSRF token), then post it as a browser does (no redirects)."""
    page = await text_of(api, form_path or path)
    data = {"csrf": csrf_of(page), **fields}
    return await api.client.post(path, data=data, allow_redirects=False)


async def upload(api: Api, path: str, name: str, content: bytes, **fields: str) -> ClientResponse:
    page = await text_of(api, path)
    data = FormData()
    data.add_field("csrf", csrf_of(page))
    for key, value in fields.items():
        data.add_field(key, value)
    data.add_field("bestand", content, filename=name, content_type="text/csv")
    return await api.client.post(path, data=data, allow_redirects=False)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's text in one line, as a person reads it (tags and repeated spaces gone)."""
    parser = _Text()
    parser.feed(html)
    return re.sub(r" ([:;,.)])", r"\1", " ".join(" ".join(parser.parts).split()))


def fields_with_errors(html: str) -> dict[str, dict[str, Any]]:
    """Per field marked invalid: its id and what describes it."""
    found = {}
    for tag in re.findall(r"<(?:input|textarea|select)[^>]*aria-invalid=\"true\"[^>]*>", html):
        ident = re.search(r'id="([^"]+)"', tag)
        described = re.search(r'aria-describedby="([^"]+)"', tag)
        assert ident is not None
        found[ident.group(1)] = {"describedby": described.group(1) if described else ""}
    return found
