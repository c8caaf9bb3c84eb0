"""`ADVIESSPOOR_SHARDS`: which database each municipality's log lives in, read once with the other
settings; a value that cannot be understood is refused at start, in Dutch, naming the setting."""

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from api.settings import Settings

DEFAULT = "postgresql://adviesspoor@db-a.example:5432/ledger"
SHARD_B = "postgresql://adviesspoor@db-b.example:5432/ledger"


def _settings(shards: str, database_url: str = DEFAULT) -> "Settings":
    from api.settings import Settings

    return Settings.from_env(
        {"ADVIESSPOOR_DATABASE_URL": database_url, "ADVIESSPOOR_SHARDS": shards}
    )


def test_a_named_municipality_lives_in_its_shard_and_the_others_in_the_default_database() -> None:
    store = _settings(f"assen={SHARD_B}, emmen={SHARD_B}").store

    assen, emmen, groningen = (store.location(m) for m in ("assen", "emmen", "groningen"))

    assert assen.server is not None
    assert assen.server.host == "db-b.example"
    assert emmen.server == assen.server
    assert groningen.server is not None
    assert groningen.server.host == "db-a.example"
    # Two municipalities in one shard are one database, not two.
    assert [db.server.host for db in store.databases() if db.server] == [
        "db-a.example",
        "db-b.example",
    ]
    # The schema is the municipality's, whichever database holds it.
    assert assen.schema == "gemeente_assen"


def test_without_the_setting_there_is_one_database() -> None:
    store = _settings("").store

    assert store.shards == ()
    assert store.databases() == [store]
    assert store.home("assen") == store


def test_a_shard_named_by_another_spelling_of_the_default_url_is_the_default_database() -> None:
    store = _settings("assen=postgresql://adviesspoor@db-a.example/ledger").store

    assert store.databases() == [store.plain]
    assert store.home("assen") == store.plain


def test_the_pool_sizes_reach_the_shards_too() -> None:
    from api.settings import Settings
    from events.store import library_settings

    settings = Settings.from_env(
        {
            "ADVIESSPOOR_DATABASE_URL": DEFAULT,
            "ADVIESSPOOR_SHARDS": f"assen={SHARD_B}",
            "ADVIESSPOOR_POOL_SIZE": "2",
            "ADVIESSPOOR_MAX_OVERFLOW": "3",
        }
    )

    found = library_settings(settings.store.location("assen"))

    assert (found["POSTGRES_HOST"], found["POSTGRES_SCHEMA"]) == ("db-b.example", "gemeente_assen")
    assert (found["POSTGRES_POOL_SIZE"], found["POSTGRES_MAX_OVERFLOW"]) == ("2", "3")


def test_the_pairs_may_come_from_a_file_with_comment_lines(tmp_path: Path) -> None:
    path = tmp_path / "shards.txt"
    path.write_text(f"# Noord\nassen={SHARD_B}\n\nemmen = {SHARD_B}\n", encoding="utf-8")

    settings = _settings(f"@{path}")

    assert settings.shards == (("assen", SHARD_B), ("emmen", SHARD_B))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("assen", r"ADVIESSPOOR_SHARDS: 'assen' is geen paar gemeente=database"),
        ("assen=", r"'assen=' is geen paar gemeente=database"),
        (f"={SHARD_B}", r"is geen paar gemeente=database"),
        (f"Assen={SHARD_B}", r"ADVIESSPOOR_SHARDS: Ongeldige gemeente 'Assen'"),
        (f"assen={SHARD_B},assen={DEFAULT}", r"de gemeente assen staat er meer dan eens in"),
        ("assen=sqlite:///./data", r"gemeente assen: een shard is een postgresql://-database"),
        ("assen=mysql://h/db", r"ADVIESSPOOR_SHARDS, gemeente assen: Onbekende database"),
        ("assen=postgresql://h", r"gemeente assen: Gebruik postgresql://gebruiker@host"),
    ],
)
def test_a_malformed_value_is_refused_in_dutch_naming_the_setting(value: str, message: str) -> None:
    from events.store import StoreUrlError

    with pytest.raises(StoreUrlError, match=message):
        _settings(value)


def test_shards_need_a_postgresql_default() -> None:
    from events.store import StoreUrlError

    with pytest.raises(StoreUrlError, match="ADVIESSPOOR_SHARDS kan alleen met PostgreSQL"):
        _settings(f"assen={SHARD_B}", database_url="sqlite:///./data")


def test_an_unreadable_file_is_refused_in_dutch(tmp_path: Path) -> None:
    from events.store import StoreUrlError

    with pytest.raises(StoreUrlError, match=r"het bestand .*ontbreekt.txt is niet te lezen"):
        _settings(f"@{tmp_path / 'ontbreekt.txt'}")


def test_a_command_refuses_a_malformed_value_with_exit_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from api.cli.main import main

    monkeypatch.setenv("ADVIESSPOOR_DATABASE_URL", DEFAULT)
    monkeypatch.setenv("ADVIESSPOOR_SHARDS", "assen")

    assert main(["token", "list"]) == 2
    assert "ADVIESSPOOR_SHARDS: 'assen' is geen paar" in capsys.readouterr().err
