"""Idempotency-Key: an equal repeat gets the first answer and records nothing, also after a
restart; another body under the same key is refused; errors are not remembered."""

import asyncio
from typing import Any

from tests.e2e.conftest import Api, invalid_names, problem_of


async def answer(api: Api, path: str, body: Any, token: str, key: str) -> tuple[int, Any, str]:
    response = await api.post(path, body, token, {"Idempotency-Key": key})
    return response.status, await response.json(content_type=None), response.headers["Location"]


async def keyed_across_a_restart(
    api: Api, path: str, body: Any, key: str
) -> tuple[tuple[int, Any, str], tuple[int, Any, str], tuple[int, int]]:
    """The secretariat posts `body` under `key`, the server restarts, and it posts it again: both
    answers, and the last log position after the first and after the second.

    A restart drops every cache and connection: only what was committed is left, as after a
    crash between the commit and the answer."""
    office = api.as_("secretariaat")
    first = await answer(api, path, body, office, key)
    position = await api.last_position()
    await api.restart()
    repeat = await answer(api, path, body, office, key)
    return first, repeat, (position, await api.last_position())


async def test_an_equal_repeat_gets_the_first_answer_and_records_nothing(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body())
    path, office = f"/adviezen/{advice_id}/reacties", api.as_("secretariaat")
    body = api.response_body(1)

    first = await answer(api, path, body, office, "reactie-1")
    position = await api.last_position()
    reordered = dict(reversed(list(body.items())))
    repeat = await answer(api, path, reordered, office, "reactie-1")

    assert first[0] == 201
    assert repeat == first
    assert await api.last_position() == position


async def test_the_first_answer_survives_a_restart(api: Api) -> None:
    body = {"titel": "Nota", "geopendOp": api.days_ago(3)}

    first, repeat, positions = await keyed_across_a_restart(api, "/dossiers", body, "dossier-nota")

    assert repeat == first
    assert positions[1] == positions[0]


async def test_the_same_key_with_another_body_is_a_conflict(api: Api) -> None:
    office = api.as_("secretariaat")
    await answer(api, "/dossiers", {"titel": "A", "geopendOp": api.days_ago(1)}, office, "k")

    response = await api.post(
        "/dossiers", {"titel": "B", "geopendOp": api.days_ago(1)}, office, {"Idempotency-Key": "k"}
    )

    problem = await problem_of(response, 409)
    assert "Idempotency-Key" in problem["detail"]


async def test_a_key_belongs_to_one_token_and_one_path(api: Api) -> None:
    body = {"titel": "A", "geopendOp": api.days_ago(1)}
    first = await answer(api, "/dossiers", body, api.as_("secretariaat"), "k")
    other_token = await answer(api, "/dossiers", body, api.as_("beheerder"), "k")
    body_path = await api.post(
        "/adviesorganen",
        {"naam": "Wmo-platform", "soort": "adviesraad"},
        api.as_("secretariaat"),
        {"Idempotency-Key": "k"},
    )

    assert other_token[0] == 201
    assert other_token[1]["id"] != first[1]["id"]
    await problem_of(body_path, 403)


async def test_an_error_is_not_remembered_so_a_repeat_tries_again(api: Api) -> None:
    body_id = await api.new_body()
    advice_id = await api.new_advice(body_id)
    member = api.token("lid", body=body_id)
    path, rejoinder = f"/adviezen/{advice_id}/wederwoorden", {"oordeel": "tevreden", "tekst": "Ok"}

    refused = await api.post(path, rejoinder, member, {"Idempotency-Key": "ww"})
    await api.created(f"/adviezen/{advice_id}/reacties", api.response_body(1))
    accepted = await api.post(path, rejoinder, member, {"Idempotency-Key": "ww"})

    await problem_of(refused, 400)
    assert accepted.status == 201


async def test_a_key_longer_than_255_characters_is_invalid(api: Api) -> None:
    response = await api.post(
        "/dossiers",
        {"titel": "A", "geopendOp": api.days_ago(1)},
        api.as_("secretariaat"),
        {"Idempotency-Key": "k" * 256},
    )

    assert invalid_names(await problem_of(response, 400)) == ["Idempotency-Key"]


async def test_simultaneous_repeats_record_once(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body())
    path, office = f"/adviezen/{advice_id}/reacties", api.as_("secretariaat")
    before = await api.last_position()

    answers = await asyncio.gather(
        *(answer_or_problem(api, path, api.response_body(1), office, "tegelijk") for _ in range(4))
    )

    created = [body for status, body in answers if status == 201]
    assert {status for status, _ in answers} <= {201, 409}
    assert created
    assert all(body == created[0] for body in created)
    assert await api.last_position() == before + 1


async def answer_or_problem(
    api: Api, path: str, body: Any, token: str, key: str
) -> tuple[int, Any]:
    response = await api.post(path, body, token, {"Idempotency-Key": key})
    return response.status, await response.json(content_type=None)


async def test_a_repeat_with_a_malformed_if_match_is_invalid_input(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body())
    path, office = f"/adviezen/{advice_id}/reacties", api.as_("secretariaat")
    await answer(api, path, api.response_body(1), office, "reactie-1")

    repeat = await api.post(
        path, api.response_body(1), office, {"Idempotency-Key": "reactie-1", "If-Match": "abc"}
    )

    assert invalid_names(await problem_of(repeat, 400)) == ["If-Match"]


async def test_a_201_shows_the_values_as_stored_as_a_later_get_does(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body())
    office = api.as_("secretariaat")
    body = {**api.response_body(1), "reactie": "  Goed  ", "consequentie": "Geen aanpassing "}

    status, answered, location = await answer(
        api, f"/adviezen/{advice_id}/reacties", body, office, "r"
    )
    advice = await (await api.get(f"/adviezen/{advice_id}", office)).json()

    assert status == 201
    assert location == f"/api/v1/adviezen/{advice_id}/historie"
    point = advice["punten"][0]
    assert (answered["reactie"], answered["consequentie"]) == ("Goed", "Geen aanpassing")
    assert (point["reactie"], point["consequentie"]) == ("Goed", "Geen aanpassing")
    assert answered["motivering"] is None


async def test_a_keyed_repeat_after_the_server_lost_its_memory_answers_the_first_201(
    api: Api,
) -> None:
    advice = api.advice_body(await api.new_body())

    first, repeat, positions = await keyed_across_a_restart(api, "/adviezen", advice, "advies-1")

    assert repeat == first
    assert positions[1] == positions[0]
