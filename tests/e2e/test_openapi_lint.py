"""The OpenAPI document the server serves passes Spectral with the NL API Design Rules ruleset
(docs/standards/adr-spectral-ruleset.yaml), and with every rule of Spectral's own OpenAPI ruleset
(tests/e2e/spectral-oas.yaml): no error, no warning, no hint.

Spectral is an npm package in .spectral/ (`npm ci --prefix .spectral`; `make test` and `.ci/run`
install it). Without it this test fails when CI is set, and is skipped otherwise, loudly.
"""

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.e2e.conftest import SPECTRAL_MISSING

ROOT = Path(__file__).resolve().parents[2]
SPECTRAL = ROOT / ".spectral" / "node_modules" / ".bin" / "spectral"
ADR_RULESET = ROOT / "docs" / "standards" / "adr-spectral-ruleset.yaml"
OAS_RULESET = Path(__file__).with_name("spectral-oas.yaml")
# The published ruleset, beside the repository in the project's shared folder (not in every clone).
SHARED_RULESET = ROOT.parent / "shared" / "standards" / "adr-spectral-ruleset.yaml"


@pytest.fixture
def spectral(pytestconfig: pytest.Config) -> Path:
    missing = []
    if shutil.which("node") is None:
        missing.append("node staat niet op PATH (apt-get install nodejs npm)")
    if not SPECTRAL.exists():
        missing.append(f"{SPECTRAL.relative_to(ROOT)} ontbreekt (npm ci --prefix .spectral)")
    if missing:
        reason = "Spectral kan niet draaien: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"CI vereist Spectral. {reason}", pytrace=False)
        pytestconfig.stash[SPECTRAL_MISSING] = reason
        pytest.skip(reason)
    return SPECTRAL


@pytest.fixture
async def served_document(tmp_path: Path) -> AsyncIterator[Path]:
    """The document exactly as `GET /api/v1/openapi.json` serves it, in a file."""
    from api.http.app import create_app
    from api.settings import Settings
    from events.store import StoreUrl

    app = create_app(StoreUrl.parse(f"sqlite:///{tmp_path / 'data'}"), settings=Settings(threads=1))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/api/v1/openapi.json")
        assert response.status == 200
        path = tmp_path / "openapi.json"
        path.write_bytes(await response.read())
        yield path


def _lint(spectral: Path, ruleset: Path, document: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(spectral), "lint", "--fail-severity", "hint", "-r", str(ruleset), str(document)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


async def test_the_served_document_passes_spectral_without_any_result(
    spectral: Path, served_document: Path
) -> None:
    # Both rulesets at once: most of the time is node starting up.
    runs = {
        ruleset.name: _lint(spectral, ruleset, served_document)
        for ruleset in (ADR_RULESET, OAS_RULESET)
    }
    results = {name: (run.wait(timeout=300), run.communicate()[0]) for name, run in runs.items()}

    for name, (code, output) in results.items():
        assert code == 0, f"Spectral met {name}:\n{output}"
        assert "No results with a severity of 'hint' or higher found!" in output, output


async def test_spectral_reports_what_breaks_the_rules(spectral: Path, tmp_path: Path) -> None:
    """The check can fail: a document without contact and with a trailing slash does."""
    document = tmp_path / "openapi.json"
    document.write_text(
        '{"openapi": "3.1.0", "info": {"title": "X", "version": "1.0.0"},'
        ' "servers": [{"url": "/api/v1"}], "paths": {"/adviezen/": {}}}'
    )

    run = _lint(spectral, ADR_RULESET, document)
    code, output = run.wait(timeout=300), run.communicate()[0]

    assert code != 0
    assert "info-contact" in output
    assert "path-keys-no-trailing-slash" in output


def test_the_ruleset_is_the_published_one() -> None:
    if not SHARED_RULESET.exists():
        pytest.skip(f"{SHARED_RULESET} is er niet om mee te vergelijken")
    assert ADR_RULESET.read_bytes() == SHARED_RULESET.read_bytes()
