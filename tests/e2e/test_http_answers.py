"""Contract 1.1 over real HTTP: afwijkingen answer points, Awb 3:49, wederwoorden per point,
termijnwijzigingen from their ingangsdatum, adviesaanvragen with their advice, names beside ids,
the punten view with Dutch search, the table, CSV, and the Dutch history."""

from tests.e2e.conftest import Api, invalid_names, problem_of


async def test_an_afwijking_answers_its_point_and_the_advice_names_the_besluit(api: Api) -> None:
    body_id, dossier_id = await api.new_body(), await api.new_dossier()
    advice_id = await api.new_advice(body_id, answered=1, dossier=dossier_id)
    decision = {
        "dossier": dossier_id,
        "titel": "Vaststelling nota",
        "besluitdatum": api.days_ago(2),
        "adviezen": [advice_id],
        "afwijkingen": [
            {"advies": advice_id, "punt": 1, "motivering": "Toch anders."},
            {
                "advies": advice_id,
                "punt": 2,
                "motivering": "Deels: alleen in de wijk.",
                "uitkomst": "deels_overgenomen",
            },
        ],
    }
    decision_id = (await api.created("/besluiten", decision))["id"]

    advice = await api.read(f"/adviezen/{advice_id}")
    decided = await api.read(f"/besluiten/{decision_id}")
    listed = await api.read("/besluiten")

    first, second = advice["punten"]
    assert (first["uitkomst"], first["motivering"], first["besluit"]) == (
        "niet_overgenomen",
        "Toch anders.",
        decision_id,
    )
    assert (second["uitkomst"], second["beantwoordOp"]) == ("deels_overgenomen", api.days_ago(2))
    assert advice["besluiten"] == [decision_id]
    assert advice["status"] == "beantwoord"
    assert (advice["adviesorgaanNaam"], advice["dossierTitel"]) == (
        "WIJ-raad",
        "Met elkaar voor elkaar",
    )
    assert decided["dossierTitel"] == "Met elkaar voor elkaar"
    assert decided["adviesTitels"] == ["Advies over de nota"]
    assert [a["uitkomst"] for a in decided["afwijkingen"]] == [
        "niet_overgenomen",
        "deels_overgenomen",
    ]
    assert [b["id"] for b in listed["besluiten"]] == [decision_id]


async def test_awb_3_49_a_besluit_lists_every_advice_on_its_dossier(
    api: Api, other_municipality: str
) -> None:
    body_id, dossier_id = await api.new_body(), await api.new_dossier()
    first = await api.new_advice(body_id, points=1, dossier=dossier_id)
    await api.new_advice(body_id, points=1, dossier=dossier_id)
    elsewhere_token = api.token("beheerder", municipality=other_municipality)
    elsewhere_body = await api.new_body("Elders", token=elsewhere_token)
    foreign = str(
        (await api.created("/adviezen", api.advice_body(elsewhere_body, 1), elsewhere_token))["id"]
    )
    base = {"dossier": dossier_id, "titel": "Besluit", "besluitdatum": api.days_ago(1)}
    motivated = [{"advies": first, "punt": 1, "motivering": "Nee."}]

    missing = await api.post(
        "/besluiten", base | {"adviezen": [first], "afwijkingen": motivated}, api.as_("beheerder")
    )
    unknown = await api.post(
        "/besluiten",
        base | {"adviezen": [first, foreign], "afwijkingen": motivated},
        api.as_("beheerder"),
    )

    problem = await problem_of(missing, 400)
    assert invalid_names(problem) == ["adviezen"]
    assert "Advies over de nota" in problem["invalidParams"][0]["reason"]
    assert "adviezen/1" in invalid_names(await problem_of(unknown, 400))


async def test_wederwoorden_per_point_and_the_ontevreden_one_on_the_volglijst(api: Api) -> None:
    body_id = await api.new_body()
    advice_id = await api.new_advice(body_id, points=2, answered=2)
    member = api.token("lid", body=body_id)
    path = f"/adviezen/{advice_id}/wederwoorden"

    await api.created(path, {"punt": 1, "oordeel": "ontevreden", "tekst": "Te weinig."}, member)
    await api.created(path, {"oordeel": "tevreden", "tekst": "Dank u."}, member)
    board = await api.read("/volglijst")
    advice = await api.read(f"/adviezen/{advice_id}")
    await api.created(f"/adviezen/{advice_id}/reacties", api.response_body(1, "meegenomen"))
    after = await api.read(f"/volglijst?adviesorgaan={body_id}")

    first, second = advice["punten"]
    assert first["wederwoord"]["oordeel"] == "ontevreden"
    assert [w["oordeel"] for w in first["wederwoorden"]] == ["ontevreden"]
    assert second["wederwoord"]["oordeel"] == "tevreden"
    assert second["wederwoord"]["algemeen"] is True
    assert [(i["punt"], i["reden"]) for i in board["items"]] == [(1, "wederwoord_ontevreden")]
    assert board["items"][0]["adviesTitel"] == "Advies over de nota"
    assert (1, "wederwoord_ontevreden") not in [(i["punt"], i["reden"]) for i in after["items"]]


