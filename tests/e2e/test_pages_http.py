"""The pages over HTTP, as a browser without JavaScript uses them: the public terugkoppeling,
sign-in with a session cookie, CSRF, the volglijst and the wederwoord, the secretariat's forms
with the NL Design System error pattern, feeds and figures; on SQLite and PostgreSQL."""

import re

from tests.e2e.conftest import Api
from tests.e2e.pages import (
    csrf_of,
    fields_with_errors,
    sign_in,
    submit,
    text_of,
    visible_text,
)


async def _advice(
    api: Api,
    body: str,
    title: str,
    points: list[str],
    days_ago: int = 10,
    dossier: str | None = None,
) -> str:
    """An advice of `body` with these point texts, `days_ago`, in `dossier` when one is given."""
    data = {
        "adviesorgaan": body,
        "titel": title,
        "uitgebrachtOp": api.days_ago(days_ago),
        "gevraagd": False,
        "punten": [{"tekst": t} for t in points],
    } | ({"dossier": dossier} if dossier else {})
    return str((await api.created("/adviezen", data))["id"])


async def test_the_home_page_lists_the_municipality_and_its_list_shows_outcomes(api: Api) -> None:
    body = await api.new_body("Wmo-platform")
    advice = await _advice(api, body, "Advies over mantelzorg", ["Meer steun voor mantelzorgers"])
    await api.created(
        f"/adviezen/{advice}/reacties",
        {**api.response_body(1, "niet_overgenomen"), "motivering": "Daar is geen geld voor."},
    )

    home = await text_of(api, "/")
    listed = visible_text(await text_of(api, f"/{api.municipality}"))

    assert f'href="/{api.municipality}"' in home
    assert '<html lang="nl"' in home
    assert home.count("<h1") == 1
    assert "Advies over mantelzorg" in listed
    assert "niet overgenomen" in listed
    assert "Daar is geen geld voor." in listed


async def test_the_public_list_filters_by_body_year_and_outcome_and_is_paged(api: Api) -> None:
    wmo, wij = await api.new_body("Wmo-platform"), await api.new_body("WIJ-raad")
    for n in range(21):
        await _advice(api, wmo, f"Wmo-advies {n:02}", ["Een punt"], days_ago=10 + n)
    answered = await _advice(api, wij, "WIJ-advies", ["Punt een", "Punt twee"], days_ago=400)
    await api.created(f"/adviezen/{answered}/reacties", api.response_body(2, "overgenomen"))
    year = api.days_ago(400)[:4]
    m = api.municipality

    first = visible_text(await text_of(api, f"/{m}?adviesorgaan={wmo}"))
    second = await text_of(api, f"/{m}?adviesorgaan={wmo}&pagina=2")
    followed = visible_text(await text_of(api, f"/{m}?uitkomst=overgenomen"))
    of_year = visible_text(await text_of(api, f"/{m}?jaar={year}&adviesorgaan={wij}"))
    pending = visible_text(await text_of(api, f"/{m}?uitkomst=openstaand&adviesorgaan={wij}"))

    assert "21 adviezen gevonden; dit is pagina 1 van 2" in first
    assert "Wmo-advies 00" in first
    assert "Wmo-advies 20" not in first
    assert "Wmo-advies 20" in second
    assert 'aria-current="page">Pagina 2' in second
    assert "1 advies gevonden" in followed
    assert "WIJ-advies" in followed
    assert "WIJ-advies" in of_year
    assert "WIJ-advies" in pending  # point 1 still has no reaction


async def test_the_search_box_finds_other_word_forms(api: Api) -> None:
    body = await api.new_body("Wmo-platform")
    await _advice(api, body, "Over de zorg", ["Ondersteun de mantelzorgers beter"])
    await _advice(api, body, "Over het groen", ["Meer bomen in de wijk"])

    found = visible_text(await text_of(api, f"/{api.municipality}?zoek=mantelzorger"))

    assert "1 advies gevonden" in found
    assert "Over de zorg" in found
    assert "Over het groen" not in found


