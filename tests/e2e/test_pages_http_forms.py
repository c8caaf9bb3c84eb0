"""The forms over HTTP: a member's volglijst and wederwoord; the secretariat's forms and errors."""

from tests.e2e.conftest import Api
from tests.e2e.pages import csrf_of, fields_with_errors, sign_in, submit, text_of, visible_text
from tests.e2e.pages_advice import record_advice as _advice


async def test_a_member_sees_its_own_volglijst_overdue_first_and_gives_an_ontevreden_wederwoord(
    api: Api,
) -> None:
    wij, other = await api.new_body("WIJ-raad"), await api.new_body("Wmo-platform")
    await _advice(api, wij, "Te laat advies", ["Nog niets gehoord"], days_ago=60)
    answered = await _advice(api, wij, "Beantwoord advies", ["Meer uren", "Beter loket"])
    await api.created(f"/adviezen/{answered}/reacties", api.response_body(1, "overgenomen"))
    await _advice(api, other, "Advies van een ander", ["Niet van ons"], days_ago=60)
    await sign_in(api, api.token("lid", body=wij))
    m = api.municipality

    board = visible_text(await text_of(api, f"/{m}/volglijst"))
    response = await submit(
        api,
        f"/{m}/adviezen/{answered}/wederwoord",
        {"punt": "1", "oordeel": "ontevreden", "tekst": "Dit is te weinig."},
    )
    office = api.token("secretariaat")
    own_page = await text_of(api, f"/{m}/volglijst")
    await api.client.post("/afmelden", data={"csrf": csrf_of(own_page)})
    await sign_in(api, office)
    after = visible_text(await text_of(api, f"/{m}/volglijst"))

    assert "Advies van een ander" not in board
    assert board.index("Te laat advies") < board.index("Beantwoord advies")
    assert "Nog geen reactie, termijn verstreken" in board
    assert "Laat weten of het adviesorgaan tevreden is" in board
    assert response.status == 303
    assert response.headers["Location"] == f"/{m}/adviezen/{answered}?vastgelegd=wederwoord"
    assert "Ontevreden over de reactie: punt 1 van ‘Beantwoord advies’" in after
    assert "Advies van een ander" in after


async def test_a_reaction_form_with_errors_keeps_the_input_marks_the_fields_and_stores_nothing(
    api: Api,
) -> None:
    body = await api.new_body()
    advice = await _advice(api, body, "Advies", ["Punt een"])
    await sign_in(api, api.as_("secretariaat"))
    before = await api.last_position()
    path = f"/{api.municipality}/beheer/adviezen/{advice}/reactie"

    response = await submit(
        api,
        path,
        {
            "punt": "1",
            "uitkomst": "niet_overgenomen",
            "reactie": "Wij doen dit niet.",
            "motivering": "",
            "gegevenOp": "31-02-2020",
        },
    )
    html = await response.text()
    invalid = fields_with_errors(html)

    assert response.status == 400
    assert await api.last_position() == before
    assert "<title>Fout: " in html
    assert "Er ging iets mis" in html
    assert 'href="#veld-motivering"' in html
    assert 'href="#veld-gegevenOp"' in html
    assert set(invalid) == {"veld-motivering", "veld-gegevenOp"}
    assert invalid["veld-motivering"]["describedby"] == "hint-motivering fout-motivering"
    assert 'id="fout-motivering"' in html
    assert "Wij doen dit niet.</textarea>" in html
    assert 'value="31-02-2020"' in html


async def test_a_reaction_recorded_by_the_secretariat_appears_on_the_public_page(api: Api) -> None:
    body = await api.new_body()
    advice = await _advice(api, body, "Advies", ["Punt een"])
    await sign_in(api, api.as_("secretariaat"))
    m = api.municipality

    response = await submit(
        api,
        f"/{m}/beheer/adviezen/{advice}/reactie",
        {
            "punt": "1",
            "uitkomst": "deels_overgenomen",
            "reactie": "Wij doen de helft.",
            "motivering": "Het budget is beperkt.",
            "consequentie": "De notitie is hierop aangepast.",
            "gegevenOp": api.today.isoformat(),
        },
    )
    public = visible_text(await text_of(api, f"/{m}/adviezen/{advice}"))

    assert response.status == 303
    assert "deels overgenomen" in public
    assert "Wij doen de helft." in public
    assert "Het budget is beperkt." in public


