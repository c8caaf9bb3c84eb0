"""The pages in a real browser (Debian's chromium, driven by Playwright) on the demo data: what a
resident, a WIJ-raad member and the secretariat do, axe-core on every page and form state, and a
form filled in with the keyboard alone. Screenshots go to $ADVIESSPOOR_SCREENSHOTS when set
(docs/screenshots is made that way)."""

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.browser import Site, axe_violations, chromium, demo_site, missing

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    missing("chromium", "playwright", "axe")
    async with demo_site(tmp_path / "store") as served:
        yield served


@pytest.fixture
async def browser(site: Site) -> AsyncIterator["Browser"]:
    async with chromium() as launched:
        yield launched


async def _context(browser: "Browser") -> "BrowserContext":
    # bypass_csp lets axe's script in; the pages themselves keep their strict policy.
    return await browser.new_context(
        bypass_csp=True, viewport={"width": 1200, "height": 900}, locale="nl-NL"
    )


async def _sign_in(page: "Page", site: Site, token: str) -> None:
    await page.goto(f"{site.url}/aanmelden")
    await page.get_by_label("Uw token").fill(token)
    await page.get_by_role("button", name="Aanmelden").click()


def _wij_raad_advice(site: Site) -> str:
    """The seeds hold no advice of the WIJ-raad: the test records one (and a reaction) itself."""
    from api.demo.loader import demo_id
    from api.http.app import SERVICES
    from events import Outcome, Role
    from ledger import Actor

    ledger = site.app[SERVICES].ledgers["groningen"]
    actor = Actor("browser-test", Role.SECRETARIAT, "browser-test")
    today = ledger.today()
    recorded = ledger.submit_advice(
        actor,
        body_id=demo_id("groningen", "body", "wij-raad"),
        title="Advies van de WIJ-raad over de wachttijden",
        submitted_on=today - timedelta(days=20),
        solicited=False,
        points=["Korte wachttijden bij het WIJ-team", "Een vast aanspreekpunt per gezin"],
    )
    ledger.record_response(
        actor,
        advice_id=recorded.id,
        point=1,
        outcome=Outcome.NOTED,
        text="Wij nemen hier kennis van.",
        given_on=today,
    )
    return str(recorded.id)


async def test_a_resident_finds_what_became_of_stips_point_1(
    site: Site, browser: "Browser"
) -> None:
    page = await (await _context(browser)).new_page()

    await page.goto(site.url)
    await page.get_by_role("link", name="Gemeente Groningen").click()
    await page.get_by_label("Adviesorgaan").select_option(label="Stip vrijwilligers")
    await page.get_by_role("button", name="Zoeken").click()
    await page.get_by_role("link", name="Alles over dit advies").first.click()
    point = page.locator("#punt-1")

    assert "Stip-vrijwilligers" in await page.locator("h1").inner_text()
    text = " ".join((await point.inner_text()).split())
    assert "niet overgenomen (in het besluit) op 19 december 2013" in text
    assert "instemming met de ingezette koers" in text
    assert "Besluit genomen" in await page.locator("#geschiedenis ~ .timeline").inner_text()


async def test_a_wij_raad_member_signs_in_and_records_an_ontevreden_wederwoord(
    site: Site, browser: "Browser"
) -> None:
    advice = _wij_raad_advice(site)
    page = await (await _context(browser)).new_page()

    await _sign_in(page, site, site.token("lid", "wij-raad"))
    board = " ".join((await page.locator("main").inner_text()).split())
    await page.get_by_role("link", name="Wederwoord geven op punt 1").click()
    await page.get_by_label("Over welk punt gaat uw wederwoord?").select_option("1")
    await page.get_by_label("Ontevreden").check()
    rejoinder = "Kennis nemen is te weinig: wij willen actie."
    await page.get_by_label("Uw wederwoord", exact=True).fill(rejoinder)
    await page.get_by_role("button", name="Wederwoord vastleggen").click()

    assert page.url.endswith(f"/groningen/adviezen/{advice}?vastgelegd=wederwoord")
    assert "Reactie zonder wederwoord: punt 1 van ‘Advies van de WIJ-raad" in board
    assert "Stadadviseert" not in board  # a member sees its own body only
    assert "Uw wederwoord is vastgelegd." in await page.locator("main").inner_text()
    assert "ontevreden: Kennis nemen is te weinig" in await page.locator("#punt-1").inner_text()