async def test_the_secretariaat_records_a_wederwoord_sent_by_letter(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), points=1, answered=1)
    letter = {
        "punt": 1,
        "oordeel": "ontevreden",
        "tekst": "Per brief.",
        "gegevenOp": api.days_ago(1),
    }

    await api.created(f"/adviezen/{advice_id}/wederwoorden", letter, api.as_("secretariaat"))
    advice = await api.read(f"/adviezen/{advice_id}")
    history = await api.read(f"/adviezen/{advice_id}/historie", "auditor")

    said = advice["punten"][0]["wederwoord"]
    assert (said["doorSecretariaat"], said["gegevenOp"]) == (True, api.days_ago(1))
    last = history["gebeurtenissen"][-1]
    assert last["type"] == "WederwoordGegeven"
    assert last["actor"]["rol"] == "secretariaat"
    assert last["gegevens"] == letter


async def test_a_late_termijnwijziging_never_erases_that_the_advice_was_overdue(api: Api) -> None:
    body = api.advice_body(await api.new_body(), 1) | {"uitgebrachtOp": api.days_ago(60)}
    advice_id = str((await api.created("/adviezen", body))["id"])
    moved = {"nieuweDatum": api.days_ago(-30), "reden": "Reces.", "ingangsdatum": api.days_ago(5)}
    await api.created(f"/adviezen/{advice_id}/termijnwijzigingen", moved)

    before = await api.read(f"/adviezen/{advice_id}?peildatum={api.days_ago(6)}")
    now = await api.read(f"/adviezen/{advice_id}")
    stats_before = await api.read(f"/statistieken?peildatum={api.days_ago(6)}")
    await api.created(
        f"/adviezen/{advice_id}/reacties", api.response_body(1) | {"gegevenOp": api.days_ago(3)}
    )
    advice = await api.read(f"/adviezen/{advice_id}")
    stats = await api.read("/statistieken")

    assert (before["verlopen"], before["reactieUiterlijkOp"]) == (True, api.days_ago(18))
    assert (now["verlopen"], now["reactieUiterlijkOp"]) == (False, api.days_ago(-30))
    assert now["termijnwijzigingen"][0] | {"vastgelegdOp": None} == {
        "oudeDatum": api.days_ago(18),
        "nieuweDatum": api.days_ago(-30),
        "reden": "Reces.",
        "ingangsdatum": api.days_ago(5),
        "vastgelegdOp": None,
    }
    assert stats_before["verlopen"] == 1
    assert advice["punten"][0]["teLaatBeantwoord"] is False
    assert stats["teLaatBeantwoord"] == 0
    assert stats["medianeReactietijdDagen"] == 57
    assert isinstance(stats["medianeReactietijdDagen"], int)


async def test_an_adviesaanvraag_shows_its_advice_and_whether_it_came_in_time(api: Api) -> None:
    body_id, dossier_id = await api.new_body(), await api.new_dossier()
    ask = {
        "dossier": dossier_id,
        "adviesorgaan": body_id,
        "vraag": "Wat vindt u?",
        "aangevraagdOp": api.days_ago(20),
        "uiterlijkOp": api.days_ago(12),
    }
    request_id = (await api.created("/adviesaanvragen", ask))["id"]
    waiting = await api.read(f"/adviesaanvragen/{request_id}")
    unsolicited = await api.post(
        "/adviezen",
        api.advice_body(body_id) | {"adviesaanvraag": request_id},
        api.as_("secretariaat"),
    )
    given = api.advice_body(body_id) | {"adviesaanvraag": request_id, "gevraagd": True}
    advice_id = (await api.created("/adviezen", given))["id"]

    answered = await api.read(f"/adviesaanvragen/{request_id}")

    assert (waiting["adviezen"], waiting["tijdig"]) == ([], None)
    assert invalid_names(await problem_of(unsolicited, 400)) == ["gevraagd"]
    assert (answered["adviezen"], answered["tijdig"]) == ([advice_id], False)
    assert answered["adviesorgaanNaam"] == "WIJ-raad"


