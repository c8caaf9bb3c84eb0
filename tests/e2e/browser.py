"""What the browser tests share: Debian's chromium driven by Playwright (or a clear skip; with CI
set, a failure), the app served on the demo data, and axe-core run in a page."""

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from aiohttp import web
    from playwright.async_api import Browser, Page

CHROMIUM: Final = Path("/usr/bin/chromium")
NPM: Final = Path(__file__).parents[2] / "api" / "pages" / "npm" / "node_modules"
AXE: Final = NPM / "axe-core" / "axe.min.js"
# Headless, and none of chromium's own connections to the internet (which is closed here).
CHROMIUM_ARGS: Final = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
AXE_TAGS: Final = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def missing(*needed: str) -> None:
    """Skip (or fail, with CI set) when a tool of the browser tests is not installed."""
    reasons = []
    if "chromium" in needed and not CHROMIUM.exists():
        reasons.append("Debian's chromium ontbreekt (apt-get install chromium)")
    if "playwright" in needed:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            reasons.append("Playwright ontbreekt (pip install playwright)")
    if "axe" in needed and not AXE.exists():
        reasons.append("axe-core ontbreekt (npm ci --prefix api/pages/npm)")
    if "node" in needed and (shutil.which("node") is None or not NPM.exists()):
        reasons.append("node of api/pages/npm/node_modules ontbreekt (npm ci --prefix …)")
    if reasons:
        message = "; ".join(reasons) + ": de browsertests draaien niet"
        if os.environ.get("CI"):
            pytest.fail(f"CI vereist ze. {message}", pytrace=False)
        pytest.skip(message)


@dataclass
class Site:
    """The app on a free port, on a store with the demo loaded."""

    url: str
    app: "web.Application"

    def token(self, role: str, body_key: str | None = None) -> str:
        from api.demo.loader import demo_id
        from api.http.app import SERVICES
        from api.vocabulary import ROLES

        body = demo_id("groningen", "body", body_key) if body_key else None
        edge = self.app[SERVICES].edge_store
        return edge.create_token("groningen", ROLES.english(role), body, f"browser-{role}")[1]

    def position(self) -> int:
        from api.http.app import SERVICES

        return self.app[SERVICES].ledgers["groningen"].last_position()


@asynccontextmanager
async def demo_site(directory: Path) -> AsyncIterator[Site]:
    from aiohttp.test_utils import TestServer

    from api.cli.main import main
    from api.http.app import create_app
    from api.settings import Settings
    from events.store import StoreUrl

    store = StoreUrl.parse(f"sqlite:///{directory}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADVIESSPOOR_DATABASE_URL", store.url)
        assert main(["demo"]) == 0
    server = TestServer(create_app(store, settings=Settings(threads=4)), host="127.0.0.1")
    await server.start_server()
    try:
        yield Site(f"http://127.0.0.1:{server.port}", server.app)
    finally:
        await server.close()


@asynccontextmanager
async def chromium() -> AsyncIterator["Browser"]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def axe_violations(page: "Page") -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.0/2.1 A and AA on the page as it is now."""
    await page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert result["passes"], "axe-core ran its rules"
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