async def test_the_advice_page_has_a_timeline_and_shows_the_advice_as_recorded_then(
    api: Api,
) -> None:
    body = await api.new_body("Stadadviseert")
    advice = await _advice(api, body, "Advies WIJ", ["Laagdrempelige WIJ-teams"], days_ago=60)
    await api.created(f"/adviezen/{advice}/reacties", api.response_body(1, "meegenomen"))
    first_answer = await api.last_position()
    changed = {
        **api.response_body(1, "deels_overgenomen"),
        "reactie": "Wij doen een deel.",
        "motivering": "Niet alles past in de begroting.",
    }
    await api.created(f"/adviezen/{advice}/reacties", changed)
    path = f"/{api.municipality}/adviezen/{advice}"

    now = visible_text(await text_of(api, path))
    then = visible_text(await text_of(api, f"{path}?tot={first_answer}"))
    before = await text_of(api, f"{path}?vastgelegdOp=2000-01-01", 404)

    assert "deels overgenomen" in now
    assert "Niet alles past in de begroting." in now
    assert "Reactie op punt 1: meegenomen in verdere uitwerking" in now
    assert "Dit vervangt de eerdere reactie (meegenomen in verdere uitwerking)" in now
    assert "door test-beheerder (beheerder)" in now
    assert "zoals het was vastgelegd op" in then
    assert "Wij doen een deel." not in then
    assert "meegenomen in verdere uitwerking" in then
    assert "Pagina niet gevonden" in before or "bestaat niet" in before


async def test_pages_answer_dutch_html_and_the_api_keeps_problem_json(api: Api) -> None:
    await api.new_body()
    client = api.client

    missing = await client.get("/onbekend/pad/hier")
    slash = await client.get(f"/{api.municipality}/", allow_redirects=False)
    api_slash = await client.get("/api/v1/adviezen/")
    api_unknown = await client.get("/api/v1/bestaat-niet")
    page = await client.get(f"/{api.municipality}")

    assert missing.status == 404
    assert missing.content_type == "text/html"
    assert "Pagina niet gevonden" in await missing.text()
    assert slash.status == 301
    assert slash.headers["Location"] == f"/{api.municipality}"
    assert api_slash.status == 404
    assert api_slash.content_type == "application/problem+json"
    assert api_unknown.content_type == "application/problem+json"
    policy = page.headers["Content-Security-Policy"]
    assert "script-src" not in policy
    assert "default-src 'none'" in policy
    assert "style-src 'self'" in policy
    assert "API-Version" not in page.headers
    assert "API-Version" in api_slash.headers


async def test_sign_in_gives_an_httponly_strict_cookie_and_sign_out_ends_it(api: Api) -> None:
    await api.new_body()
    token = api.as_("secretariaat")

    refused = await api.client.post(
        "/aanmelden",
        data={"csrf": csrf_of(await text_of(api, "/aanmelden")), "token": "fout"},
    )
    response = await sign_in(api, token)
    cookie = response.headers["Set-Cookie"]
    board = await text_of(api, f"/{api.municipality}/volglijst")
    out = await api.client.post("/afmelden", data={"csrf": csrf_of(board)})
    after = await api.client.get(f"/{api.municipality}/volglijst", allow_redirects=False)

    assert refused.status == 400
    assert "Dit token is onbekend of ingetrokken." in await refused.text()
    assert token not in await refused.text()
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Max-Age=28800" in cookie
    assert token not in cookie
    assert response.headers["Location"] == f"/{api.municipality}/volglijst"
    assert "Volglijst" in board
    assert out.status == 200
    assert after.status == 303
    assert after.headers["Location"].startswith("/aanmelden?terug=")


async def test_a_form_without_its_csrf_token_is_refused_and_records_nothing(api: Api) -> None:
    body = await api.new_body()
    advice = await _advice(api, body, "Advies", ["Punt"])
    await sign_in(api, api.as_("secretariaat"))
    before = await api.last_position()

    response = await api.client.post(
        f"/{api.municipality}/beheer/adviezen/{advice}/reactie",
        data={"punt": "1", "uitkomst": "overgenomen", "reactie": "Ja.", "gegevenOp": "2020-01-01"},
    )

    assert response.status == 403
    assert "Dit formulier is niet meer geldig" in await response.text()
    assert await api.last_position() == before


async def test_a_revoked_token_ends_its_sessions(api: Api) -> None:
    await api.new_body()
    token = api.as_("secretariaat")
    await sign_in(api, token)
    await text_of(api, f"/{api.municipality}/volglijst")
    from api.http.app import SERVICES

    edge = api.app[SERVICES].edge_store
    (record,) = [
        t
        for t in edge.tokens()
        if t.name == "test-secretariaat" and t.municipality == api.municipality
    ]
    edge.revoke_token(record.id)

    after = await api.client.get(f"/{api.municipality}/volglijst", allow_redirects=False)

    assert after.status == 303
    assert after.headers["Location"].startswith("/aanmelden")


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


