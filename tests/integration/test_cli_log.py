"""The log commands against real stores: export, import and verify, from SQLite to PostgreSQL too,
personal keys moving with an export, and failures in one Dutch sentence."""

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from events import BodyKind
from events.store import StoreUrl
from ledger import Actor, AdviceLedger, Ledgers
from tests.integration.actors import administrator
from tests.integration.cli_data_support import history
from tests.integration.cli_support import Run, own_database, runner

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def second_store(store_url: StoreUrl, tmp_path: Path) -> Iterator[StoreUrl]:
    """An empty store of the same kind as the test's, to restore into."""
    if store_url.server is None:
        yield StoreUrl.parse(f"sqlite:///{tmp_path / 'hersteld'}")
        return
    with own_database(store_url) as store:
        yield store


@pytest.fixture
def restoring(
    second_store: StoreUrl, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """The command line on the second store."""
    return runner(second_store, monkeypatch, capsys)


@pytest.fixture
def signed_history(adviesspoor: Run, ledger: AdviceLedger, office: Actor, today: date) -> str:
    """The history, a signing key and a checkpoint over it; the municipality."""
    history(ledger, office, today)
    municipality = ledger.municipality
    adviesspoor("keys", "create", "--gemeente", municipality)
    adviesspoor("checkpoint", "--gemeente", municipality)
    return municipality


def test_export_import_export_is_byte_identical(
    adviesspoor: Run,
    restoring: Run,
    second_store: StoreUrl,
    signed_history: str,
    ledger: AdviceLedger,
    tmp_path: Path,
) -> None:
    municipality = signed_history
    ledger.register_body(administrator(), name="Wmo-platform", kind=BodyKind.ADVISORY_COUNCIL)
    first, second = tmp_path / "eerste.jsonl", tmp_path / "tweede.jsonl"
    assert adviesspoor("export", "--gemeente", municipality, "--out", str(first)).code == 0

    restored = restoring("import", str(first))
    exported = restoring("export", "--gemeente", municipality, "--out", str(second))
    again = restoring("import", str(first))

    assert restored.code == 0, restored.err
    assert exported.code == 0, exported.err
    assert second.read_bytes() == first.read_bytes()
    assert again.code == 1
    assert "niet leeg" in again.err
    assert restoring("verify", "--database", "--gemeente", municipality).code == 0
    reopened = Ledgers(second_store)
    try:
        assert reopened[municipality].integrity.root() == ledger.integrity.root()
    finally:
        reopened.close_all()


@pytest.mark.postgres
def test_a_sqlite_export_restored_on_postgresql_has_the_same_root(
    tmp_path: Path,
    postgres_unreachable: str | None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    office: Actor,
    today: date,
) -> None:
    if postgres_unreachable is not None:
        pytest.skip(postgres_unreachable)
    monkeypatch.setenv("ADVIESSPOOR_KEY_DIR", str(tmp_path / "sleutels"))
    sqlite_store = StoreUrl.parse(f"sqlite:///{tmp_path / 'sqlite'}")
    ledgers = Ledgers(sqlite_store, today=lambda: today)
    try:
        history(ledgers["migratie"], office, today)
        size_root = ledgers["migratie"].integrity.root()
    finally:
        ledgers.close_all()
    on_sqlite = runner(sqlite_store, monkeypatch, capsys)
    on_sqlite("keys", "create", "--gemeente", "migratie")
    assert on_sqlite("checkpoint", "--gemeente", "migratie").code == 0
    export = tmp_path / "migratie.jsonl"
    assert on_sqlite("export", "--gemeente", "migratie", "--out", str(export)).code == 0

    server = os.environ.get("ADVIESSPOOR_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    with own_database(StoreUrl.parse(server)) as postgres:
        on_postgres = runner(postgres, monkeypatch, capsys)
        restored = on_postgres("import", str(export))
        verified = on_postgres("verify", "--database")
        back = tmp_path / "terug.jsonl"
        exported = on_postgres("export", "--out", str(back))
        opened = Ledgers(postgres)
        try:
            assert opened["migratie"].integrity.root() == size_root
        finally:
            opened.close_all()

    assert restored.code == 0, restored.err
    assert verified.code == 0, verified.out
    assert exported.code == 0, exported.err
    assert back.read_bytes() == export.read_bytes()


def test_log_commands_fail_in_one_dutch_sentence(
    adviesspoor: Run, ledger: AdviceLedger, office: Actor, today: date, tmp_path: Path
) -> None:
    history(ledger, office, today)
    not_an_export = tmp_path / "nee.jsonl"
    not_an_export.write_text("hallo\n")

    unsigned = adviesspoor("checkpoint", "--gemeente", ledger.municipality)
    neither = adviesspoor("verify")
    broken = adviesspoor("import", str(not_an_export))
    unknown = adviesspoor("export", "--gemeente", "nergenshuizen", "--out", str(tmp_path / "x"))

    assert unsigned.code == 1
    assert "heeft nog geen sleutel" in unsigned.err
    assert neither.code == 2
    assert broken.code == 1
    assert unknown.code == 2
    for result in (unsigned, neither, broken, unknown):
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "Traceback" not in result.err
    assert not (tmp_path / "x").exists()


def test_personal_keys_move_with_an_export_only_encrypted_and_only_with_the_passphrase(
    adviesspoor: Run,
    restoring: Run,
    second_store: StoreUrl,
    ledger: AdviceLedger,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from projections.log import LogReader

    resident = ledger.register_body(
        administrator(), name="Jantje Zwartkop", kind=BodyKind.RESIDENT
    ).id
    municipality = ledger.municipality
    export, keys = tmp_path / "export.jsonl", tmp_path / "sleutels.json"
    monkeypatch.setenv("ADVIESSPOOR_KEY_PASSPHRASE", "correct paard batterij niet")
    made = adviesspoor(
        "export", "--gemeente", municipality, "--out", str(export), "--sleutels", str(keys)
    )
    monkeypatch.setenv("ADVIESSPOOR_KEY_PASSPHRASE", "fout")
    wrong = restoring("import", str(export), "--sleutels", str(keys))
    monkeypatch.setenv("ADVIESSPOOR_KEY_PASSPHRASE", "correct paard batterij niet")
    restored = restoring("import", str(export), "--sleutels", str(keys))

    assert made.code == 0, made.err
    assert b"Zwartkop" not in keys.read_bytes()
    assert b"Zwartkop" not in export.read_bytes()
    assert wrong.code == 1
    assert "wachtwoord" in wrong.err
    assert restored.code == 0, restored.err
    reader = LogReader(second_store.location(municipality))
    try:
        (registered,) = [row for row in reader.read(0, 10) if row.aggregate_id == str(resident)]
    finally:
        reader.close()
    assert registered.state["name"] == "Jantje Zwartkop"
    assert registered.state["meta"]["actor"] == "beheerder"