async def test_the_secretariat_records_a_reaction_and_it_appears_on_the_public_page(
    site: Site, browser: "Browser"
) -> None:
    from api.demo.loader import demo_id

    advice = demo_id("groningen", "advice", "stadadviseert-wij-2016")
    office = await (await _context(browser)).new_page()
    resident = await (await _context(browser)).new_page()

    await _sign_in(office, site, site.token("secretariaat"))
    await office.goto(f"{site.url}/groningen/beheer/adviezen/{advice}/reactie")
    await office.get_by_label("Punt", exact=True).select_option("2")
    await office.get_by_label("Wat doet het college met het punt?").select_option("overgenomen")
    answer = "Wij maken de rolverdeling duidelijk."
    await office.get_by_label("Reactie van het college").fill(answer)
    await office.get_by_role("button", name="Reactie vastleggen").click()
    await resident.goto(f"{site.url}/groningen/adviezen/{advice}")
    text = " ".join((await resident.locator("#punt-2").inner_text()).split())

    assert "Wij maken de rolverdeling duidelijk." in text
    assert "overgenomen" in text
    assert "te laat" in text  # the term ended in January 2017


async def test_a_csv_with_one_bad_row_stores_nothing_and_shows_the_rows_error(
    site: Site, browser: "Browser", tmp_path: Path
) -> None:
    page = await (await _context(browser)).new_page()
    table = tmp_path / "reactietabel.csv"
    table.write_text(
        "adviesorgaan;advies;punt;opmerking;reactie;uitkomst;motivering;consequentie;datum\n"
        "Stadadviseert;Inzichten en adviezen van de stedelijke adviesgroep over de ontwikkeling "
        "van WIJ Groningen;1;;Mee eens.;overgenomen;;;2017-01-10\n"
        "Stadadviseert;Inzichten en adviezen van de stedelijke adviesgroep over de ontwikkeling "
        "van WIJ Groningen;2;;Nee.;niet overgenomen;;;2017-01-10\n",
        encoding="utf-8",
    )
    before = site.position()

    await _sign_in(page, site, site.token("secretariaat"))
    await page.goto(f"{site.url}/groningen/beheer/reactietabel")
    await page.get_by_label("CSV-bestand").set_input_files(str(table))
    await page.get_by_role("button", name="Bekijk wat er wordt vastgelegd").click()
    alert = await page.get_by_role("alert").inner_text()
    refused_violations = await axe_violations(page)
    refused_button = await page.get_by_role("button", name="Alles vastleggen").count()
    table.write_text(table.read_text().replace("niet overgenomen;;", "niet overgenomen;Te duur.;"))
    await page.get_by_label("CSV-bestand").set_input_files(str(table))
    await page.get_by_role("button", name="Bekijk wat er wordt vastgelegd").click()
    preview_violations = await axe_violations(page)
    preview = await page.locator("main").inner_text()

    assert "Er is niets vastgelegd" in alert
    assert "Regel 3: Motivering: De motivering (Awb 3:50) mag niet leeg zijn." in alert
    assert refused_button == 0
    assert refused_violations == []
    assert "2 reacties worden vastgelegd" in preview
    assert preview_violations == []
    assert site.position() == before


