"""Every POST of the contract, over HTTP on SQLite and PostgreSQL: what it records and answers."""

import re
from datetime import UTC, datetime

from tests.e2e.conftest import Api, invalid_names, problem_of

ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


async def test_a_body_is_registered_at_its_own_location(api: Api) -> None:
    response = await api.post(
        "/adviesorganen", {"naam": "WIJ-raad", "soort": "clientenraad"}, api.as_("beheerder")
    )

    body = await response.json()
    assert response.status == 201
    assert ID.match(body["id"])
    assert response.headers["Location"] == f"/api/v1/adviesorganen/{body['id']}"
    assert body["naam"] == "WIJ-raad"
    assert body["soort"] == "clientenraad"
    assert body["reactietermijnDagen"] == 42
    assert body["gemeente"] == api.municipality
    assert body["positie"] == 1
    assert MOMENT.match(body["vastgelegdOp"])


async def test_a_dossier_and_an_advice_request_are_recorded(api: Api) -> None:
    body_id = await api.new_body()

    dossier = await api.post(
        "/dossiers",
        {"titel": "Nota", "geopendOp": api.days_ago(20), "kenmerk": "OS 13.4064391"},
        api.as_("secretariaat"),
    )
    dossier_id = (await dossier.json())["id"]
    request = await api.post(
        "/adviesaanvragen",
        {
            "dossier": dossier_id,
            "adviesorgaan": body_id,
            "vraag": "Wat vindt u van de nota?",
            "aangevraagdOp": api.days_ago(19),
            "uiterlijkOp": api.days_ago(-20),
        },
        api.as_("secretariaat"),
    )

    assert dossier.status == 201
    assert dossier.headers["Location"] == f"/api/v1/dossiers/{dossier_id}"
    assert request.status == 201
    request_id = (await request.json())["id"]
    assert request.headers["Location"] == f"/api/v1/adviesaanvragen/{request_id}"


async def test_a_member_submits_advice_for_its_own_body(api: Api) -> None:
    body_id = await api.new_body()
    member = api.token("lid", body=body_id)

    response = await api.post("/adviezen", api.advice_body(body_id, points=3), member)

    body = await response.json()
    assert response.status == 201
    assert response.headers["Location"] == f"/api/v1/adviezen/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    assert body["versie"] == 1
    assert [p["tekst"] for p in body["punten"]] == ["Punt 1", "Punt 2", "Punt 3"]


async def test_a_response_is_answered_as_an_item_of_the_history(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body())

    response = await api.post(
        f"/adviezen/{advice_id}/reacties",
        {**api.response_body(2, "niet_overgenomen"), "motivering": "Past niet in de begroting."},
        api.as_("secretariaat"),
    )

    body = await response.json()
    assert response.status == 201
    assert response.headers["Location"] == f"/api/v1/adviezen/{advice_id}/historie"
    assert body["advies"] == advice_id
    assert body["punt"] == 2
    assert body["uitkomst"] == "niet_overgenomen"
    assert body["positie"] == await api.last_position()
    assert body["versie"] == 2
    assert MOMENT.match(body["vastgelegdOp"])


async def test_recorded_moments_are_the_logs_own_never_rounded(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body())
    before = datetime.now(tz=UTC)

    response = await api.post(
        f"/adviezen/{advice_id}/reacties", api.response_body(1), api.as_("secretariaat")
    )

    body = await response.json()
    log = await api.get(f"/gebeurtenissen?vanaf={body['positie']}", api.as_("auditor"))
    event = (await log.json())["gebeurtenissen"][0]
    assert body["vastgelegdOp"] == event["vastgelegdOp"]
    stored = datetime.fromisoformat(event["vastgelegdOp"])
    assert datetime.fromisoformat(body["vastgelegdOp"]) == stored
    assert stored >= before


async def test_a_promise_is_made_and_kept(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), answered=1)

    promise = await api.post(
        f"/adviezen/{advice_id}/toezeggingen",
        {"punt": 1, "omschrijving": "Er komt een brochure.", "uiterlijkOp": api.days_ago(-30)},
        api.as_("secretariaat"),
    )
    promise_id = (await promise.json())["id"]
    kept = await api.post(
        f"/adviezen/{advice_id}/toezeggingen/{promise_id}/nakoming",
        {"nagekomenOp": api.days_ago(0), "toelichting": "De brochure ligt er."},
        api.as_("secretariaat"),
    )
    again = await api.post(
        f"/adviezen/{advice_id}/toezeggingen/{promise_id}/nakoming",
        {"nagekomenOp": api.days_ago(0), "toelichting": "Nog eens."},
        api.as_("secretariaat"),
    )

    assert promise.status == 201
    assert ID.match(promise_id)
    assert kept.status == 201
    assert (await kept.json())["toezegging"] == promise_id
    assert kept.headers["Location"] == f"/api/v1/adviezen/{advice_id}/historie"
    await problem_of(again, 409)


async def test_an_unknown_promise_is_not_found(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), answered=1)

    response = await api.post(
        f"/adviezen/{advice_id}/toezeggingen/6f1c1c52-0000-4000-8000-000000000000/nakoming",
        {"nagekomenOp": api.days_ago(0), "toelichting": "Klaar."},
        api.as_("secretariaat"),
    )

    await problem_of(response, 404)


