"""The reads of the contract over real HTTP: resources and views, read-your-writes, the business
date, time travel, paging, and the event stream."""

import asyncio
from typing import Any

import orjson

from tests.e2e.conftest import Api, invalid_names, problem_of


async def test_an_advice_reads_back_with_points_outcomes_and_its_version_as_etag(api: Api) -> None:
    body_id = await api.new_body()
    advice_id = await api.new_advice(body_id, points=3, answered=1)

    response = await api.get(f"/adviezen/{advice_id}", api.as_("auditor"))
    advice = await response.json()

    assert response.status == 200
    assert response.headers["ETag"] == f'"{advice["versie"]}"'
    assert advice["versie"] == 2
    assert advice["gemeente"] == api.municipality
    assert advice["status"] == "deels_beantwoord"
    assert [p["nummer"] for p in advice["punten"]] == [1, 2, 3]
    assert [p["uitkomst"] for p in advice["punten"]] == ["overgenomen", "openstaand", "openstaand"]
    assert advice["punten"][0]["beantwoordOp"] == api.days_ago(5)
    assert advice["reactieUiterlijkOp"] == api.days_ago(10 - 42)


async def test_a_get_right_after_a_post_reflects_it(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), points=1)
    reply = api.response_body(1, "niet_overgenomen") | {"motivering": "Past niet in het budget."}

    await api.created(f"/adviezen/{advice_id}/reacties", reply)
    advice = await api.read(f"/adviezen/{advice_id}")

    assert advice["status"] == "beantwoord"
    assert advice["punten"][0]["uitkomst"] == "niet_overgenomen"
    assert advice["punten"][0]["motivering"] == "Past niet in het budget."


async def test_overdue_follows_the_peildatum(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), points=1)
    due = (await api.read(f"/adviezen/{advice_id}"))["reactieUiterlijkOp"]

    on_due = await api.read(f"/adviezen/{advice_id}?peildatum={due}")
    after = await api.read(f"/adviezen/{advice_id}?peildatum=2999-01-01")

    assert on_due["verlopen"] is False
    assert after["verlopen"] is True
    assert after["punten"][0]["verlopen"] is True


async def test_time_travel_shows_what_was_recorded_up_to_a_moment(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), points=1)
    history = await api.read(f"/adviezen/{advice_id}/historie")
    submitted_at = history["gebeurtenissen"][0]["vastgelegdOp"]
    await api.created(f"/adviezen/{advice_id}/reacties", api.response_body(1))

    then = await api.read(f"/adviezen/{advice_id}?vastgelegdTot={submitted_at}")
    before = await api.get(
        f"/adviezen/{advice_id}?vastgelegdTot=2000-01-01T00:00:00Z", api.as_("auditor")
    )

    assert then["punten"][0]["uitkomst"] == "openstaand"
    assert then["versie"] == 1
    await problem_of(before, 404)


async def test_history_lists_every_event_oldest_first_with_who_recorded_it(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), points=2, answered=2)

    history = await api.read(f"/adviezen/{advice_id}/historie", "auditor")

    items = history["gebeurtenissen"]
    assert [i["type"] for i in items] == [
        "AdviesUitgebracht",
        "ReactieVastgelegd",
        "ReactieVastgelegd",
    ]
    assert [i["positie"] for i in items] == sorted(i["positie"] for i in items)
    assert items[1]["actor"]["naam"] == "test-beheerder"
    assert items[1]["actor"]["rol"] == "beheerder"
    assert items[1]["gegevens"] == {
        "punt": 1,
        "uitkomst": "overgenomen",
        "reactie": "Wij nemen dit over.",
        "gegevenOp": api.days_ago(5),
        "motivering": None,
        "consequentie": None,
        "besluit": None,
    }


async def test_follow_up_board_belongs_to_a_body(api: Api) -> None:
    body_id = await api.new_body()
    other_body = await api.new_body("Wmo-platform")
    await api.new_advice(body_id, points=2, answered=1)
    member = api.token("lid", body=body_id)

    own = await api.get("/volglijst", member)
    other = await api.get(f"/volglijst?adviesorgaan={other_body}", member)
    whole = await api.get("/volglijst", api.as_("secretariaat"))

    items = (await own.json())["items"]
    assert own.status == 200
    assert sorted((i["punt"], i["reden"]) for i in items) == [
        (1, "reactie_zonder_wederwoord"),
        (2, "openstaand"),
    ]
    await problem_of(other, 403)
    # Contract 1.1: without `adviesorgaan`, every role but `lid` gets the whole municipality.
    assert whole.status == 200
    assert {i["adviesorgaanNaam"] for i in (await whole.json())["items"]} == {"WIJ-raad"}


async def test_statistics_count_per_outcome_with_follow_rate(api: Api) -> None:
    body_id = await api.new_body()
    await api.new_advice(body_id, points=3, answered=2)

    stats = await api.read(f"/statistieken?adviesorgaan={body_id}")

    assert stats["punten"] == 3
    assert stats["perUitkomst"]["overgenomen"] == 2
    assert stats["perUitkomst"]["openstaand"] == 1
    assert stats["opvolgingsgraad"] == 1.0
    assert stats["medianeReactietijdDagen"] == 5


