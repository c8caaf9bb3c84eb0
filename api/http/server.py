"""Serving the app on a socket: a graceful stop on SIGTERM, and requests the HTTP parser refuses
(a header with a bare CR, a line over 8,190 bytes) answered as problem+json that echoes nothing.

aiohttp answers such requests itself, before any route or middleware: a text/plain 400 that
repeats the offending header (an `Authorization: Bearer …` among them), a traceback in its log,
and `Server: Python/… aiohttp/…`. Its request handler is replaced here by one that answers in our
own shape and logs one line with the kind of error only.
"""

import asyncio
import signal
from collections.abc import Callable
from typing import Any, Final

import orjson
from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_server import Server

from api.http.headers import EVERY_RESPONSE
from api.http.problems import PROBLEM_JSON, TYPE_PREFIX
from api.logging import get_logger

log = get_logger("api.http.server")

UNREADABLE: Final = {
    "type": TYPE_PREFIX + "ongeldig-verzoek",
    "title": "Ongeldig verzoek",
    "status": 400,
    "detail": "Dit verzoek is geen geldig HTTP-verzoek (bijvoorbeeld een ongeldig teken of een "
    "te lange regel in de kopregels) en is niet gelezen.",
}


class _EdgeRequestHandler(RequestHandler):
    """aiohttp's connection handler, with its answer to unreadable requests replaced."""

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,  # noqa: ARG002 - quotes the request: never used
    ) -> web.StreamResponse:
        # Neither `message` nor `exc`'s text is logged or sent: both may quote header values.
        log.warning("request_unreadable", status=status, error=type(exc).__name__)
        if request.writer.output_size > 0:
            raise ConnectionError("the answer had started; the connection is dropped")
        body = {**UNREADABLE, "status": status} if status != 400 else UNREADABLE
        if status >= 500:
            body = {
                "type": TYPE_PREFIX + "interne-fout",
                "title": "Interne fout",
                "status": status,
                "detail": "Er ging aan onze kant iets mis; het is vastgelegd in het serverlog.",
            }
        response = web.Response(
            status=status,
            body=orjson.dumps(body),
            content_type=PROBLEM_JSON,
            headers=EVERY_RESPONSE,
        )
        response.force_close()
        return response


class _EdgeServer(Server):
    """aiohttp's server, making our connection handler for every connection."""

    def __call__(self) -> RequestHandler:
        return _EdgeRequestHandler(self, loop=self._loop, **self._kwargs)


class EdgeRunner(web.AppRunner):
    """The app runner whose server uses `_EdgeRequestHandler`."""

    async def _make_server(self) -> Server:
        server = await super()._make_server()
        server.__class__ = _EdgeServer  # same server, same state; only its handler class differs
        return server


async def serve(
    app: web.Application,
    host: str,
    port: int,
    *,
    shutdown_timeout: float,
    announce: Callable[[], None],
    reuse_port: bool = False,
) -> None:
    """Serve until SIGTERM or SIGINT; then stop listening, let running requests finish (at most
    `shutdown_timeout` seconds) and close everything the app opened."""
    runner = EdgeRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, reuse_port=reuse_port or None)
        await site.start()
        announce()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def run(app: web.Application, host: str, port: int, **options: Any) -> None:
    asyncio.run(serve(app, host, port, **options))