async def test_the_advising_body_gives_a_rejoinder_on_the_answered_points(api: Api) -> None:
    body_id = await api.new_body()
    advice_id = await api.new_advice(body_id, answered=1)

    response = await api.post(
        f"/adviezen/{advice_id}/wederwoorden",
        {"oordeel": "ontevreden", "tekst": "Dit is te mager."},
        api.token("lid", body=body_id),
    )

    assert response.status == 201
    assert (await response.json())["oordeel"] == "ontevreden"


async def test_the_due_date_is_moved_with_a_reason(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body())

    response = await api.post(
        f"/adviezen/{advice_id}/termijnwijzigingen",
        {"nieuweDatum": api.days_ago(-60), "reden": "Zomerreces."},
        api.as_("secretariaat"),
    )

    assert response.status == 201
    assert (await response.json())["nieuweDatum"] == api.days_ago(-60)


async def test_withdrawn_advice_takes_no_responses_and_is_withdrawn_once(api: Api) -> None:
    body_id = await api.new_body()
    advice_id = await api.new_advice(body_id)
    member = api.token("lid", body=body_id)

    withdrawn = await api.post(
        f"/adviezen/{advice_id}/intrekking", {"reden": "Achterhaald."}, member
    )
    again = await api.post(f"/adviezen/{advice_id}/intrekking", {"reden": "Nogmaals."}, member)
    response = await api.post(
        f"/adviezen/{advice_id}/reacties", api.response_body(1), api.as_("secretariaat")
    )

    assert withdrawn.status == 201
    await problem_of(again, 409)
    await problem_of(response, 409)


async def test_a_decision_must_motivate_each_pending_point(api: Api) -> None:
    body_id = await api.new_body()
    dossier_id = await api.new_dossier()
    answered = await api.new_advice(body_id, points=2, answered=2)
    pending = await api.new_advice(body_id, points=3, answered=1)
    decision = {
        "dossier": dossier_id,
        "titel": "Collegebesluit nota",
        "besluitdatum": api.days_ago(1),
        "adviezen": [answered, pending],
    }

    refused = await api.post("/besluiten", decision, api.as_("secretariaat"))
    motivated = {
        **decision,
        "afwijkingen": [
            {"advies": pending, "punt": 2, "motivering": "Komt in de uitwerking."},
            {"advies": pending, "punt": 3, "motivering": "Valt buiten de nota."},
        ],
    }
    taken = await api.post("/besluiten", motivated, api.as_("secretariaat"))

    problem = await problem_of(refused, 400)
    assert invalid_names(problem) == ["adviezen/1/punten/2", "adviezen/1/punten/3"]
    assert taken.status == 201
    assert taken.headers["Location"] == f"/api/v1/besluiten/{(await taken.json())['id']}"


async def test_a_decision_on_unknown_advice_names_it(api: Api) -> None:
    dossier_id = await api.new_dossier()
    decision = {
        "dossier": dossier_id,
        "titel": "Besluit",
        "besluitdatum": api.days_ago(1),
        "adviezen": ["6f1c1c52-0000-4000-8000-000000000000"],
    }

    response = await api.post("/besluiten", decision, api.as_("secretariaat"))

    assert invalid_names(await problem_of(response, 400)) == ["adviezen/0"]


async def test_ledger_refusals_name_the_fields_in_api_terms(api: Api) -> None:
    body_id = await api.new_body()
    advice_id = await api.new_advice(body_id)

    blank_point = await api.post(
        "/adviezen",
        {**api.advice_body(body_id), "punten": [{"tekst": "Goed"}, {"tekst": "   "}]},
        api.as_("secretariaat"),
    )
    unmotivated = await api.post(
        f"/adviezen/{advice_id}/reacties",
        {**api.response_body(1, "deels_overgenomen"), "gegevenOp": api.days_ago(11)},
        api.as_("secretariaat"),
    )
    late_request = await api.post(
        "/adviesaanvragen",
        {
            "dossier": await api.new_dossier(),
            "adviesorgaan": body_id,
            "vraag": "Vraag",
            "aangevraagdOp": api.days_ago(5),
            "uiterlijkOp": api.days_ago(6),
        },
        api.as_("secretariaat"),
    )

    assert invalid_names(await problem_of(blank_point, 400)) == ["punten/1/tekst"]
    assert sorted(invalid_names(await problem_of(unmotivated, 400))) == [
        "gegevenOp",
        "motivering",
    ]
    assert invalid_names(await problem_of(late_request, 400)) == ["uiterlijkOp"]


async def test_advice_of_another_municipality_is_not_found(
    api: Api, other_municipality: str
) -> None:
    advice_id = await api.new_advice(await api.new_body())
    stranger = api.token("secretariaat", municipality=other_municipality)

    response = await api.post(f"/adviezen/{advice_id}/reacties", api.response_body(1), stranger)
    malformed = await api.post("/adviezen/niet-een-id/reacties", api.response_body(1), stranger)

    problem = await problem_of(response, 404)
    assert advice_id not in problem["detail"]
    await problem_of(malformed, 404)


async def test_if_match_passes_the_current_version_and_refuses_an_old_one(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body())
    office = api.as_("secretariaat")
    path = f"/adviezen/{advice_id}/reacties"

    current = await api.post(path, api.response_body(1), office, {"If-Match": '"1"'})
    stale = await api.post(path, api.response_body(2), office, {"If-Match": '"1"'})
    malformed = await api.post(path, api.response_body(2), office, {"If-Match": "1"})

    assert current.status == 201
    assert (await current.json())["versie"] == 2
    await problem_of(stale, 412)
    assert invalid_names(await problem_of(malformed, 400)) == ["If-Match"]