async def test_lists_are_paged_with_a_path_to_the_next_page(api: Api) -> None:
    for name in ("Een", "Twee", "Drie"):
        await api.new_body(name)

    first = await api.read("/adviesorganen?paginaGrootte=2")
    second = await api.read(first["volgende"].removeprefix("/api/v1"))
    too_big = await api.get("/adviesorganen?paginaGrootte=101", api.as_("auditor"))

    assert first["totaal"] == 3
    assert [b["naam"] for b in first["adviesorganen"]] == ["Een", "Twee"]
    assert [b["naam"] for b in second["adviesorganen"]] == ["Drie"]
    assert second["volgende"] is None
    assert invalid_names(await problem_of(too_big, 400)) == ["paginaGrootte"]


async def test_bad_query_values_are_refused_with_their_names(api: Api) -> None:
    token = api.as_("auditor")

    unknown = await api.get("/adviezen?kleur=rood", token)
    bad_date = await api.get("/adviezen?peildatum=2026-13-01", token)
    no_zulu = await api.get("/adviezen?vastgelegdTot=2026-01-01T00:00:00", token)

    assert invalid_names(await problem_of(unknown, 400)) == ["kleur"]
    assert invalid_names(await problem_of(bad_date, 400)) == ["peildatum"]
    assert invalid_names(await problem_of(no_zulu, 400)) == ["vastgelegdTot"]


async def test_advice_of_another_municipality_is_not_found(
    api: Api, other_municipality: str
) -> None:
    advice_id = await api.new_advice(await api.new_body(), points=1)
    stranger = api.token("auditor", municipality=other_municipality)

    response = await api.get(f"/adviezen/{advice_id}", stranger)

    await problem_of(response, 404)


async def test_a_dossier_shows_its_advice_and_decisions(api: Api) -> None:
    body_id = await api.new_body()
    dossier_id = await api.new_dossier()
    advice_id = await api.new_advice(body_id, points=1, answered=1, dossier=dossier_id)
    decision = {
        "dossier": dossier_id,
        "titel": "Vaststelling nota",
        "besluitdatum": api.days_ago(1),
        "adviezen": [advice_id],
    }
    await api.created("/besluiten", decision)

    overview = await api.read(f"/dossiers/{dossier_id}")

    assert [a["id"] for a in overview["adviezen"]] == [advice_id]
    assert overview["adviezen"][0]["uitkomsten"]["overgenomen"] == 1
    assert [b["titel"] for b in overview["besluiten"]] == ["Vaststelling nota"]
    listed = await api.read("/dossiers")
    assert overview["vastgelegdOp"] == listed["dossiers"][0]["vastgelegdOp"]
    assert overview["vastgelegdOp"].endswith("Z")


async def _first_event(api: Api, token: str) -> dict[str, Any]:
    response = await api.client.get(
        "/api/v1/gebeurtenissen/stroom", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    await api.new_body("Nieuw orgaan")
    data = b""
    while b"\n\n" not in data:
        data += await asyncio.wait_for(response.content.readline(), 10)
    response.close()
    fields = dict(line.split(": ", 1) for line in data.decode().strip().splitlines())
    assert fields["event"] == "gebeurtenis"
    item: dict[str, Any] = orjson.loads(fields["data"])
    assert int(fields["id"]) == item["positie"]
    return item


async def test_the_stream_sends_new_events_whole_to_auditors(api: Api) -> None:
    item = await _first_event(api, api.as_("auditor"))

    assert item["type"] == "AdviesorgaanGeregistreerd"
    assert item["gegevens"]["naam"] == "Nieuw orgaan"


async def test_the_stream_sends_other_roles_what_changed_without_the_data(api: Api) -> None:
    item = await _first_event(api, api.as_("secretariaat"))

    assert item["type"] == "AdviesorgaanGeregistreerd"
    assert "gegevens" not in item


async def test_the_event_log_travels_in_time_too(api: Api) -> None:
    await api.new_body("Eerste")
    log = await api.read("/gebeurtenissen", "auditor")
    first_at = log["gebeurtenissen"][0]["vastgelegdOp"]
    await api.new_body("Tweede")

    then = await api.read(f"/gebeurtenissen?vastgelegdTot={first_at}", "auditor")
    before = await api.read("/gebeurtenissen?vastgelegdTot=2000-01-01T00:00:00Z", "auditor")
    now = await api.read("/gebeurtenissen", "auditor")

    assert [e["gegevens"]["naam"] for e in then["gebeurtenissen"]] == ["Eerste"]
    assert before["gebeurtenissen"] == []
    assert [e["gegevens"]["naam"] for e in now["gebeurtenissen"]] == ["Eerste", "Tweede"]
