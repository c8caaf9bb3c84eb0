"""Two and four `adviesspoor serve` processes on one PostgreSQL database answer racing requests
rightly (issue 7): a new municipality written through every server at once, writers racing with
If-Match, identical keyed requests racing across servers."""

import asyncio
from collections import Counter
from typing import TYPE_CHECKING
from uuid import uuid4

import pytest

from tests.faults.client import Municipality, nonce, nonce_counts, reaction, request, session
from tests.faults.servers_support import Cluster, fresh_town, servers_cluster  # noqa: F401 - the fixtures
from tests.faults.servers_support import get as _get
from tests.faults.servers_support import post as _post
from tests.faults.servers_support import warm_up as _warm_up

if TYPE_CHECKING:
    from tests.faults.client import Answer

pytestmark = pytest.mark.postgres

PROBLEM_JSON = "application/problem+json"
ROUNDS = 6  # versions raced for, keys raced for
RACERS = 8  # requests per round


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
