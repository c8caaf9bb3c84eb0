"""Strict input: ids, dates and numbers match whole; integers are integers; a key once per object;
no control characters; blank means blank; one spelling per path. Each refused with 400 (or 404 for
a path) and nothing recorded."""

from typing import Any

import pytest

from tests.e2e.conftest import Api, invalid_names, problem_of


async def refused(api: Api, path: str, body: Any, names: list[str]) -> None:
    """POST `body` as the secretariat: 400 naming exactly `names`, and the log unchanged."""
    before = await api.last_position()
    response = await api.post(path, body, api.as_("beheerder"))
    problem = await problem_of(response, 400)
    assert invalid_names(problem) == names, problem
    assert await api.last_position() == before


async def raw_post(api: Api, path: str, raw: bytes) -> Any:
    headers = {
        "Authorization": f"Bearer {api.as_('beheerder')}",
        "Content-Type": "application/json",
    }
    return await api.client.post(f"/api/v1{path}", data=raw, headers=headers)


async def test_an_id_with_a_trailing_newline_in_a_body_is_invalid(api: Api) -> None:
    body_id = await api.new_body()
    advice = {**api.advice_body(body_id), "adviesorgaan": body_id + "\n"}

    await refused(api, "/adviezen", advice, ["adviesorgaan"])


async def test_an_id_with_a_trailing_newline_in_a_query_is_invalid(api: Api) -> None:
    body_id = await api.new_body()

    response = await api.get(f"/adviezen?adviesorgaan={body_id}%0A", api.as_("auditor"))

    assert invalid_names(await problem_of(response, 400)) == ["adviesorgaan"]


async def test_a_date_or_a_number_with_a_trailing_newline_is_invalid(api: Api) -> None:
    response = await api.get("/adviezen?peildatum=2026-01-01%0A", api.as_("auditor"))
    assert invalid_names(await problem_of(response, 400)) == ["peildatum"]

    response = await api.get("/gebeurtenissen?vanaf=1%0A", api.as_("auditor"))
    assert invalid_names(await problem_of(response, 400)) == ["vanaf"]


@pytest.mark.parametrize(
    "spelling",
    [
        str.upper,
        lambda i: i.replace("-", ""),
        lambda i: "urn:uuid:" + i,
        lambda i: "{" + i + "}",
        lambda i: i + "%0A",
    ],
    ids=["upper", "no-dashes", "urn", "braces", "newline"],
)
async def test_another_spelling_of_a_path_id_names_nothing(api: Api, spelling: Any) -> None:
    advice_id = await api.new_advice(await api.new_body())
    office = api.as_("secretariaat")
    before = await api.last_position()

    read = await api.get(f"/adviezen/{spelling(advice_id)}", office)
    write = await api.post(
        f"/adviezen/{spelling(advice_id)}/reacties",
        api.response_body(1),
        office,
        {"Idempotency-Key": "k"},
    )

    await problem_of(read, 404)
    await problem_of(write, 404)
    assert await api.last_position() == before


async def test_one_key_and_body_in_other_spellings_of_a_path_record_one_event(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body())
    office = api.as_("secretariaat")
    before = await api.last_position()

    statuses = []
    for path_id in (advice_id, advice_id.upper(), advice_id.replace("-", ""), advice_id):
        response = await api.post(
            f"/adviezen/{path_id}/reacties", api.response_body(1), office, {"Idempotency-Key": "k"}
        )
        statuses.append(response.status)

    assert statuses == [201, 404, 404, 201]
    assert await api.last_position() == before + 1


@pytest.mark.parametrize("value", [1.0, True, "1", 1.5])
async def test_an_integer_field_takes_only_a_json_integer(api: Api, value: Any) -> None:
    advice_id = await api.new_advice(await api.new_body())

    await refused(
        api, f"/adviezen/{advice_id}/reacties", {**api.response_body(1), "punt": value}, ["punt"]
    )


async def test_a_key_given_twice_in_one_object_is_invalid(api: Api) -> None:
    before = await api.last_position()

    response = await raw_post(
        api,
        "/dossiers",
        b'{"titel": "Eerste", "geopendOp": "2026-01-01", "titel": "Tweede"}',
    )

    assert invalid_names(await problem_of(response, 400)) == ["titel"]
    assert await api.last_position() == before


@pytest.mark.parametrize(
    "raw",
    [
        b'{"titel": "\\ud800", "geopendOp": "2026-01-01"}',
        b'{"titel": "Nota", "geopendOp": "2026-01-01", "x": 1e999}',
        b'{"titel": "Nota", "geopendOp": "2026-01-01", "x": ' + b"9" * 5000 + b"}",
    ],
    ids=["lone-surrogate", "infinite", "5000-digits"],
)
async def test_json_no_store_can_hold_is_invalid(api: Api, raw: bytes) -> None:
    before = await api.last_position()

    response = await raw_post(api, "/dossiers", raw)

    await problem_of(response, 400)
    assert await api.last_position() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("titel", "\u001b[2J\u001b]0;pwned\u0007"),
        ("titel", "Twee\nregels"),
        ("titel", "C1 \u009b stuurteken"),
        ("kenmerk", "OS 13\u0000"),
    ],
)
async def test_control_characters_in_a_text_are_invalid(api: Api, field: str, value: str) -> None:
    body = {"titel": "Nota", "geopendOp": api.days_ago(1), field: value}

    await refused(api, "/dossiers", body, [field])


async def test_a_long_text_keeps_its_line_ends_and_tabs(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body())
    text = "Eerste regel.\r\nTweede\tregel."

    answered = await api.created(
        f"/adviezen/{advice_id}/reacties", {**api.response_body(1), "reactie": text}
    )

    assert answered["reactie"] == text


@pytest.mark.parametrize("blank", ["\u200b", " \u200b\u200d ", "\ufeff", "\u2060\t"])
async def test_a_motivering_of_only_invisible_characters_is_blank(api: Api, blank: str) -> None:
    advice_id = await api.new_advice(await api.new_body())
    body = {**api.response_body(1, "niet_overgenomen"), "motivering": blank}

    await refused(api, f"/adviezen/{advice_id}/reacties", body, ["motivering"])


async def test_texts_are_stored_in_one_normal_form(api: Api) -> None:
    decomposed = "Cafe\u0301 de Wijk"  # e + combining acute accent

    answered = await api.created("/adviesorganen", {"naam": decomposed, "soort": "overig"})

    assert answered["naam"] == "Café de Wijk"
