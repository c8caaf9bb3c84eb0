"""The browser tests' fixtures and first steps: the demo site, chromium, a context, signing in."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser import Site, chromium, demo_site, missing

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page


@pytest.fixture(name="site")
async def site_fixture(tmp_path: Path) -> AsyncIterator[Site]:
    missing("chromium", "playwright", "axe")
    async with demo_site(tmp_path / "store") as served:
        yield served


@pytest.fixture(name="browser")
async def browser_fixture(site: Site) -> AsyncIterator["Browser"]:
    async with chromium() as launched:
        yield launched


async def new_context(browser: "Browser") -> "BrowserContext":
    # bypass_csp lets axe's script in; the pages themselves keep their strict policy.
    return await browser.new_context(
        bypass_csp=True, viewport={"width": 1200, "height": 900}, locale="nl-NL"
    )


async def sign_in(page: "Page", site: Site, token: str) -> None:
    await page.goto(f"{site.url}/aanmelden")
    await page.get_by_label("Uw token").fill(token)
    await page.get_by_role("button", name="Aanmelden").click()
