"""The headers every answer carries, set by the one edge middleware (no response hook): API
answers of every kind, pages, their redirects and errors, static files, and the event stream,
which starts sending inside its route."""

import pytest
from aiohttp import ClientResponse

from tests.e2e.conftest import Api

EVERY = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Server": "adviesspoor",
}


def assert_every_header(response: ClientResponse, request_id: str) -> None:
    for name, value in EVERY.items():
        assert response.headers.get(name) == value, (response.url, response.status, name)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["X-Request-ID"] == request_id, (response.url, response.status)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/adviezen", 200),
        ("/api/v1/bestaat-niet", 404),  # no route: answered by the middleware
        ("/api/v1/adviezen/", 404),  # the trailing-slash rule
    ],
)
async def test_every_api_answer_carries_the_headers_and_its_request_id(
    api: Api, path: str, status: int
) -> None:
    headers = {"Authorization": f"Bearer {api.as_('auditor')}", "X-Request-ID": "kop-1"}

    response = await api.client.get(path, headers=headers)

    assert response.status == status
    assert_every_header(response, "kop-1")
    assert response.headers["API-Version"].startswith("1.")
    assert response.headers["Cache-Control"] == "no-store"


async def test_a_method_no_route_takes_is_405_with_the_headers(api: Api) -> None:
    response = await api.client.delete("/api/v1/adviezen", headers={"X-Request-ID": "kop-2"})

    assert response.status == 405
    assert_every_header(response, "kop-2")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/aanmelden", 200),
        ("/{m}/", 301),  # a page's address with a slash is sent to the one without
        ("/onbekend/pad/hier", 404),  # a Dutch error page
        ("/static/css/utrecht-component-library.css", 200),
    ],
)
async def test_every_page_answer_carries_the_headers_and_the_pages_policy(
    api: Api, path: str, status: int
) -> None:
    response = await api.client.get(
        path.format(m=api.municipality), headers={"X-Request-ID": "kop-3"}, allow_redirects=False
    )

    assert response.status == status
    assert_every_header(response, "kop-3")
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert "API-Version" not in response.headers
    if path.startswith("/static/"):
        assert response.headers["Cache-Control"] == "public, max-age=3600"


async def test_the_event_stream_carries_the_headers_though_it_starts_inside_its_route(
    api: Api,
) -> None:
    headers = {"Authorization": f"Bearer {api.as_('auditor')}", "X-Request-ID": "kop-4"}

    response = await api.client.get("/api/v1/gebeurtenissen/stroom", headers=headers)

    assert response.status == 200
    assert response.content_type == "text/event-stream"
    assert_every_header(response, "kop-4")
    response.close()
