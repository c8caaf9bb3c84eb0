"""Two and four `adviesspoor serve` processes on one PostgreSQL database, `adviesspoor project`
beside them (issue 7): writers racing with If-Match, identical keyed requests racing across
servers, a writer's database session terminated mid-transaction, and log positions without gaps."""

import asyncio
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from aiohttp import ClientError, ClientSession

from tests.faults.client import (
    BASE_PATH,
    Answer,
    Municipality,
    gaps,
    nonce,
    nonce_counts,
    reaction,
    request,
    session,
)
from tests.faults.harness import Process, Store, tail

pytestmark = pytest.mark.postgres

PROBLEM_JSON = "application/problem+json"
ROUNDS = 6  # versions raced for, keys raced for
RACERS = 8  # requests per round
WRITERS = 12  # concurrent writers in the bursts
BURST_WRITES = 160  # writes in the burst that looks for gaps
TERMINATE_SECONDS = 3.0


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


@pytest.fixture(scope="module", params=[2, 4], ids=lambda count: f"{count}-servers")
def cluster(
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


@pytest.fixture
def town(cluster: Cluster) -> Iterator[Municipality]:
    """A fresh municipality in the cluster's database (its schema goes with the database).

    Afterwards the processes start anew: each keeps connection pools per municipality it has
    served, and a shared PostgreSQL server has only so many connections."""
    yield Municipality(cluster.store)
    cluster.restart()


async def _post(
    client: ClientSession,
    url: str,
    token: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> Answer | None:
    try:
        return await request(client, "POST", url, token, body, headers)
    except (ClientError, TimeoutError):
        return None


async def _warm_up(
    client: ClientSession, cluster: Cluster, town: Municipality, advice: str
) -> None:
    """One write and one read through each server in turn, so that each has opened the
    municipality's ledger and views before a race. Opening them on several servers at once is a
    test of its own (the first below), so a 5xx here is asked again, a few times."""
    token = town.token("secretariaat")
    for index in range(len(cluster.servers)):
        url = cluster.url(index, f"/adviezen/{advice}/reacties")
        for _ in range(5):
            answer = await _post(client, url, token, reaction(nonce()))
            read = await _get(client, cluster.url(index, f"/adviezen/{advice}"), token)
            done = answer is not None and answer.status == 201
            if done and read is not None and read.status == 200:
                break
            await asyncio.sleep(0.2)
        assert answer is not None
        assert answer.status == 201, f"{answer.body}\n{cluster.errors()}"
        assert read is not None
        assert read.status == 200, f"{read.body}\n{cluster.errors()}"


async def test_a_new_municipality_written_through_every_server_at_once_is_answered_without_500(
    cluster: Cluster, town: Municipality
) -> None:
    answers: list[Answer | None] = []
    async with session() as client:
        for round_ in range(3):
            town = town if round_ == 0 else Municipality(cluster.store)
            token = town.token("secretariaat")
            advice = await town.new_advice(client, cluster.servers[0].url)
            path = f"/adviezen/{advice}"
            firsts = [
                _post(client, cluster.url(n, path + "/reacties"), token, reaction(nonce()))
                for n in range(len(cluster.servers))
            ]
            reads = [_get(client, cluster.url(n, path), token) for n in range(len(cluster.servers))]
            answers += await asyncio.gather(*firsts, *reads)
    statuses = Counter(a.status if a else None for a in answers)
    assert set(statuses) <= {200, 201, 409}, f"antwoorden: {dict(statuses)}\n{cluster.errors()}"


async def _get(client: ClientSession, url: str, token: str) -> Answer | None:
    try:
        return await request(client, "GET", url, token)
    except (ClientError, TimeoutError):
        return None


async def test_exactly_one_writer_per_version_wins_when_servers_race_with_if_match(
    cluster: Cluster, town: Municipality
) -> None:
    token = town.token("secretariaat")
    rounds: list[list[int]] = []
    winners_versions: list[tuple[int, int]] = []
    losers: list[Answer] = []
    async with session() as client:
        advice = await town.new_advice(client, cluster.servers[0].url)
        await _warm_up(client, cluster, town, advice)
        for round_ in range(ROUNDS):
            current = await request(
                client, "GET", cluster.url(round_, f"/adviezen/{advice}"), token
            )
            version = current.body["versie"]
            racers = [
                _post(
                    client,
                    cluster.url(n, f"/adviezen/{advice}/reacties"),
                    token,
                    reaction(nonce(), point=1 + n % 3),
                    {"If-Match": f'"{version}"'},
                )
                for n in range(RACERS)
            ]
            answers = [a for a in await asyncio.gather(*racers) if a is not None]
            rounds.append(sorted(a.status for a in answers))
            winners_versions += [(version, a.body["versie"]) for a in answers if a.status == 201]
            losers += [a for a in answers if a.status != 201]
        final = await request(client, "GET", cluster.url(ROUNDS, f"/adviezen/{advice}"), token)

    assert all(len(statuses) == RACERS for statuses in rounds), f"zonder antwoord: {rounds}"
    assert [statuses.count(201) for statuses in rounds] == [1] * ROUNDS, rounds
    assert all(after == before + 1 for before, after in winners_versions), winners_versions
    assert {a.status for a in losers} <= {409, 412}, rounds
    assert {a.content_type for a in losers} == {PROBLEM_JSON}
    assert final.body["versie"] == winners_versions[-1][1]  # nothing recorded after the last win


async def test_identical_keyed_requests_racing_across_servers_are_recorded_once(
    cluster: Cluster, town: Municipality
) -> None:
    token = town.token("secretariaat")
    copies = 2 * len(cluster.servers)
    firsts: dict[str, list[Answer]] = {}
    finals: dict[str, list[Answer]] = {}
    async with session() as client:
        advice = await town.new_advice(client, cluster.servers[0].url)
        await _warm_up(client, cluster, town, advice)
        path = f"/adviezen/{advice}/reacties"
        for _ in range(ROUNDS):
            word, key = nonce(), str(uuid4())
            body = reaction(word)
            same = {"Idempotency-Key": key}
            sent = [_post(client, cluster.url(n, path), token, body, same) for n in range(copies)]
            answers = [a for a in await asyncio.gather(*sent) if a is not None]
            firsts[word] = answers
            # A repeat refused while the first was in progress is asked again once it is done.
            settled = []
            for n, answer in enumerate(answers):
                for _ in range(40):
                    if answer.status != 409:
                        break
                    await asyncio.sleep(0.1)
                    again = await _post(client, cluster.url(n, path), token, body, same)
                    answer = again if again is not None else answer
                settled.append(answer)
            finals[word] = settled
        events = await town.log(client, cluster.servers[-1].url)

    counts = nonce_counts(events)
    assert {word: counts[word] for word in firsts} == dict.fromkeys(firsts, 1)
    for word, settled in finals.items():
        statuses = [a.status for a in firsts[word]]
        assert len(settled) == copies, f"{word}: zonder antwoord ({statuses})"
        assert {a.status for a in settled} == {201}, f"{word}: {[a.body for a in settled]}"
        assert len({str(a.body) for a in settled}) == 1, f"{word}: andere antwoorden"
    refused = [a for answers in firsts.values() for a in answers if a.status == 409]
    assert all(a.retry_after for a in refused), (
        f"{len(refused)} keer 409 terwijl de eerste nog liep, zonder Retry-After: "
        f"{refused[0].body if refused else ''}"
    )


def _terminate_writers(store: Store) -> int:
    """pg_terminate_backend on every session of the database that is inside a write to the
    log (locking the events table, notifying, inserting, or idle within such a transaction)."""
    assert store.maintenance is not None
    with psycopg.connect(store.maintenance, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
            "AND (query ILIKE 'LOCK TABLE%%adviceledger_events%%' "
            "OR query ILIKE 'INSERT INTO%%adviceledger_events%%' "
            "OR query ILIKE 'NOTIFY%%' OR query ILIKE '%%es_insert_events%%' "
            # The ledger's own write: BEGIN, lock, NOTIFY (and the rest) in one query.
            "OR query ILIKE 'BEGIN; SET LOCAL lock_timeout%%adviceledger_events%%')",
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
