"""In a real browser: what a resident, a member and the secretariat do; a form by keyboard alone."""

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser import Site, axe_violations
from tests.e2e.browser_session import browser_fixture, site_fixture  # noqa: F401 - fixtures, by name
from tests.e2e.browser_session import new_context as _context
from tests.e2e.browser_session import sign_in as _sign_in

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

pytestmark = pytest.mark.browser


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