async def test_due_date_promise_and_fulfilment_forms_record_through_the_ledger(api: Api) -> None:
    body = await api.new_body()
    advice = await _advice(api, body, "Advies", ["Punt een"], days_ago=30)
    await sign_in(api, api.as_("secretariaat"))
    base = f"/{api.municipality}/beheer/adviezen/{advice}"

    missing_reason = await submit(api, base + "/termijn", {"nieuweDatum": api.days_ago(-30)})
    moved = await submit(
        api, base + "/termijn", {"nieuweDatum": api.days_ago(-30), "reden": "Zomerreces."}
    )
    promised = await submit(
        api,
        base + "/toezegging",
        {"punt": "1", "omschrijving": "Er komt een brochure.", "uiterlijkOp": api.days_ago(-60)},
    )
    view = await (await api.get(f"/adviezen/{advice}", api.as_("auditor"))).json()
    promise = view["punten"][0]["toezeggingen"][0]["id"]
    fulfilled = await submit(
        api,
        base + "/nakoming",
        {"toezegging": promise, "nagekomenOp": api.today.isoformat(), "toelichting": "Verstuurd."},
    )
    page = visible_text(await text_of(api, f"/{api.municipality}/adviezen/{advice}"))

    assert missing_reason.status == 400
    assert "Vul de reden in." in await missing_reason.text()
    assert (moved.status, promised.status, fulfilled.status) == (303, 303, 303)
    assert "Termijn gewijzigd" in page
    assert "Reden: Zomerreces." in page
    assert "nagekomen op" in page


async def test_a_besluit_form_names_the_open_points_and_the_missing_advice(api: Api) -> None:
    body = await api.new_body()
    dossier = await api.new_dossier()
    first = await _advice(api, body, "Eerste advies", ["Open punt"], dossier=dossier)
    second = await _advice(api, body, "Tweede advies", ["Ook open"], dossier=dossier)
    await sign_in(api, api.as_("secretariaat"))
    path = f"/{api.municipality}/beheer/besluit?dossier={dossier}"
    before = await api.last_position()

    refused = await submit(
        api,
        path,
        {"titel": "Besluit", "besluitdatum": api.today.isoformat(), f"advies-{first}": "ja"},
    )
    html = await refused.text()
    stored_after_refusal = await api.last_position()
    taken = await submit(
        api,
        path,
        {
            "titel": "Besluit",
            "besluitdatum": api.today.isoformat(),
            f"advies-{first}": "ja",
            f"advies-{second}": "ja",
            f"afwijking-{first}-1": "Past niet in het beleid.",
            f"afwijking-{second}-1": "Te duur.",
        },
    )

    assert refused.status == 400
    assert "Awb 3:49" in html
    assert "Tweede advies" in visible_text(html)
    assert "Punt 1 van ‘Eerste advies’ heeft nog geen reactie" in html
    assert f'href="#veld-afwijking-{first}-1"' in html
    assert stored_after_refusal == before
    assert taken.status == 303


async def test_registering_an_advice_with_points_through_the_form(api: Api) -> None:
    body = await api.new_body("WIJ-raad")
    await sign_in(api, api.as_("secretariaat"))
    m = api.municipality

    empty = await submit(api, f"/{m}/beheer/advies", {"adviesorgaan": body, "titel": ""})
    made = await submit(
        api,
        f"/{m}/beheer/advies",
        {
            "adviesorgaan": body,
            "titel": "Advies over de WIJ-teams",
            "uitgebrachtOp": api.days_ago(3),
            "gevraagd": "nee",
            "punten": "Meer uren\n\nEen beter loket\n",
        },
    )
    listed = visible_text(await text_of(api, f"/{m}"))

    assert empty.status == 400
    assert "Vul de titel in." in await empty.text()
    assert made.status == 303
    assert "Advies over de WIJ-teams" in listed
    assert "Punt 2. Een beter loket" in listed
