"""What the log holds when `adviesspoor serve` processes on one PostgreSQL database race (issue 7):
nothing partial after a writer's database session is terminated mid-transaction, and positions
without gaps."""

import asyncio
import random
from collections import Counter
from typing import Any
from uuid import uuid4

import psycopg
import pytest

from tests.faults.client import (
    Answer,
    Municipality,
    gaps,
    nonce,
    nonce_counts,
    reaction,
    request,
    session,
)
from tests.faults.harness import Store
from tests.faults.servers_support import Cluster, fresh_town, servers_cluster  # noqa: F401 - the fixtures
from tests.faults.servers_support import post as _post
from tests.faults.servers_support import warm_up as _warm_up

pytestmark = pytest.mark.postgres

WRITERS = 12  # concurrent writers in the bursts
BURST_WRITES = 160  # writes in the burst that looks for gaps
TERMINATE_SECONDS = 3.0


def _terminate_writers(store: Store) -> int:
    """pg_terminate_backend on every session of the database that is inside a write to the
    log (locking the events table, notifying, inserting, or idle within such a transaction)."""
    assert store.maintenance is not None
    with psycopg.connect(store.maintenance, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
            # Anywhere in the statement: the ledger sends BEGIN, the lock and NOTIFY as one
            # statement, and the events with their tree nodes as one `WITH … INSERT`.
            "AND (query ILIKE '%%LOCK TABLE%%adviceledger_events%%' "
            "OR query ILIKE '%%INSERT INTO%%adviceledger_events%%' "
            "OR query ILIKE '%%NOTIFY%%' OR query ILIKE '%%es_insert_events%%')",
            (store.database,),
        ).fetchall()
    return sum(1 for (done,) in rows if done)


def _versions(store: Store, slug: str) -> dict[str, list[int]]:
    """Per record, the versions stored in the log, in order."""
    from events.store import StoreUrl

    location = StoreUrl.parse(store.url).location(slug)
    query = psycopg.sql.SQL(
        "SELECT originator_id, originator_version FROM {}.{} ORDER BY 1, 2"
    ).format(psycopg.sql.Identifier(location.schema), psycopg.sql.Identifier(location.events_table))
    found: dict[str, list[int]] = {}
    with psycopg.connect(store.conninfo(), autocommit=True) as conn:
        for record, version in conn.execute(query).fetchall():
            found.setdefault(str(record), []).append(int(version))
    return found


