"""Two shards named by one setting (issue 12, docs/scaling.md): two `adviesspoor serve` processes
and one `adviesspoor project`, all given the same `ADVIESSPOOR_SHARDS`, in front of two PostgreSQL
databases. Each municipality's log is written through either server, and is found, by plain SQL,
in its own shard's database only; both servers answer the same.

Shard 1 is also the default database (`ADVIESSPOOR_DATABASE_URL`): it keeps the tokens, and the
log of a municipality the setting does not name.
"""

import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests.faults.client import (
    BASE_PATH,
    Municipality,
    get_ok,
    nonce,
    reaction,
    request,
    session,
)
from tests.faults.harness import Process, Store, tail
from tests.integration.cli_support import cli_stdout

pytestmark = pytest.mark.postgres

WAIT_SECONDS = 30.0


@dataclass
class Sharded:
    """Two databases, the setting that names them, and the processes given that setting."""

    shard_1: Store  # also the default database
    shard_2: Store
    a: str  # named in shard 1
    b: str  # named in shard 2
    c: str  # not named: the default database
    shards: str
    servers: list[Process]
    projector: Process

    def env(self) -> dict[str, str]:
        return {**self.shard_1.env(), "ADVIESSPOOR_SHARDS": self.shards}

    def cli(self, *argv: str) -> str:
        """`adviesspoor <argv>` with the same setting as the servers; its stdout."""
        return cli_stdout(self.env(), *argv)

    def town(self, slug: str, roles: tuple[str, ...]) -> Municipality:
        """A municipality with its tokens made by `adviesspoor token create`."""
        town = Municipality(self.shard_1, slug=slug)
        for role in roles:
            town.tokens[role] = self.cli("token", "create", "--gemeente", slug, "--rol", role)
        return town


@pytest.fixture(scope="module")
def sharded(postgres_base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sharded]:
    shard_1 = Store.postgresql(postgres_base_url, "shard1")
    shard_2 = Store.postgresql(postgres_base_url, "shard2")
    a, b, c = ("t" + secrets.token_hex(4) for _ in range(3))
    shards = f"{a}={shard_1.url},{b}={shard_2.url}"
    logs = tmp_path_factory.mktemp("shards")
    extra = {"ADVIESSPOOR_SHARDS": shards}
    servers = [Process(shard_1, logs, name=f"server-{n}", extra_env=extra) for n in (1, 2)]
    projector = Process(shard_1, logs, name="project", command="project", extra_env=extra)
    try:
        for process in [*servers, projector]:
            process.spawn()
        for server in servers:
            server.ready()
        yield Sharded(shard_1, shard_2, a, b, c, shards, servers, projector)
    finally:
        for process in [*servers, projector]:
            process.stop()
        shard_1.drop()
        shard_2.drop()


