"""A server's request lines (api/logging.py): a successful request's line waits in the buffer
for a moment, but reaches the log without any later request or line to push it out, and lines
keep the order of their requests."""

import asyncio

import aiohttp
import orjson

from tests.e2e.conftest import Api
from tests.e2e.served import Served, served

# Far above the buffer's 0.2 s: only a line that never comes makes the test wait this long.
PATIENCE_SECONDS = 10.0


async def _request_lines(server: Served, count: int) -> list[dict[str, object]]:
    """The first `count` request lines the server logged, waiting for them up to PATIENCE."""
    deadline = asyncio.get_running_loop().time() + PATIENCE_SECONDS
    while True:
        lines = [orjson.loads(line) for line in server.log if '"event":"request"' in line]
        if len(lines) >= count or asyncio.get_running_loop().time() > deadline:
            return lines
        await asyncio.sleep(0.05)


async def test_a_successful_request_is_logged_without_a_later_request_and_in_order(
    api: Api,
) -> None:
    async with served(api.store.url) as server, aiohttp.ClientSession() as client:
        async with client.get(server.url) as answer:  # the index: public, 200
            assert answer.status == 200
        first = await _request_lines(server, 1)
        async with client.get(server.url + "/adviezen") as answer:  # no token: 401
            assert answer.status == 401
        async with client.get(server.url + "/openapi.json") as answer:
            assert answer.status == 200
        lines = await _request_lines(server, 3)

    assert [(line["path"], line["status"]) for line in first] == [("/api/v1", 200)]
    assert [(line["path"], line["status"]) for line in lines] == [
        ("/api/v1", 200),
        ("/api/v1/adviezen", 401),
        ("/api/v1/openapi.json", 200),
    ]
    assert all(line["level"] == "info" and line["request_id"] for line in lines)
