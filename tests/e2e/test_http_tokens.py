"""Tokens made and revoked on the command line count at once; `adviesspoor serve` stops cleanly."""

import asyncio
import hashlib
import os
import re
import signal
import sqlite3
import sys
from typing import Any

import psycopg
import pytest
from aiohttp import ClientSession

from tests.e2e.conftest import Api, problem_of
from tests.integration.cli_support import free_port

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


@pytest.fixture
def cli(api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """Runs `adviesspoor …` in this process on the test's store: (exit code, stdout, stderr)."""
    from api.cli.main import main

    monkeypatch.setenv("ADVIESSPOOR_DATABASE_URL", api.store.url)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def stored_hashes(api: Api) -> list[str]:
    if api.store.directory is not None:
        with sqlite3.connect(api.store.directory / "adviesspoor.sqlite") as conn:
            return [row[0] for row in conn.execute("SELECT secret_hash FROM tokens")]
    assert api.store.server is not None
    with psycopg.connect(api.store.server.conninfo()) as conn:
        rows = conn.execute("SELECT secret_hash FROM adviesspoor.tokens").fetchall()
    return [row[0] for row in rows]


async def test_a_token_made_on_the_command_line_works_at_once(api: Api, cli: Any) -> None:
    code, out, err = cli(
        "token",
        "create",
        "--gemeente",
        api.municipality,
        "--rol",
        "secretariaat",
        "--naam",
        "Petra",
    )
    token = out.strip()

    response = await api.post("/dossiers", {"titel": "T", "geopendOp": api.days_ago(1)}, token)
    log = await api.get("/gebeurtenissen", api.as_("auditor"))

    assert code == 0
    assert out == token + "\n"
    assert TOKEN.match(token)
    assert token not in err
    assert response.status == 201
    actor = (await log.json())["gebeurtenissen"][-1]["actor"]
    assert {k: actor[k] for k in ("naam", "rol")} == {
        "naam": "Petra",
        "rol": "secretariaat",
    }
    assert hashlib.sha256(token.encode()).hexdigest() in stored_hashes(api)
    assert token not in stored_hashes(api)


async def test_listing_shows_no_secrets_and_revoking_takes_effect_at_once(
    api: Api, cli: Any
) -> None:
    _, out, _ = cli("token", "create", "--gemeente", api.municipality, "--rol", "auditor")
    token = out.strip()
    assert (await api.get("/gebeurtenissen", token)).status == 200

    _, listing, _ = cli("token", "list", "--gemeente", api.municipality)
    row = next(line.split("\t") for line in listing.splitlines() if "auditor" in line)
    code, _, _ = cli("token", "revoke", row[0])
    again, _, err = cli("token", "revoke", row[0])
    response = await api.get("/gebeurtenissen", token)

    assert token not in listing
    assert row[1:5] == [api.municipality, "auditor", "-", "auditor"]
    assert code == 0
    assert again == 1
    assert row[0] in err
    await problem_of(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_a_member_token_belongs_to_an_existing_body(api: Api, cli: Any) -> None:
    body_id = await api.new_body()
    create = ("token", "create", "--gemeente", api.municipality, "--rol", "lid")

    without_body = cli(*create)
    unknown_body = cli(*create, "--adviesorgaan", "6f1c1c52-0000-4000-8000-000000000000")
    code, out, _ = cli(*create, "--adviesorgaan", body_id, "--naam", "Lid WIJ-raad")
    response = await api.post("/adviezen", api.advice_body(body_id), out.strip())

    assert without_body[0] == 2
    assert without_body[1] == ""
    assert unknown_body[0] == 2
    assert unknown_body[1] == ""
    assert code == 0
    assert response.status == 201


async def test_serve_answers_and_stops_cleanly_on_sigterm(api: Api) -> None:
    port = free_port()
    env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": api.store.url}
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api",
        "serve",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert server.stdout is not None
    try:
        announced = (await asyncio.wait_for(server.stdout.readline(), 30)).decode()
        async with (
            ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/api/v1/openapi.json") as response,
        ):
            status = response.status
        server.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(server.wait(), 30)
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()

    assert f"luistert op http://127.0.0.1:{port}/api/v1" in announced
    assert status == 200
    assert code == 0


async def test_a_token_revoked_by_another_process_is_refused_by_every_worker_at_once(
    api: Api, cli: Any
) -> None:
    """Each server process keeps the tokens it found (api/edge_store.py): a revocation by a
    third process must still count from the very next request, whichever process answers it."""
    _, out, _ = cli("token", "create", "--gemeente", api.municipality, "--rol", "auditor")
    token = out.strip()
    _, listing, _ = cli("token", "list", "--gemeente", api.municipality)
    token_id = next(line.split("\t")[0] for line in listing.splitlines() if "auditor" in line)
    port = free_port()
    env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": api.store.url}
    server = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "api", "serve", "--port", str(port), "--workers", "2"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert server.stdout is not None
    url = f"http://127.0.0.1:{port}/api/v1/gebeurtenissen"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        await asyncio.wait_for(server.stdout.readline(), 30)
        async with ClientSession() as session:

            async def statuses(count: int) -> list[int]:
                # A connection each, so that both processes answer some of them.
                found = []
                for _ in range(count):
                    async with session.get(url, headers={**headers, "Connection": "close"}) as r:
                        found.append(r.status)
                return found

            before = await statuses(20)
            revoke = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "api", "token", "revoke", token_id),
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            revoked = await asyncio.wait_for(revoke.wait(), 60)
            after = await statuses(20)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(server.wait(), 30)
        except TimeoutError:
            server.kill()
            await server.wait()

    assert before == [200] * 20
    assert revoked == 0
    assert after == [401] * 20
