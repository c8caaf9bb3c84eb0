"""`adviesspoor events` and `overzicht` on one store with the demo loaded, shared by the readers."""

import os
from collections.abc import Iterator
from datetime import date
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

# The same setting and default as `store_url` in conftest, needed here at module scope.
POSTGRES_URL_SETTING = "ADVIESSPOOR_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def reading(
    loaded_store: "StoreUrl", monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """The command line on the shared store with the demo loaded (`loaded_store`, below); tests
    must not write to it."""
    return runner(loaded_store, monkeypatch, capsys)


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
