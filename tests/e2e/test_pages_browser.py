"""axe-core in a real browser (Debian's chromium, driven by Playwright) on every page and form
state of the demo data. Screenshots go to $ADVIESSPOOR_SCREENSHOTS when set (docs/screenshots is
made that way)."""

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.browser import Site, axe_violations
from tests.e2e.browser_session import browser_fixture, site_fixture  # noqa: F401 - fixtures, by name
from tests.e2e.browser_session import new_context as _context
from tests.e2e.browser_session import sign_in as _sign_in

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

pytestmark = pytest.mark.browser


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
