"""The event stream: a revoked token's stream ends within a second, a bad Last-Event-ID is 400
before anything streams, and a listener that goes away ends its stream without a trace."""

import asyncio
from typing import Any

import pytest

from tests.e2e.conftest import Api, invalid_names, problem_of
from tests.e2e.served import served


async def _frames(response: Any, until: bytes, seconds: float) -> bytes:
    """Everything the stream sent until `until` appeared (or the time ran out)."""
    data = b""
    while until not in data:
        line = await asyncio.wait_for(response.content.readline(), seconds)
        if not line:
            break
        data += line
    return data


async def test_a_revoked_tokens_stream_ends_within_a_second_and_gets_nothing_more(
    api: Api,
) -> None:
    from api.http.app import SERVICES

    edge = api.app[SERVICES].edge_store
    token = api.token("auditor")
    token_id = next(t.id for t in edge.tokens() if edge.find_token(token) == t)
    response = await api.client.get(
        "/api/v1/gebeurtenissen/stroom", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200
    await api.new_body("Voor het intrekken")
    before = await _frames(response, b"Voor het intrekken", 10)

    edge.revoke_token(token_id)
    ended = await _frames(response, b"token ingetrokken", 3)
    await api.new_body("Na het intrekken")
    rest = await asyncio.wait_for(response.content.read(), 3)

    assert b"Voor het intrekken" in before
    assert b"token ingetrokken" in ended
    assert b"Na het intrekken" not in ended + rest


@pytest.mark.parametrize("value", ["²", "9" * 5000, "9" * 23, "0", "-1", "1 2", "a"])
async def test_a_last_event_id_that_is_no_position_is_invalid(api: Api, value: str) -> None:
    response = await api.client.get(
        "/api/v1/gebeurtenissen/stroom",
        headers={"Authorization": f"Bearer {api.as_('auditor')}", "Last-Event-ID": value},
    )

    problem = await problem_of(response, 400)
    assert invalid_names(problem) == ["Last-Event-ID"]


async def test_a_stream_resumes_after_its_last_event_id(api: Api) -> None:
    await api.new_body("Eerste")
    await api.new_body("Tweede")
    response = await api.client.get(
        "/api/v1/gebeurtenissen/stroom",
        headers={"Authorization": f"Bearer {api.as_('auditor')}", "Last-Event-ID": "1"},
    )

    data = await _frames(response, b"Tweede", 10)
    response.close()

    assert b"Eerste" not in data
    assert b"id: 2\n" in data


async def test_a_listener_that_goes_away_leaves_no_traceback(api: Api) -> None:
    token = api.as_("auditor")
    async with served(api.store.url) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(
            b"GET /api/v1/gebeurtenissen/stroom?vanaf=1 HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n\r\n"
        )
        await writer.drain()
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        writer.transport.abort()  # gone, mid-stream
        for number in range(3):
            await api.new_body(f"Na vertrek {number}")
        await asyncio.sleep(1)

    logged = "".join(server.log)
    assert "Traceback" not in logged
    assert '"exception"' not in logged
    assert '"status":200' in logged or '"status":499' in logged
