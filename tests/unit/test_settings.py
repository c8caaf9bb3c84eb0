"""The settings are read once, from the environment; the store's connection string keeps a
password whole, whatever characters it has."""

import pytest
from psycopg.conninfo import conninfo_to_dict


@pytest.mark.parametrize("password", ["met spatie", "met'quote", "back\\slash", "a b' c\\"])
def test_a_password_with_a_space_or_a_quote_stays_one_value(password: str) -> None:
    from urllib.parse import quote

    from events.store import StoreUrl

    url = f"postgresql://adviesspoor:{quote(password, safe='')}@db.example:5433/ledger"

    conninfo = StoreUrl.parse(url).server.conninfo()  # type: ignore[union-attr]

    assert conninfo_to_dict(conninfo) == {
        "host": "db.example",
        "port": "5433",
        "dbname": "ledger",
        "user": "adviesspoor",
        "password": password,
    }


def test_the_knobs_come_from_the_environment_with_defaults() -> None:
    from api.settings import MEBIBYTE, Settings

    settings = Settings.from_env(
        {"ADVIESSPOOR_WORKERS": "3", "ADVIESSPOOR_POOL_SIZE": "2", "ADVIESSPOOR_DATABASE_URL": ""}
    )

    assert settings.workers == 3
    assert settings.max_body == MEBIBYTE
    assert settings.read_wait_seconds == 5.0
    assert settings.database_url == "sqlite:///./data"
    assert settings.store.backend == "sqlite"


def test_the_pool_sizes_reach_the_librarys_settings() -> None:
    from api.settings import Settings
    from events.store import library_settings

    settings = Settings.from_env(
        {
            "ADVIESSPOOR_DATABASE_URL": "postgresql://u@h/db",
            "ADVIESSPOOR_POOL_SIZE": "2",
            "ADVIESSPOOR_MAX_OVERFLOW": "1",
        }
    )

    found = library_settings(settings.store.location("groningen"))

    assert (found["POSTGRES_POOL_SIZE"], found["POSTGRES_MAX_OVERFLOW"]) == ("2", "1")


@pytest.mark.parametrize("value", ["nul", "0", "-2"])
def test_a_knob_that_is_no_positive_number_is_refused_in_dutch(value: str) -> None:
    from api.settings import Settings
    from events.store import StoreUrlError

    with pytest.raises(StoreUrlError, match="ADVIESSPOOR_WORKERS"):
        Settings.from_env({"ADVIESSPOOR_WORKERS": value})
