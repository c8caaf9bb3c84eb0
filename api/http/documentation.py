"""The documentation the server serves about itself: `GET /openapi.json` (the document of the
whole route table, built once by openapi.py), the guide `GET /documentatie` (docs/api.md) and
the index `GET /api/v1` that points to both."""

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import orjson
from aiohttp import web

from api.http.fields import BASE_PATH
from api.http.openapi import build_document
from api.http.pipeline import Call, Route
from api.http.problems import ProblemError

DOCUMENT_PATH: Final = "/openapi.json"
# The user's guide (docs/api.md) as it is in the checkout the server runs from.
GUIDE: Final = Path(__file__).resolve().parents[2] / "docs" / "api.md"


async def index(_request: web.Request) -> web.Response:
    """`GET /api/v1`: where the machine-readable contract, the guide and the pages are. It lies
    outside the document (whose paths start below `/api/v1`), as the pages do."""
    links = {
        "openapi": BASE_PATH + DOCUMENT_PATH,
        "documentatie": BASE_PATH + "/documentatie",
        "paginas": "/",
    }
    return web.Response(body=orjson.dumps(links), content_type="application/json")


def _guide(_call: Call) -> web.Response:
    """The guide for people who use the API, in Markdown."""
    if not GUIDE.is_file():
        msg = "De handleiding is niet meegeleverd met deze installatie; zie /api/v1/openapi.json."
        raise ProblemError(404, msg)
    return web.Response(body=GUIDE.read_bytes(), content_type="text/markdown", charset="utf-8")


def with_document(routes: Sequence[Route]) -> list[Route]:
    """The route table plus `GET /openapi.json`, which serves the document of that whole table,
    and the guide `GET /documentatie`."""
    served: list[bytes] = []

    def serve_document(_call: Call) -> web.Response:
        return web.Response(
            body=served[0],
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": "*"},
        )

    document = Route(
        "GET",
        DOCUMENT_PATH,
        "openapiDocument",
        "Dit OpenAPI-document",
        tag="documentatie",
        roles=None,
        work=serve_document,
    )
    guide = Route(
        "GET",
        "/documentatie",
        "haalHandleiding",
        "De handleiding van de API (Markdown)",
        tag="documentatie",
        roles=None,
        work=_guide,
        media_type="text/markdown",
        errors=frozenset({404}),
    )
    table = [document, guide, *routes]
    served.append(orjson.dumps(build_document(table)))
    return table
