"""The committed NL Design System CSS is what `npm ci` of the committed lock file yields (where
npm is available, as in CI), and the pages serve it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import Api

NPM_DIR = Path(__file__).parents[2] / "api" / "pages" / "npm"


def test_npm_ci_of_the_lock_file_yields_the_committed_css(tmp_path: Path) -> None:
    from api.pages import assets

    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("CI vereist npm (apt-get install npm)", pytrace=False)
        pytest.skip("npm ontbreekt: de CSS is niet tegen het lock-bestand gecontroleerd")
    work = tmp_path / "npm"
    work.mkdir()
    for name in ("package.json", "package-lock.json"):
        shutil.copy(NPM_DIR / name, work / name)

    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=work,
        check=True,
        capture_output=True,
        timeout=300,
    )
    built = assets.built(work / "node_modules")

    assert set(built) == set(assets.COPIES)
    for name, data in built.items():
        assert (assets.CSS / name).read_bytes() == data, name
        assert b"licence EUPL-1.2" in data[:300]


async def test_the_pages_serve_the_css_with_a_cache_lifetime(api: Api) -> None:
    from api.pages import assets

    for name in (*assets.COPIES, "pages.css"):
        response = await api.client.get(f"/static/css/{name}")
        assert response.status == 200, name
        assert response.content_type == "text/css"
        assert response.headers["Cache-Control"] == "public, max-age=3600"