async def _has_visible_focus(page: "Page") -> bool:
    return bool(
        await page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return false;
                const s = getComputedStyle(el);
                const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
                return outline || (s.boxShadow && s.boxShadow !== 'none');
            }"""
        )
    )


async def test_the_reaction_form_works_with_the_keyboard_alone_and_focus_is_visible(
    site: Site, browser: "Browser"
) -> None:
    from api.demo.loader import demo_id

    advice = demo_id("groningen", "advice", "stadadviseert-wij-2016")
    page = await (await _context(browser)).new_page()
    await _sign_in(page, site, site.token("secretariaat"))
    await page.goto(f"{site.url}/groningen/beheer/adviezen/{advice}/reactie")

    await page.keyboard.press("Tab")
    skip = await page.evaluate("document.activeElement.textContent")
    skip_focus = await _has_visible_focus(page)
    await page.keyboard.press("Enter")
    seen: list[tuple[str, bool]] = []
    for _ in range(60):
        await page.keyboard.press("Tab")
        ident = await page.evaluate("document.activeElement.id || document.activeElement.tagName")
        seen.append((ident, await _has_visible_focus(page)))
        if ident == "veld-punt":
            break
    await page.keyboard.press("ArrowDown")  # punt 1
    await page.keyboard.press("Tab")
    await page.keyboard.press("ArrowDown")  # overgenomen
    await page.keyboard.press("Tab")
    await page.keyboard.type("Wij nemen dit over.")
    for _ in range(5):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.type") == "submit":
            break
    submit_focus = await _has_visible_focus(page)
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()

    assert skip.strip() == "Naar de inhoud"
    assert skip_focus
    assert seen[-1][0] == "veld-punt"
    assert all(visible for _, visible in seen), seen
    assert submit_focus
    assert "Het is vastgelegd." in await page.locator("main").inner_text()
    assert "Wij nemen dit over." in await page.locator("#punt-1").inner_text()


# Every page and every form state, for axe-core: (name, path, what to do first, screenshot).
PUBLIC_PAGES = [
    ("home", "/", None, True),
    ("terugkoppeling", "/groningen", None, True),
    ("terugkoppeling-gefilterd", "/groningen?uitkomst=niet_overgenomen&jaar=2013", None, False),
    ("zoeken", "/groningen?zoek=mantelzorger", None, False),
    ("zoeken-niets", "/groningen?zoek=xyzzy", None, False),
    ("advies", "/groningen/adviezen/{stip}", None, True),
    ("advies-toen", "/groningen/adviezen/{stip}?tot=100", None, False),
    ("adviesorgaan", "/groningen/adviesorganen/{stadadviseert}", None, False),
    ("cijfers", "/groningen/statistieken", None, True),
    ("andere-gemeente", "/midden-groningen", None, False),
    ("niet-gevonden", "/groningen/adviezen/00000000-0000-0000-0000-000000000000", None, False),
    ("aanmelden", "/aanmelden", None, False),
    ("aanmelden-fout", "/aanmelden", "Aanmelden", False),
]
OFFICE_PAGES = [
    ("volglijst", "/groningen/volglijst", None, True),
    ("beheer", "/groningen/beheer", None, False),
    ("advies-vastleggen", "/groningen/beheer/advies", None, False),
    ("advies-vastleggen-fout", "/groningen/beheer/advies", "Advies vastleggen", False),
    ("reactie", "/groningen/beheer/adviezen/{wij2016}/reactie", None, False),
    ("reactie-fout", "/groningen/beheer/adviezen/{wij2016}/reactie", "Reactie vastleggen", True),
    ("termijn", "/groningen/beheer/adviezen/{wij2016}/termijn", None, False),
    ("termijn-fout", "/groningen/beheer/adviezen/{wij2016}/termijn", "Termijn wijzigen", False),
    ("toezegging", "/groningen/beheer/adviezen/{wij2016}/toezegging", None, False),
    (
        "toezegging-fout",
        "/groningen/beheer/adviezen/{wij2016}/toezegging",
        "Toezegging vastleggen",
        False,
    ),
    ("nakoming", "/groningen/beheer/adviezen/{stip}/nakoming", None, False),
    ("nakoming-fout", "/groningen/beheer/adviezen/{stip}/nakoming", "Nakoming vastleggen", False),
    ("besluit", "/groningen/beheer/besluit", None, False),
    ("besluit-dossier", "/groningen/beheer/besluit?dossier={wij_dossier}", None, False),
    (
        "besluit-fout",
        "/groningen/beheer/besluit?dossier={wij_dossier}",
        "Besluit vastleggen",
        False,
    ),
    (
        "besluit-awb",
        "/groningen/beheer/besluit?dossier={wij_dossier}",
        ("Besluit vastleggen", {"Titel van het besluit": "Besluit over WIJ Groningen"}),
        True,
    ),
    ("wederwoord", "/groningen/adviezen/{hanze}/wederwoord", None, False),
    ("wederwoord-fout", "/groningen/adviezen/{hanze}/wederwoord", "Wederwoord vastleggen", False),
    ("tabel", "/groningen/beheer/reactietabel", None, False),
    ("tabel-fout", "/groningen/beheer/reactietabel", "Bekijk wat er wordt vastgelegd", False),
]


def _ids() -> dict[str, str]:
    from api.demo.loader import demo_id

    return {
        "stip": str(demo_id("groningen", "advice", "stip-vrijwilligers-2013")),
        "wij2016": str(demo_id("groningen", "advice", "stadadviseert-wij-2016")),
        "hanze": str(demo_id("groningen", "advice", "hanze-plaza-2013")),
        "stadadviseert": str(demo_id("groningen", "body", "stadadviseert")),
        "wij_dossier": str(demo_id("groningen", "dossier", "ontwikkeling-wij-groningen")),
    }


async def _check_all(
    page: "Page", site: Site, pages: list[Any], shots: Path
) -> dict[str, list[dict[str, Any]]]:
    found = {}
    ids = _ids()
    for name, path, action, shoot in pages:
        await page.goto(site.url + path.format(**ids))
        button, fill = action if isinstance(action, tuple) else (action, {})
        for label, value in fill.items():
            await page.get_by_label(label).fill(value)
        if button is not None:
            await page.get_by_role("button", name=button).click()
            await page.wait_for_load_state()
        assert await page.evaluate("document.documentElement.lang") == "nl", name
        assert await page.locator("h1").count() == 1, name
        if button is not None and name != "aanmelden-fout":
            assert await page.get_by_role("alert").count() == 1, name
        violations = await axe_violations(page)
        if violations:
            found[name] = violations
        if shoot:
            await page.screenshot(path=str(shots / f"{name}.png"))
    return found


async def test_axe_finds_no_violations_on_any_page_or_form_state(
    site: Site, browser: "Browser", tmp_path: Path
) -> None:
    shots = Path(os.environ.get("ADVIESSPOOR_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    public = await (await _context(browser)).new_page()
    office = await (await _context(browser)).new_page()
    await _sign_in(office, site, site.token("secretariaat"))

    found = await _check_all(public, site, PUBLIC_PAGES, shots)
    found |= await _check_all(office, site, OFFICE_PAGES, shots)

    assert found == {}
