"""`adviesspoor demo`, `demo-tokens` and `token` on an empty store of its own; `python -m api`."""

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.cli_data_support import by_slug as _by_slug
from tests.integration.cli_data_support import demo_municipalities  # noqa: F401 - the fixture `demo`
from tests.integration.cli_data_support import events_of as _events_of
from tests.integration.cli_data_support import last_position as _last_position
from tests.integration.cli_support import Run, own_database, runner

if TYPE_CHECKING:
    from api.demo import Municipality
    from events.store import StoreUrl

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_store(store_url: "StoreUrl") -> Iterator["StoreUrl"]:
    """A store of the test's own, with nothing in it yet."""
    if store_url.server is None:
        yield store_url
        return
    with own_database(store_url, "cli") as store:
        yield store


@pytest.fixture
def adviesspoor(
    empty_store: "StoreUrl", monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """The command line on an empty store of the test's own."""
    return runner(empty_store, monkeypatch, capsys)


def test_demo_records_every_fact_once_and_a_second_run_records_nothing(
    adviesspoor: Run, demo: tuple["Municipality", ...], empty_store: "StoreUrl"
) -> None:
    first = adviesspoor("demo")
    positions = {m.slug: _last_position(empty_store, m.slug) for m in demo}
    second = adviesspoor("demo")

    assert first.code == 0, first.err
    groningen = _by_slug(demo, "groningen")
    assert f"Groningen: {len(groningen.bodies)} adviesorganen, " in first.out
    assert f"{sum(len(a.points) for a in groningen.advice)} punten" in first.out
    assert positions == {m.slug: _events_of(m) for m in demo}
    assert second.code == 0, second.err
    for municipality in demo:
        assert f"{municipality.name}: niets nieuw vastgelegd" in second.out
    assert {m.slug: _last_position(empty_store, m.slug) for m in demo} == positions


def test_demo_after_a_crash_halfway_records_only_what_is_missing(
    adviesspoor: Run, demo: tuple["Municipality", ...], empty_store: "StoreUrl"
) -> None:
    from api.demo.loader import load_municipality
    from ledger import Ledgers

    groningen = _by_slug(demo, "groningen")
    half = len(groningen.advice) // 2
    # A run that stopped after half the advice, halfway through the responses of the last one.
    cut_short = groningen.advice[half - 1]
    interrupted = dataclasses.replace(
        groningen,
        advice=(
            *groningen.advice[: half - 1],
            dataclasses.replace(
                cut_short, responses=cut_short.responses[: len(cut_short.responses) // 2]
            ),
        ),
        decisions=(),
    )
    ledgers = Ledgers(empty_store)
    try:
        load_municipality(ledgers["groningen"], interrupted)
    finally:
        ledgers.close_all()

    result = adviesspoor("demo")
    events = adviesspoor("events").json_lines()

    assert result.code == 0, result.err
    assert _last_position(empty_store, "groningen") == _events_of(groningen)
    responses = [e for e in events if e["type"] == "ResponseRecorded"]
    assert len(responses) == sum(len(a.responses) for a in groningen.advice)
    assert len({(e["id"], e["versie"]) for e in events}) == len(events)


@pytest.mark.parametrize("municipality", ["groningen\n", "groningen\r", " groningen"])
def test_a_token_for_a_municipality_spelled_with_white_space_is_refused(
    adviesspoor: Run, municipality: str
) -> None:
    result = adviesspoor("token", "create", "--gemeente", municipality, "--rol", "secretariaat")

    assert result.code == 2
    assert result.out == ""
    assert "Ongeldige gemeente" in result.err


def test_python_m_api_runs_the_command_line(tmp_path: Path) -> None:
    env = {"ADVIESSPOOR_DATABASE_URL": f"sqlite:///{tmp_path}", "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "api", "events", "--gemeente", "groningen"]

    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)

    assert result.returncode == 2
    assert "Onbekende gemeente 'groningen'" in result.stderr


def test_demo_tokens_prints_a_working_token_for_every_role(adviesspoor: Run) -> None:
    from api.demo.loader import demo_id
    from api.edge_store import EdgeStore
    from events.store import StoreUrl

    adviesspoor("demo")
    first = adviesspoor("demo-tokens")
    second = adviesspoor("demo-tokens")

    def tokens(output: str) -> dict[str, str]:
        lines = [line.split() for line in output.splitlines() if line.startswith("  ")]
        return {" ".join(words[:-1]): words[-1] for words in lines if words[0] != "curl"}

    made, again = tokens(first.out), tokens(second.out)
    assert set(made) == {
        "beheerder",
        "secretariaat",
        "lid (Stadadviseert)",
        "lid (WIJ-raad)",
        "auditor",
    }
    edge = EdgeStore(StoreUrl.parse(os.environ["ADVIESSPOOR_DATABASE_URL"]))
    try:
        found = {role: edge.find_token(secret) for role, secret in again.items()}
        stale = [edge.find_token(secret) for secret in made.values()]
    finally:
        edge.close()
    assert {role: token.role.value if token else None for role, token in found.items()} == {
        "beheerder": "administrator",
        "secretariaat": "secretariat",
        "lid (Stadadviseert)": "member",
        "lid (WIJ-raad)": "member",
        "auditor": "auditor",
    }
    wij_raad = found["lid (WIJ-raad)"]
    assert wij_raad is not None
    assert wij_raad.body_id == demo_id("groningen", "body", "wij-raad")
    assert stale == [None] * 5