def _schemas(store: Store) -> set[str]:
    """The municipalities with a schema in this database, by slug."""
    with psycopg.connect(store.conninfo(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE schema_name LIKE 'gemeente\\_%%'"
        ).fetchall()
    return {row[0].removeprefix("gemeente_") for row in rows}


def _tables(store: Store, slug: str) -> set[str]:
    with psycopg.connect(store.conninfo(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (f"gemeente_{slug}",),
        ).fetchall()
    return {row[0] for row in rows}


def _views_position(store: Store, slug: str) -> int:
    """The last log position the municipality's views in this database hold."""
    query = sql.SQL("SELECT max(notification_id) FROM {}").format(
        sql.Identifier(f"gemeente_{slug}", "views_tracking")
    )
    with psycopg.connect(store.conninfo(), autocommit=True) as conn:
        row = conn.execute(query).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _shared_rows(store: Store, slug: str) -> dict[str, int]:
    """Rows about the municipality in the database's shared schema (`adviesspoor`), per table."""
    found = {}
    with psycopg.connect(store.conninfo(), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'adviesspoor' AND column_name = 'municipality'"
        ).fetchall()
        for (table,) in tables:
            query = sql.SQL("SELECT count(*) FROM {} WHERE municipality = %s").format(
                sql.Identifier("adviesspoor", table)
            )
            row = conn.execute(query, (slug,)).fetchone()
            found[table] = int(row[0]) if row else 0
    return found


def _wait_for_reports(projector: Process, slugs: list[str]) -> str:
    """The worker's output once it reported a position for every one of `slugs`."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        text = projector.stderr_path.read_text(errors="replace")
        if all(re.search(rf"^{slug}: bijgewerkt tot positie \d+", text, re.M) for slug in slugs):
            return text
        assert time.monotonic() < deadline, (
            f"project meldde niet alle gemeenten:\n{tail(projector.stderr_path)}"
        )
        time.sleep(0.1)


async def _advice(town: Municipality, base: str) -> str:
    async with session() as client:
        return await town.new_advice(client, base)


async def test_each_municipalitys_log_lives_in_its_own_shard_and_both_servers_agree(
    sharded: Sharded,
) -> None:
    one, two = (server.url for server in sharded.servers)
    roles = ("beheerder", "secretariaat", "auditor")
    a, b = sharded.town(sharded.a, roles), sharded.town(sharded.b, roles)
    c = sharded.town(sharded.c, ("beheerder", "auditor"))

    # The token issues are in the logs already: one worker process keeps the views of both
    # databases, a worker per database.
    announced = _wait_for_reports(sharded.projector, [a.slug, b.slug, c.slug])
    assert f"/{sharded.shard_1.database}, " in announced
    assert f"/{sharded.shard_2.database};" in announced

    async with session() as client:
        # A through server 1, B through server 2, C (not named) through server 2; then across:
        # A and B each also written through the other server.
        advice_a = await a.new_advice(client, one)
        advice_b = await b.new_advice(client, two)
        await c.new_advice(client, two)
        for town, advice, base in [(a, advice_a, two), (b, advice_b, one)]:
            answer = await request(
                client,
                "POST",
                f"{base}{BASE_PATH}/adviezen/{advice}/reacties",
                town.token("secretariaat"),
                reaction(nonce()),
            )
            assert answer.status == 201, answer.body

        # Reads from either server agree: the advice and the whole log.
        for town, advice in [(a, advice_a), (b, advice_b)]:
            path = f"{BASE_PATH}/adviezen/{advice}"
            token = town.token("auditor")
            assert await get_ok(client, one + path, token) == await get_ok(
                client, two + path, token
            )
            logs = [await town.log(client, base) for base in (one, two)]
            assert logs[0] == logs[1]
            assert len(logs[0]) >= 6  # 3 tokens, a body, an advice, a reaction
        # The public pages know every municipality of both shards, on either server.
        for base in (one, two):
            for town in (a, b, c):
                async with client.get(f"{base}/{town.slug}") as page:
                    assert page.status == 200, f"{base}/{town.slug}: {page.status}"
            async with client.get(f"{base}/tonbekend") as page:
                assert page.status == 404
        logs_by_town: dict[str, list[dict[str, Any]]] = {
            town.slug: await town.log(client, one) for town in (a, b, c)
        }

    # Plain SQL on each database: A and C in shard 1 only, B in shard 2 only.
    assert _schemas(sharded.shard_1) == {a.slug, c.slug}
    assert _schemas(sharded.shard_2) == {b.slug}
    for town, home in [(a, sharded.shard_1), (b, sharded.shard_2), (c, sharded.shard_1)]:
        # Every event the API shows is a row of the log in the municipality's own database,
        # and its views are beside it.
        assert home.positions(town.slug) == list(range(1, len(logs_by_town[town.slug]) + 1))
        tables = _tables(home, town.slug)
        assert {"adviceledger_events", "views_docs_v2", "views_tracking"} <= tables
        assert _views_position(home, town.slug) == len(logs_by_town[town.slug])
    # Nothing about A in shard 2, nothing about B in shard 1: not in the shared tables either
    # (the key tables of personal data live beside the log). The tokens are all in shard 1.
    for town, home, other in [
        (a, sharded.shard_1, sharded.shard_2),
        (b, sharded.shard_2, sharded.shard_1),
    ]:
        beside_log = {t: n for t, n in _shared_rows(home, town.slug).items() if t != "tokens"}
        assert any(beside_log.values()), beside_log
        assert not any(
            count for table, count in _shared_rows(other, town.slug).items() if table != "tokens"
        ), _shared_rows(other, town.slug)
    assert _shared_rows(sharded.shard_1, b.slug).get("tokens") == 3
    assert _shared_rows(sharded.shard_2, b.slug).get("tokens", 0) == 0

    # The command line resolves the same way: `adviesspoor events` reads B from shard 2.
    events_b = sharded.cli("events", "--gemeente", b.slug)
    assert len(events_b.splitlines()) >= len(logs_by_town[b.slug])


def test_a_server_refuses_to_start_on_a_malformed_shard_setting(
    sharded: Sharded, tmp_path: Path
) -> None:
    broken = Process(
        sharded.shard_1, tmp_path, name="broken", extra_env={"ADVIESSPOOR_SHARDS": "assen"}
    )
    broken.spawn()
    assert broken.popen is not None
    assert broken.popen.wait(WAIT_SECONDS) == 2
    assert "ADVIESSPOOR_SHARDS: 'assen' is geen paar gemeente=database" in tail(broken.stderr_path)


def test_a_log_left_outside_its_shard_stops_the_server_and_the_worker(
    sharded: Sharded, tmp_path: Path
) -> None:
    """A process with an older setting, which did not yet name D, wrote D's log in the default
    database; with D named in shard 2, neither a server nor a worker starts."""
    d = "t" + secrets.token_hex(4)
    sharded.cli("token", "create", "--gemeente", d, "--rol", "beheerder")  # D not named: shard 1
    moved = {"ADVIESSPOOR_SHARDS": f"{sharded.shards},{d}={sharded.shard_2.url}"}
    try:
        assert d in _schemas(sharded.shard_1)
        for command, who in [("serve", "De server"), ("project", "Het bijhouden")]:
            process = Process(
                sharded.shard_1, tmp_path, name=command, command=command, extra_env=moved
            )
            process.spawn()
            assert process.popen is not None
            assert process.popen.wait(WAIT_SECONDS) == 1
            said = tail(process.stderr_path)
            assert f"{who}" in said
            assert f"gemeente {d} heeft een log in postgresql://" in said
            assert f"/{sharded.shard_1.database}, maar hoort volgens ADVIESSPOOR_SHARDS in" in said
            assert f"/{sharded.shard_2.database} en 1 shard" not in said  # the shard alone
    finally:
        with psycopg.connect(sharded.shard_1.conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(f"gemeente_{d}")))
            for table in ("personal_subjects", "personal_records", "personal_generation"):
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE municipality = %s").format(
                        sql.Identifier("adviesspoor", table)
                    ),
                    (d,),
                )
