"""Shared fixtures: a real store (SQLite and PostgreSQL), a fresh municipality per test, ledgers.

Our packages are imported inside the fixtures, never at the top of this module: pytest loads this
conftest before typeguard's plugin installs its import hook, so a top-level import here would leave
`events`, `ledger`, `projections` and `api` unchecked for the whole run. The hook rewrites function
bodies only, so the event and aggregate classes the library turns into dataclasses are untouched
while their methods are checked; tests/unit/test_ledger_events.py proves both.
"""

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from psycopg import sql

if TYPE_CHECKING:
    from events.store import StoreUrl
    from ledger import AdviceLedger, Ledgers

POSTGRES_URL_SETTING = "ADVIESSPOOR_TEST_POSTGRES_URL"
POSTGRES_UNREACHABLE = pytest.StashKey[str]()
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _postgres_url() -> str:
    return os.environ.get(POSTGRES_URL_SETTING) or DEFAULT_POSTGRES_URL


@pytest.fixture(scope="session")
def postgres_unreachable(pytestconfig: pytest.Config) -> str | None:
    """Why PostgreSQL cannot be used in this run, or None when it can; asked once per session."""
    from events.store import StoreUrl

    url = _postgres_url()
    server = StoreUrl.parse(url).server
    assert server is not None
    try:
        with psycopg.connect(server.conninfo(), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        message = (
            f"PostgreSQL niet bereikbaar op {server.host}:{server.port}/{server.dbname} "
            f"({reason}): zet {POSTGRES_URL_SETTING} of start PostgreSQL"
        )
        pytestconfig.stash[POSTGRES_UNREACHABLE] = message
        return message
    return None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """A skipped store must not pass unnoticed: say so once, at the end, in red."""
    message = terminalreporter.config.stash.get(POSTGRES_UNREACHABLE, None)
    if message is not None:
        terminalreporter.section("PostgreSQL", sep="!", red=True, bold=True)
        terminalreporter.line(f"{message}; de PostgreSQL-tests zijn NIET gedraaid.", red=True)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> "StoreUrl":
    """The store every ledger of the test writes to: a fresh SQLite directory, or the server."""
    from events.store import StoreUrl

    if request.param == "sqlite":
        return StoreUrl.parse(f"sqlite:///{tmp_path}")
    unreachable: str | None = request.getfixturevalue("postgres_unreachable")
    if unreachable is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI vereist PostgreSQL. {unreachable}", pytrace=False)
        pytest.skip(unreachable)
    return StoreUrl.parse(_postgres_url())


@pytest.fixture
def new_municipality(store_url: "StoreUrl") -> Iterator[Callable[[], str]]:
    """Hands out fresh municipality slugs; on PostgreSQL their schemas are dropped afterwards.

    A random slug gives every test its own schema (or files), so tests never see each other's
    events, on a shared server too.
    """
    handed_out: list[str] = []

    def fresh() -> str:
        slug = "t" + secrets.token_hex(4)
        handed_out.append(slug)
        return slug

    yield fresh
    if store_url.server is None:
        return
    with psycopg.connect(store_url.server.conninfo(), autocommit=True) as conn:
        for slug in handed_out:
            schema = store_url.location(slug).schema
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        # The key tables of personal data live outside the municipalities' schemas.
        for table in ("personal_subjects", "personal_records", "personal_generation"):
            if conn.execute("SELECT to_regclass(%s)", (f"adviesspoor.{table}",)).fetchone() != (
                None,
            ):
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE municipality = ANY(%s)").format(
                        sql.Identifier("adviesspoor", table)
                    ),
                    (handed_out,),
                )


@pytest.fixture
def municipality(new_municipality: Callable[[], str]) -> str:
    """The municipality the test is about."""
    return new_municipality()


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Signing keys as files of the test's own (on PostgreSQL too): nothing left on the server."""
    directory = tmp_path / "sleutels"
    monkeypatch.setenv("ADVIESSPOOR_KEY_DIR", str(directory))
    return directory


@pytest.fixture
def today() -> date:
    """The business date of the test: the real Dutch date, read once so the test cannot straddle
    midnight."""
    from ledger import amsterdam_today

    return amsterdam_today()


@pytest.fixture
def open_ledgers(
    store_url: "StoreUrl", today: date, new_municipality: Callable[[], str]
) -> Iterator[Callable[[], "Ledgers"]]:
    """Opens `Ledgers` on the test's store, as another process would; all closed afterwards.

    It depends on `new_municipality`, so every ledger is closed before the schemas are dropped.
    """
    from ledger import Ledgers

    opened: list[Ledgers] = []

    def open_() -> Ledgers:
        ledgers = Ledgers(store_url, today=lambda: today)
        opened.append(ledgers)
        return ledgers

    yield open_
    for ledgers in opened:
        ledgers.close_all()


@pytest.fixture
def ledgers(open_ledgers: Callable[[], "Ledgers"]) -> "Ledgers":
    """The ledgers of this process; `ledgers[municipality]` is an `AdviceLedger`."""
    return open_ledgers()


@pytest.fixture
def ledger(ledgers: "Ledgers", municipality: str) -> "AdviceLedger":
    """The test municipality's ledger."""
    return ledgers[municipality]
