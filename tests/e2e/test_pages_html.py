"""The pages' HTML is valid: every page and form state of the demo, as the server sends it,
checked by html-validate (npm, api/pages/npm) with its recommended rules, less two that are about
style, not validity (api/pages/npm/htmlvalidate.json): spaces at the end of a line (left by
template tags), and a <title> over 70 characters (advice titles are as long as their authors
made them)."""

import subprocess
from pathlib import Path

import pytest

from tests.e2e.browser import NPM, missing
from tests.e2e.conftest import Api
from tests.e2e.pages import csrf_of, sign_in, text_of, upload

CONFIG = NPM.parent / "htmlvalidate.json"


@pytest.fixture
def node() -> None:
    """The checks here run html-validate: skipped where node is missing, before the demo loads."""
    missing("node")


@pytest.fixture
def demo(node: None, demo_api: Api) -> Api:
    """The app with the demo loaded."""
    return demo_api


async def _posted(api: Api, path: str, fields: dict[str, str]) -> str:
    page = await text_of(api, path)
    response = await api.client.post(path, data={"csrf": csrf_of(page), **fields})
    return await response.text()


async def test_every_page_and_form_state_is_valid_html(demo: Api, tmp_path: Path) -> None:
    from api.demo.loader import demo_id

    stip = demo_id("groningen", "advice", "stip-vrijwilligers-2013")
    wij = demo_id("groningen", "advice", "stadadviseert-wij-2016")
    body = demo_id("groningen", "body", "stadadviseert")
    dossier = demo_id("groningen", "dossier", "ontwikkeling-wij-groningen")
    pages = {
        "home": await text_of(demo, "/"),
        "terugkoppeling": await text_of(demo, "/groningen"),
        "gefilterd": await text_of(demo, "/groningen?uitkomst=overgenomen&zoek=wijk&jaar=2013"),
        "advies": await text_of(demo, f"/groningen/adviezen/{stip}"),
        "advies-toen": await text_of(demo, f"/groningen/adviezen/{stip}?tot=100"),
        "adviesorgaan": await text_of(demo, f"/groningen/adviesorganen/{body}"),
        "cijfers": await text_of(demo, "/groningen/statistieken"),
        "niet-gevonden": await text_of(demo, "/groningen/niets/hier", 404),
        "aanmelden": await text_of(demo, "/aanmelden"),
        "aanmelden-fout": await _posted(demo, "/aanmelden", {"token": ""}),
    }
    await sign_in(demo, demo.token("secretariaat", municipality="groningen"))
    office = {
        "volglijst": "/groningen/volglijst",
        "beheer": "/groningen/beheer",
        "advies-vastleggen": "/groningen/beheer/advies",
        "reactie": f"/groningen/beheer/adviezen/{wij}/reactie",
        "termijn": f"/groningen/beheer/adviezen/{wij}/termijn",
        "toezegging": f"/groningen/beheer/adviezen/{stip}/toezegging",
        "nakoming": f"/groningen/beheer/adviezen/{stip}/nakoming",
        "besluit": f"/groningen/beheer/besluit?dossier={dossier}",
        "wederwoord": f"/groningen/adviezen/{stip}/wederwoord",
        "tabel": "/groningen/beheer/reactietabel",
    }
    for name, path in office.items():
        pages[name] = await text_of(demo, path)
        if name not in ("volglijst", "beheer", "tabel"):
            pages[f"{name}-fout"] = await _posted(demo, path, {})
    table = (
        "adviesorgaan;advies;punt;opmerking;reactie;uitkomst;motivering;consequentie;datum\n"
        "Stadadviseert;Inzichten en adviezen van de stedelijke adviesgroep over de ontwikkeling "
        "van WIJ Groningen;{punt};;Ja.;{uitkomst};;;2017-01-10\n"
    )
    for name, cells in (
        ("tabel-voorbeeld", {"punt": "1", "uitkomst": "overgenomen"}),
        ("tabel-fout", {"punt": "1", "uitkomst": "misschien"}),
    ):
        answer = await upload(demo, office["tabel"], "t.csv", table.format(**cells).encode())
        pages[name] = await answer.text()
    files = []
    for name, html in pages.items():
        file = tmp_path / f"{name}.html"
        file.write_text(html, encoding="utf-8")
        files.append(str(file))

    checked = subprocess.run(
        [str(NPM / ".bin" / "html-validate"), "--config", str(CONFIG), *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
