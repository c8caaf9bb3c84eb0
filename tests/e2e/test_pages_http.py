"""The public pages over HTTP without JavaScript: the terugkoppeling list, its filters and search,
an advice's timeline, Dutch error pages, feeds and figures; on SQLite and PostgreSQL."""

import re

from tests.e2e.conftest import Api
from tests.e2e.pages import text_of, visible_text
from tests.e2e.pages_advice import record_advice as _advice


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
