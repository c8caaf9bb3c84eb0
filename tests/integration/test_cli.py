"""The `adviesspoor` command line against real stores: demo, overzicht and events."""

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.cli_support import Run, own_database, runner

if TYPE_CHECKING:
    from api.demo import Municipality
    from events.store import StoreUrl

ROOT = Path(__file__).resolve().parents[2]
# The same setting and default as `store_url` in conftest, needed here at module scope.
POSTGRES_URL_SETTING = "ADVIESSPOOR_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def empty_store(store_url: "StoreUrl") -> Iterator["StoreUrl"]:
    """A store of the test's own, with nothing in it yet."""
    if store_url.server is None:
        yield store_url
        return
    with own_database(store_url, "cli") as store:
        yield store


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def loaded_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator["StoreUrl"]:
    """One store with the demo loaded, shared by the tests that only read it.

    Loading takes seconds, so it happens once per backend; skipping and failing follow
    `store_url` in conftest (PostgreSQL unreachable: skipped locally, a failure in CI).
    """
    from api.cli.main import main
    from events.store import StoreUrl

    if request.param == "sqlite":
        store = StoreUrl.parse(f"sqlite:///{tmp_path_factory.mktemp('demo')}")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("ADVIESSPOOR_DATABASE_URL", store.url)
            assert main(["demo"]) == 0
        yield store
        return
    unreachable: str | None = request.getfixturevalue("postgres_unreachable")
    if unreachable is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI vereist PostgreSQL. {unreachable}", pytrace=False)
        pytest.skip(unreachable)
    server_url = os.environ.get(POSTGRES_URL_SETTING) or DEFAULT_POSTGRES_URL
    with own_database(StoreUrl.parse(server_url), "cli") as store:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("ADVIESSPOOR_DATABASE_URL", store.url)
            assert main(["demo"]) == 0
        yield store