async def test_a_writer_session_terminated_mid_transaction_leaves_no_partial_state_and_servers_recover(  # noqa: E501 - the sentence is the name
    cluster: Cluster, town: Municipality
) -> None:
    token = town.token("secretariaat")
    rng = random.Random(7)  # noqa: S311 - a repeatable mix, not secrets
    sent: list[tuple[str, str | None, str, dict[str, Any], Answer | None]] = []
    terminated = 0
    stop = asyncio.Event()
    async with session() as client:
        advice = [await town.new_advice(client, cluster.servers[0].url) for _ in range(3)]
        await _warm_up(client, cluster, town, advice[0])

        async def writer(index: int) -> None:
            while not stop.is_set():
                word = nonce()
                key = str(uuid4()) if rng.random() < 0.5 else None
                path = f"/adviezen/{rng.choice(advice)}/reacties"
                body = reaction(word, point=rng.randint(1, 3))
                url = cluster.url(index, path)
                headers = {"Idempotency-Key": key} if key else None
                sent.append((word, key, url, body, await _post(client, url, token, body, headers)))

        async def terminator() -> None:
            nonlocal terminated
            while not stop.is_set():
                terminated += await asyncio.to_thread(_terminate_writers, cluster.store)
                await asyncio.sleep(0.02)

        tasks = [asyncio.create_task(writer(n)) for n in range(WRITERS)]
        tasks.append(asyncio.create_task(terminator()))
        await asyncio.sleep(TERMINATE_SECONDS)
        stop.set()
        await asyncio.gather(*tasks)

        # A keyed write that failed is repeated with its key until it is acknowledged.
        settled: dict[str, Answer | None] = {}
        attempts: dict[str, list[int | None]] = {}
        for word, key, url, body, answer in sent:
            attempts[word] = [answer.status if answer else None]
            for _ in range(40):
                if key is None or (answer is not None and answer.ok):
                    break
                await asyncio.sleep(0.1)
                answer = await _post(client, url, token, body, {"Idempotency-Key": key})
                attempts[word].append(answer.status if answer else None)
            settled[word] = answer
        # Every server takes writes and answers reads again.
        recovered = []
        for index in range(len(cluster.servers)):
            answer = None
            for _ in range(20):
                url = cluster.url(index, f"/adviezen/{advice[0]}/reacties")
                answer = await _post(client, url, token, reaction(nonce()))
                if answer is not None and answer.ok:
                    break
                await asyncio.sleep(0.25)
            read = await request(client, "GET", cluster.url(index, f"/adviezen/{advice[0]}"), token)
            recovered.append((answer.status if answer else None, read.status))
        views = {
            a: (await request(client, "GET", cluster.url(0, f"/adviezen/{a}"), token)).body
            for a in advice
        }
        events = await town.log(client, cluster.servers[0].url)

    statuses = Counter(a.status if a else None for *_, a in sent)
    answer_of = {w: (a.status, a.body.get("detail")) if a else None for w, *_, a in sent}
    counts = nonce_counts(events)
    acknowledged = [w for w, _, _, _, a in sent if a is not None and a.ok]
    keyed = [w for w, key, *_ in sent if key is not None]
    # An unkeyed write refused outright (4xx) must have recorded nothing; one that got no answer
    # or 503 (the session died, perhaps during its commit) may be recorded, but once at most.
    refused = [
        w for w, key, *_, a in sent if key is None and a is not None and 400 <= a.status < 500
    ]
    unsure = [w for w, key, *_, a in sent if key is None and (a is None or a.status >= 500)]
    versions = _versions(cluster.store, town.slug)
    assert terminated > 0, "geen enkele schrijvende sessie afgebroken: de proef bewees niets"
    assert recovered == [(201, 200)] * len(cluster.servers), cluster.errors()
    assert [w for w in acknowledged if counts[w] != 1] == []
    not_once = {w: (counts[w], attempts[w]) for w in keyed if counts[w] != 1}
    assert not_once == {}, "met sleutel niet precies één keer: (keer in de log, antwoorden)"
    assert [w for w in keyed if not (settled[w] and settled[w].ok)] == []  # type: ignore[union-attr]
    refused_recorded = [(w, answer_of[w]) for w in refused if counts[w] > 0]
    assert refused_recorded == [], "geweigerd (4xx) maar toch vastgelegd"
    assert [w for w in unsure if counts[w] > 1] == []
    assert {r: v for r, v in versions.items() if v != list(range(1, len(v) + 1))} == {}
    assert {a: views[a]["versie"] for a in advice} == {a: len(versions[a]) for a in advice}
    assert statuses[500] == 0, f"antwoorden: {dict(statuses)}"
    assert set(statuses) <= {201, 409, 503}, f"antwoorden: {dict(statuses)}"


async def test_log_positions_count_one_by_one_without_gaps_when_servers_race(
    cluster: Cluster, town: Municipality
) -> None:
    token = town.token("secretariaat")
    rng = random.Random(11)  # noqa: S311 - a repeatable mix, not secrets
    answers: list[Answer | None] = []
    async with session() as client:
        advice = [await town.new_advice(client, cluster.servers[0].url) for _ in range(2)]
        await _warm_up(client, cluster, town, advice[0])
        queue = list(range(BURST_WRITES))

        async def writer() -> None:
            while queue:
                n = queue.pop()
                url = cluster.url(n, f"/adviezen/{rng.choice(advice)}/reacties")
                answers.append(await _post(client, url, token, reaction(nonce())))

        await asyncio.gather(*(writer() for _ in range(WRITERS)))
    positions = cluster.store.positions(town.slug)
    statuses = Counter(a.status if a else None for a in answers)
    setup = 3 + len(cluster.servers)  # the body, the two advice, a reactie per server

    missing = gaps(positions)
    assert missing == [], (
        f"{len(missing)} gaten in {len(positions)} posities (antwoorden {dict(statuses)}): "
        f"{missing[:20]}"
    )
    assert len(positions) == setup + statuses[201]