async def test_the_feed_announces_new_and_changed_reactions_with_stable_ids(api: Api) -> None:
    body = await api.new_body()
    advice = await _advice(api, body, "Advies", ["Punt een"])
    await api.created(f"/adviezen/{advice}/reacties", api.response_body(1, "overgenomen"))
    first = await text_of(api, f"/{api.municipality}/feed.atom")
    again = {**api.response_body(1, "overgenomen"), "reactie": "Wij nemen dit zeker over."}
    await api.created(f"/adviezen/{advice}/reacties", again)

    feed = await text_of(api, f"/{api.municipality}/feed.atom")
    per_body = await text_of(api, f"/{api.municipality}/adviesorganen/{body}/feed.atom")

    ids = re.findall(r"<entry>\s*<id>([^<]+)</id>", feed)
    assert len(ids) == 2
    assert re.findall(r"<entry>\s*<id>([^<]+)</id>", first)[0] in ids
    assert "Gewijzigde reactie op punt 1" in feed
    assert "Wij nemen dit zeker over." in feed
    assert re.findall(r"<entry>\s*<id>([^<]+)</id>", per_body) == ids


async def test_the_figures_page_has_svg_charts_with_text_and_the_table_beside_and_a_csv(
    api: Api,
) -> None:
    body = await api.new_body("Wmo-platform")
    advice = await _advice(api, body, "Advies", ["Een", "Twee"])
    await api.created(f"/adviezen/{advice}/reacties", api.response_body(1, "overgenomen"))

    html = await text_of(api, f"/{api.municipality}/statistieken")
    csv_answer = await api.client.get(f"/{api.municipality}/statistieken/tabel.csv")
    table = (await csv_answer.read()).decode("utf-8-sig")

    assert html.count("<svg") == 4
    assert 'role="img"' in html
    assert "<title id=" in html
    assert "<desc id=" in html
    assert '<caption class="utrecht-table__caption">Cijfers per adviesorgaan en jaar' in html
    assert "100%" in visible_text(html)
    assert table.splitlines()[0].startswith("adviesorgaan;adviesorgaanNaam;jaar;punten")
    assert "Wmo-platform" in table


async def test_sign_in_returns_only_to_a_page_of_this_site(api: Api) -> None:
    await api.new_body()
    token = api.as_("secretariaat")
    m = api.municipality
    found = {}

    for target in (
        "//elders.example/x",
        "/\\elders.example",
        "https://elders.example",
        f"/{m}/statistieken",
    ):
        form = await text_of(api, "/aanmelden")
        response = await api.client.post(
            "/aanmelden",
            data={"csrf": csrf_of(form), "token": token, "terug": target},
            allow_redirects=False,
        )
        found[target] = response.headers["Location"]

    assert found == {
        "//elders.example/x": f"/{m}/volglijst",
        "/\\elders.example": f"/{m}/volglijst",
        "https://elders.example": f"/{m}/volglijst",
        f"/{m}/statistieken": f"/{m}/statistieken",
    }


async def test_the_outcome_filter_follows_the_latest_answer_also_a_besluits_afwijking(
    api: Api,
) -> None:
    body = await api.new_body()
    dossier = await api.new_dossier()
    advice = await _advice(api, body, "Advies met een besluit", ["Een", "Twee"], dossier=dossier)
    path = f"/adviezen/{advice}/reacties"
    await api.created(path, api.response_body(1, "overgenomen"))
    await api.created(path, {**api.response_body(1, "meegenomen"), "reactie": "Toch later."})
    m = api.municipality

    async def found(outcome: str) -> bool:
        page = visible_text(await text_of(api, f"/{m}?uitkomst={outcome}"))
        return "Advies met een besluit" in page

    before = {o: await found(o) for o in ("overgenomen", "meegenomen", "openstaand")}
    decision = {
        "dossier": dossier,
        "titel": "Besluit",
        "besluitdatum": api.today.isoformat(),
        "adviezen": [advice],
        "afwijkingen": [{"advies": advice, "punt": 2, "motivering": "Past niet."}],
    }
    await api.created("/besluiten", decision, api.as_("secretariaat"))
    after = {o: await found(o) for o in ("niet_overgenomen", "openstaand")}

    assert before == {"overgenomen": False, "meegenomen": True, "openstaand": True}
    assert after == {"niet_overgenomen": True, "openstaand": False}