@pytest.fixture
def adviesspoor(
    empty_store: "StoreUrl", monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """The command line on an empty store of the test's own."""
    return runner(empty_store, monkeypatch, capsys)


@pytest.fixture
def reading(
    loaded_store: "StoreUrl", monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """The command line on the shared store with the demo loaded; tests must not write to it."""
    return runner(loaded_store, monkeypatch, capsys)


@pytest.fixture
def demo() -> tuple["Municipality", ...]:
    from api.demo import read_demo

    return read_demo()


def _last_position(store: "StoreUrl", municipality: str) -> int:
    from projections.log import LogReader

    reader = LogReader(store.location(municipality))
    try:
        return reader.last_position()
    finally:
        reader.close()


def _events_of(data: "Municipality") -> int:
    """How many events the demo data of one municipality makes: one per command."""
    return (
        len(data.bodies)
        + len(data.dossiers)
        + sum(1 + len(a.responses) + len(a.promises) for a in data.advice)
        + len(data.decisions)
    )


def _by_slug(demo: tuple["Municipality", ...], slug: str) -> "Municipality":
    return next(m for m in demo if m.slug == slug)


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


def test_events_prints_the_log_as_json_lines_in_position_order(
    reading: Run, loaded_store: "StoreUrl"
) -> None:
    result = reading("events")

    assert result.code == 0, result.err
    events = result.json_lines()
    last = _last_position(loaded_store, "groningen")
    assert [e["positie"] for e in events] == list(range(1, last + 1))
    assert all(set(e) == {"positie", "type", "id", "versie", "gegevens"} for e in events)
    assert events[0]["type"] == "AdvisoryBodyRegistered"
    assert events[0]["versie"] == 1
    assert {e["gegevens"]["meta"]["municipality"] for e in events} == {"groningen"}


def test_events_streams_across_pages_from_vanaf_up_to_limiet(
    reading: Run, loaded_store: "StoreUrl", monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import events as cli_events

    monkeypatch.setattr(cli_events, "PAGE_SIZE", 7)
    last = _last_position(loaded_store, "groningen")

    everything = reading("events").json_lines()
    window = reading("events", "--vanaf", "5", "--limiet", "10").json_lines()
    tail = reading("events", "--vanaf", str(last)).json_lines()
    beyond = reading("events", "--vanaf", str(last + 1))

    assert [e["positie"] for e in everything] == list(range(1, last + 1))
    assert window == everything[4:14]
    assert [e["positie"] for e in tail] == [last]
    assert (beyond.code, beyond.out) == (0, "")


@pytest.mark.parametrize("bad", ["0", "-3", "tien"])
def test_vanaf_and_limiet_below_one_are_refused(reading: Run, bad: str) -> None:
    vanaf = reading("events", "--vanaf", bad)
    limiet = reading("events", "--limiet", bad)

    assert (vanaf.code, vanaf.out) == (2, "")
    assert (limiet.code, limiet.out) == (2, "")
    assert "geen geheel getal van 1 of meer" in vanaf.err


def test_overzicht_shows_the_unanswered_2016_stadadviseert_advice_as_termijn_verstreken(
    reading: Run,
) -> None:
    result = reading("overzicht")

    assert result.code == 0, result.err
    headers = [line for line in result.out.splitlines() if " · uitgebracht " in line]
    stadadviseert = [h for h in headers if h.strip().startswith("Stadadviseert")]
    assert len(stadadviseert) == 1
    assert "uitgebracht 5 december 2016" in stadadviseert[0]
    assert stadadviseert[0].endswith("termijn verstreken")
    wmo = next(h for h in headers if h.strip().startswith("Wmo Platform"))
    assert "termijn verstreken" not in wmo
    assert " nog geen reactie" in result.out
    assert " overgenomen" in result.out
    assert " meegenomen in verdere uitwerking" in result.out


def test_overzicht_shows_no_2013_advice_past_its_term_and_speaks_peoples_words(
    reading: Run,
) -> None:
    import re

    result = reading("overzicht")

    headers = [line for line in result.out.splitlines() if " · uitgebracht " in line]
    of_2013 = [h for h in headers if " 2013 · " in h]
    assert len(of_2013) == 11
    assert not [h for h in of_2013 if "termijn verstreken" in h]
    assert "niet overgenomen (in het besluit)" in result.out
    code_words = ("openstaand", "not_followed", "niet_overgenomen", "uitgebrachtOp", "VERLOPEN")
    assert not [word for word in code_words if word in result.out]
    assert not re.search(r"\b[a-z]+[A-Z][a-z]+\b", result.out)  # no camelCase
    assert not re.search(r"\d{4}-\d{2}-\d{2}", result.out)  # Dutch dates only


def test_midden_groningen_has_a_log_of_its_own(
    reading: Run, demo: tuple["Municipality", ...]
) -> None:
    groningen = reading("events", "--gemeente", "groningen").json_lines()
    midden = reading("events", "--gemeente", "midden-groningen").json_lines()
    overview = reading("overzicht", "--gemeente", "midden-groningen")

    expected = _events_of(_by_slug(demo, "midden-groningen"))
    assert [e["positie"] for e in midden] == list(range(1, expected + 1))
    assert {e["gegevens"]["meta"]["municipality"] for e in midden} == {"midden-groningen"}
    assert not {e["id"] for e in midden} & {e["id"] for e in groningen}
    assert all(body.name in overview.out for body in _by_slug(demo, "midden-groningen").bodies)
    assert not any(body.name in overview.out for body in _by_slug(demo, "groningen").bodies)


@pytest.mark.parametrize("municipality", ["leeuwarden", "Fout!"])
@pytest.mark.parametrize("command", ["events", "overzicht"])
def test_an_unknown_or_invalid_municipality_is_refused_with_exit_code_2(
    reading: Run, command: str, municipality: str
) -> None:
    result = reading(command, "--gemeente", municipality)

    assert result.code == 2
    assert result.out == ""
    assert f"gemeente '{municipality}'" in result.err


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


def test_the_demo_views_show_the_real_2013_outcomes_and_the_overdue_2016_advice(
    loaded_store: "StoreUrl", demo: tuple["Municipality", ...], today: date
) -> None:
    from projections import ReadModel

    groningen = _by_slug(demo, "groningen")
    expected = dict.fromkeys(
        ("pending", "followed", "partially_followed", "not_followed", "deferred", "noted"), 0
    )
    # Contract 1.1: the besluit's afwijkingen answer their points (after the reacties).
    deviations = {
        (d.advice, d.point): str(d.outcome) for b in groningen.decisions for d in b.deviations
    }
    for advice in groningen.advice:
        latest = {response.point: str(response.outcome) for response in advice.responses}
        for number in range(1, len(advice.points) + 1):
            answer = deviations.get((advice.key, number)) or latest.get(number, "pending")
            expected[answer] += 1
    model = ReadModel(loaded_store.location("groningen"))
    try:
        model.ensure_current()
        stats = model.statistics(today)
        views = {view["title"]: view for view in model.advice_list(today)}
    finally:
        model.close()

    assert stats["per_outcome"] == expected
    stadadviseert = next(a for a in groningen.advice if a.submitted_on.year == 2016)
    view = views[stadadviseert.title]
    assert view["overdue"] is True
    assert view["status"] == "open"
    assert {point["outcome"] for point in view["points"]} == {"pending"}


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
