"""Shared by the tests of several `adviesspoor serve` processes on one PostgreSQL database: the
cluster of servers with `adviesspoor project` beside them (the `cluster` and `town` fixtures), and
requests that give None instead of raising when no answer comes."""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientError, ClientSession

from tests.faults.client import BASE_PATH, Answer, Municipality, nonce, reaction, request
from tests.faults.harness import Process, Store, tail


@dataclass
class Cluster:
    """The servers and the projection worker on one database."""

    store: Store
    servers: list[Process]
    projector: Process
    logs: Path

    def url(self, index: int, path: str) -> str:
        return self.servers[index % len(self.servers)].url + BASE_PATH + path

    def restart(self) -> None:
        """Every process killed and started again: their connections go with them."""
        for process in [self.projector, *self.servers]:
            process.kill()
        self.projector.spawn()
        for server in self.servers:
            server.spawn()
        for server in self.servers:
            server.ready()

    def errors(self) -> str:
        """The error lines the processes logged (first 300 characters each), to show on failure."""
        lines = []
        for process in [*self.servers, self.projector]:
            for line in tail(process.stderr_path, 400).splitlines():
                if '"level":"error"' in line or "Traceback" in line:
                    lines.append(f"{process.name}: {line[:300]}")
        return "\n".join(lines[-12:])


@pytest.fixture(scope="module", params=[2, 4], ids=lambda count: f"{count}-servers", name="cluster")
def servers_cluster(
    request: pytest.FixtureRequest, postgres_base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """`count` servers and one `adviesspoor project` on a database of their own."""
    count: int = request.param
    store = Store.postgresql(postgres_base_url, "servers")
    logs = tmp_path_factory.mktemp(f"servers-{count}")
    servers = [Process(store, logs, name=f"server-{n}") for n in range(count)]
    projector = Process(store, logs, name="project", command="project")
    try:
        # The first server creates the edge store's tables; the others then start at once.
        servers[0].start()
        projector.spawn()
        for server in servers[1:]:
            server.spawn()
        for server in servers[1:]:
            server.ready()
        yield Cluster(store, servers, projector, logs)
    finally:
        for process in [*servers, projector]:
            process.stop()
        store.drop()


@pytest.fixture(name="town")
def fresh_town(cluster: Cluster) -> Iterator[Municipality]:
    """A fresh municipality in the cluster's database (its schema goes with the database).

    Afterwards the processes start anew: each keeps connection pools per municipality it has
    served, and a shared PostgreSQL server has only so many connections."""
    yield Municipality(cluster.store)
    cluster.restart()


async def post(
    client: ClientSession,
    url: str,
    token: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> Answer | None:
    """POST through `request`; None when no answer came (the connection broke or timed out)."""
    try:
        return await request(client, "POST", url, token, body, headers)
    except (ClientError, TimeoutError):
        return None


async def get(client: ClientSession, url: str, token: str) -> Answer | None:
    """GET through `request`; None when no answer came (the connection broke or timed out)."""
    try:
        return await request(client, "GET", url, token)
    except (ClientError, TimeoutError):
        return None


async def warm_up(client: ClientSession, cluster: Cluster, town: Municipality, advice: str) -> None:
    """One write and one read through each server in turn, so that each has opened the
    municipality's ledger and views before a race. Opening them on several servers at once is a
    test of its own (the first in test_postgres_servers_answers.py), so a 5xx here is asked
    again, a few times."""
    token = town.token("secretariaat")
    for index in range(len(cluster.servers)):
        url = cluster.url(index, f"/adviezen/{advice}/reacties")
        for _ in range(5):
            answer = await post(client, url, token, reaction(nonce()))
            read = await get(client, cluster.url(index, f"/adviezen/{advice}"), token)
            done = answer is not None and answer.status == 201
            if done and read is not None and read.status == 200:
                break
            await asyncio.sleep(0.2)
        assert answer is not None
        assert answer.status == 201, f"{answer.body}\n{cluster.errors()}"
        assert read is not None
        assert read.status == 200, f"{read.body}\n{cluster.errors()}"