async def test_the_punten_view_finds_word_forms_and_filters(api: Api) -> None:
    body_id = await api.new_body()
    other_body = await api.new_body("Wmo-platform")
    wanted = api.advice_body(body_id, 1) | {"punten": [{"tekst": "Steun de mantelzorgers."}]}
    advice_id = (await api.created("/adviezen", wanted))["id"]
    await api.new_advice(other_body, points=2, answered=1)

    found = await api.read("/punten?zoek=mantelzorger")
    of_body = await api.read(f"/punten?adviesorgaan={other_body}&uitkomst=overgenomen")
    advice = await api.read("/adviezen?zoek=Mantelzorgers&uitkomst=openstaand")
    nothing = await api.read(f"/punten?zoek=wachtlijst&jaar={api.today.year}")

    assert [(p["advies"], p["nummer"], p["adviesorgaanNaam"]) for p in found["punten"]] == [
        (advice_id, 1, "WIJ-raad")
    ]
    assert [(p["nummer"], p["uitkomst"]) for p in of_body["punten"]] == [(1, "overgenomen")]
    assert [a["id"] for a in advice["adviezen"]] == [advice_id]
    assert nothing["punten"] == []


async def test_the_table_per_body_and_year_and_csv_for_excel(api: Api) -> None:
    await api.new_advice(await api.new_body("Wmo-platform"), points=2, answered=1)
    await api.new_advice(await api.new_body("Adviesraad"), points=1, answered=1)

    table = await api.read("/statistieken/tabel")
    response = await api.client.get(
        "/api/v1/statistieken/tabel",
        headers={"Authorization": f"Bearer {api.as_('auditor')}", "Accept": "text/csv"},
    )
    raw = await response.read()

    assert [(r["adviesorgaanNaam"], r["jaar"], r["punten"]) for r in table["rijen"]] == [
        ("Adviesraad", api.today.year, 1),
        ("Wmo-platform", api.today.year, 2),
    ]
    assert response.headers["Content-Type"].startswith("text/csv")
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:4] == ["adviesorgaan", "adviesorgaanNaam", "jaar", "punten"]
    assert "perUitkomst.overgenomen" in lines[0].split(";")
    assert [line.split(";")[1] for line in lines[1:]] == ["Adviesraad", "Wmo-platform"]
    assert "1,0" in lines[2].split(";")  # opvolgingsgraad with a decimal comma


async def test_a_list_as_csv_holds_every_page(api: Api) -> None:
    for name in ("Een", "Twee", "Drie"):
        await api.new_body(name)

    response = await api.client.get(
        "/api/v1/adviesorganen?paginaGrootte=1",
        headers={"Authorization": f"Bearer {api.as_('auditor')}", "Accept": "text/csv"},
    )

    lines = (await response.read()).decode("utf-8-sig").splitlines()
    assert lines[0] == "id;gemeente;naam;soort;reactietermijnDagen;vastgelegdOp"
    assert [line.split(";")[2] for line in lines[1:]] == ["Een", "Twee", "Drie"]


async def test_gebeurtenissen_in_dutch_filtered_by_type(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), points=1, answered=1)

    responses = await api.read("/gebeurtenissen?type=ReactieVastgelegd", "auditor")
    bodies = await api.read("/gebeurtenissen?type=AdviesorgaanGeregistreerd&limiet=1", "auditor")
    wrong = await api.get("/gebeurtenissen?type=ResponseRecorded", api.as_("auditor"))

    assert [(e["type"], e["id"]) for e in responses["gebeurtenissen"]] == [
        ("ReactieVastgelegd", advice_id)
    ]
    assert responses["gebeurtenissen"][0]["gegevens"]["uitkomst"] == "overgenomen"
    assert bodies["gebeurtenissen"][0]["gegevens"] == {
        "naam": "WIJ-raad",
        "soort": "clientenraad",
        "reactietermijnDagen": 42,
    }
    assert bodies["volgende"] is None
    assert invalid_names(await problem_of(wrong, 400)) == ["type"]


async def test_a_lid_sees_its_own_volglijst_and_others_see_the_whole_municipality(
    api: Api,
) -> None:
    own, other = await api.new_body(), await api.new_body("Wmo-platform")
    await api.new_advice(own, points=1)
    await api.new_advice(other, points=1)
    member = api.token("lid", body=own)

    mine = await (await api.get("/volglijst", member)).json()
    everything = await api.read("/volglijst", "auditor")

    assert {i["adviesorgaanNaam"] for i in mine["items"]} == {"WIJ-raad"}
    assert {i["adviesorgaanNaam"] for i in everything["items"]} == {"WIJ-raad", "Wmo-platform"}
    assert all(i["toezegging"] is None for i in everything["items"])
