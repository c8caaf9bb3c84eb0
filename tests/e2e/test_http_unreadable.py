"""Requests the HTTP parser refuses are answered as problem+json that echoes nothing, with our
own Server header, and logged as one line without any header value (never a token)."""

import orjson
import pytest

from tests.e2e.conftest import Api
from tests.e2e.served import raw_exchange, served

SECRET = "geheim-token-dat-nergens-mag-verschijnen"


@pytest.mark.parametrize(
    "bad_header",
    [
        b"X-Kapot: a\rb",  # a bare carriage return
        b"X-Lang: " + b"x" * 9000,  # a line over 8,190 bytes
        b"X-Nul: a\x00b",
    ],
    ids=["bare-cr", "line-too-long", "nul"],
)
async def test_an_unreadable_request_gets_problem_json_that_echoes_nothing(
    api: Api, bad_header: bytes
) -> None:
    request = (
        b"GET /api/v1/adviezen HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer " + SECRET.encode() + b"\r\n" + bad_header + b"\r\n\r\n"
    )
    async with served(api.store.url) as server:
        answer = await raw_exchange(server.port, request)

    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert lines[0].split()[1] == "400"
    assert headers["content-type"].startswith("application/problem+json")
    assert headers["server"] == "adviesspoor"
    problem = orjson.loads(body)
    assert problem["status"] == 400
    assert problem["detail"]
    assert SECRET.encode() not in answer
    assert b"x" * 100 not in answer
    assert not any(SECRET in line for line in server.log)
    assert not any("Traceback" in line for line in server.log)
    assert sum("request_unreadable" in line for line in server.log) == 1


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (b"Idempotency-Key: \xff\xfe-kapot", 400),
        (b"Idempotency-Key: tab\tin", 400),
        (b"Authorization: Bearer \xff\xfe", 401),
    ],
    ids=["key-not-utf8", "key-control", "token-not-utf8"],
)
async def test_header_bytes_no_store_can_hold_are_refused_not_a_500(
    api: Api, header: bytes, status: int
) -> None:
    token = api.as_("secretariaat").encode()
    auth = (
        b"" if header.startswith(b"Authorization") else b"Authorization: Bearer " + token + b"\r\n"
    )
    body = b'{"titel": "Nota", "geopendOp": "2026-01-01"}'
    request = (
        b"POST /api/v1/dossiers HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\n"
        + auth + header + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )  # fmt: skip
    before = await api.last_position()

    async with served(api.store.url) as server:
        answer = await raw_exchange(server.port, request)

    assert answer.split(b"\r\n", 1)[0].split()[1] == str(status).encode()
    assert b"application/problem+json" in answer.split(b"\r\n\r\n", 1)[0]
    assert await api.last_position() == before
