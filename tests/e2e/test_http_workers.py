"""`serve --workers N`: several processes on one port, each with its own event loop; a write
answered by one is read back by every other; SIGTERM to the parent stops them all cleanly."""

import asyncio
import signal
from datetime import datetime

from aiohttp import ClientSession, TCPConnector

from tests.e2e.conftest import Api
from tests.e2e.served import served


async def test_every_process_reads_what_any_other_just_wrote(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), points=1)
    office = {"Authorization": f"Bearer {api.as_('secretariaat')}"}
    versions: list[int] = []
    async with served(api.store.url, "--workers", "2") as server:
        # A connection of its own per request: the kernel spreads them over the processes.
        async with ClientSession(connector=TCPConnector(force_close=True)) as session:
            for _ in range(8):
                async with session.post(
                    f"{server.url}/adviezen/{advice_id}/reacties",
                    json=api.response_body(1),
                    headers=office,
                ) as written:
                    assert written.status == 201, await written.text()
                    version = (await written.json())["versie"]
                path = f"{server.url}/adviezen/{advice_id}"
                async with session.get(path, headers=office) as read:
                    assert read.status == 200
                    versions.append((await read.json())["versie"])
                    assert versions[-1] == version
        server.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(server.process.wait(), 60)

    assert code == 0
    assert versions == list(range(2, 10))


async def test_moments_rise_with_positions_when_two_processes_write(api: Api) -> None:
    body_id = await api.new_body()
    office = {"Authorization": f"Bearer {api.as_('secretariaat')}"}
    async with (
        served(api.store.url, "--workers", "2") as server,
        ClientSession(connector=TCPConnector(force_close=True)) as session,
    ):

        async def submit(n: int) -> int:
            body = {**api.advice_body(body_id, points=1), "titel": f"Advies {n}"}
            async with session.post(f"{server.url}/adviezen", json=body, headers=office) as r:
                return r.status

        statuses = await asyncio.gather(*(submit(n) for n in range(12)))
    log = await (await api.get("/gebeurtenissen?limiet=1000", api.as_("auditor"))).json()
    moments = [datetime.fromisoformat(e["vastgelegdOp"]) for e in log["gebeurtenissen"]]

    assert set(statuses) == {201}
    assert moments == sorted(moments)
    assert len(set(moments)) == len(moments)


async def test_the_server_processes_die_with_a_killed_parent_and_free_the_port(api: Api) -> None:
    import socket

    async with served(api.store.url, "--workers", "2") as server:
        children = _children(server.process.pid)
        server.process.kill()  # kill -9: the parent cannot pass anything on
        await asyncio.wait_for(server.process.wait(), 30)
        for _ in range(100):
            if not any(_alive(pid) for pid in children):
                break
            await asyncio.sleep(0.1)

    assert len(children) >= 2
    assert not any(_alive(pid) for pid in children), children
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", server.port))  # nobody holds the port any more


def _children(parent: int) -> list[int]:
    """The processes whose parent is `parent` (Linux /proc)."""
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    from pathlib import Path

    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
