"""The log commands against real stores: keys, checkpoints and cosigning, export, import and
verify, and tampering found by `verify --database`."""

import os
import stat
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from events import BodyKind, Outcome
from events.store import StoreUrl
from ledger import Actor, AdviceLedger, Ledgers
from ledger.integrity import Checkpoint, SignerKey, open_checkpoint, sign_checkpoint
from tests.integration.actors import administrator
from tests.integration.cli_support import Run, own_database, runner
from tests.integration.ledger_support import answer, submit
from tests.integration.test_log_tree import raw_sql

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def history(ledger: AdviceLedger, office: Actor, today: date) -> int:
    """A body, a dossier, an advice of two points and a reactie `not_followed`; its position."""
    body = ledger.register_body(administrator(), name="WIJ-raad", kind=BodyKind.CLIENT_COUNCIL).id
    dossier = ledger.open_dossier(office, title="Nota", opened_on=today - timedelta(days=30)).id
    advice = submit(
        ledger,
        office,
        body,
        today - timedelta(days=9),
        points=["Een.", "Twee."],
        dossier_id=dossier,
    ).id
    return answer(
        ledger, office, advice, today, outcome=Outcome.NOT_FOLLOWED, text="Nee.", reasons="Te duur."
    ).position


def test_a_checkpoint_is_signed_stored_and_given_again_until_the_log_grows(
    adviesspoor: Run, ledger: AdviceLedger, office: Actor, today: date, key_dir: Path
) -> None:
    history(ledger, office, today)
    municipality = ledger.municipality

    made = adviesspoor("keys", "create", "--gemeente", municipality)
    first = adviesspoor("checkpoint", "--gemeente", municipality)
    again = adviesspoor("checkpoint", "--gemeente", municipality)
    ledger.register_body(administrator(), name="Wmo-platform", kind=BodyKind.ADVISORY_COUNCIL)
    grown = adviesspoor("checkpoint", "--gemeente", municipality)

    assert made.code == 0, made.err
    key_file = key_dir / f"{municipality}.signing.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert first.code == 0, first.err
    checkpoint, _ = open_checkpoint(first.out, [made.out.strip()])
    assert (checkpoint.origin, checkpoint.size) == (f"adviesspoor.nl/{municipality}", 4)
    assert again.out == first.out
    assert open_checkpoint(grown.out, [made.out.strip()])[0].size == 5
    assert [c.size for c in ledger.integrity.checkpoints()] == [4, 5]
    assert adviesspoor("keys", "create", "--gemeente", municipality).code == 1


def test_cosigning_checks_consistency_with_the_last_checkpoint_the_cosigner_signed(
    adviesspoor: Run,
    ledger: AdviceLedger,
    office: Actor,
    today: date,
    tmp_path: Path,
    key_dir: Path,
) -> None:
    history(ledger, office, today)
    municipality = ledger.municipality
    log_key = adviesspoor("keys", "create", "--gemeente", municipality).out.strip()
    secret = tmp_path / "rekenkamer.key"
    cosigner = adviesspoor(
        "keys", "create", "--naam", "rekenkamer.test.nl", "--bestand", str(secret)
    ).out.strip()
    state = tmp_path / "staat.txt"

    def cosign(note: str) -> tuple[int, str, str]:
        done = adviesspoor(
            "checkpoint", "cosign", note, "--key", str(secret), "--log-key", log_key,
            "--staat", str(state),
        )  # fmt: skip
        return done.code, done.out, done.err

    first = cosign(adviesspoor("checkpoint", "--gemeente", municipality).out)
    ledger.register_body(administrator(), name="Wmo-platform", kind=BodyKind.ADVISORY_COUNCIL)
    second = cosign(adviesspoor("checkpoint", "--gemeente", municipality).out)
    stored = adviesspoor("checkpoint", "store", second[1])
    # A note the log's key signed over another tree: not an extension of what was cosigned.
    signer = SignerKey.parse((key_dir / f"{municipality}.signing.key").read_text())
    forged = sign_checkpoint(Checkpoint(signer.name, 6, bytes(32)), signer)
    ledger.register_body(administrator(), name="Stadadviseert", kind=BodyKind.ADVISORY_COUNCIL)
    refused = cosign(forged)

    assert first[0] == 0, first[2]
    assert second[0] == 0, second[2]
    checkpoint, verified = open_checkpoint(second[1], [log_key, cosigner])
    assert checkpoint.size == 5
    assert verified.signed_by() == {f"adviesspoor.nl/{municipality}", "rekenkamer.test.nl"}
    assert state.read_text() == second[1]
    assert stored.code == 0, stored.err
    assert ledger.integrity.latest_checkpoint().note == second[1]  # type: ignore[union-attr]
    assert refused[0] == 1
    assert "niet consistent" in refused[2].lower()
    assert len(refused[2].strip().splitlines()) == 1
    assert state.read_text() == second[1]

    export = tmp_path / "export.jsonl"
    assert adviesspoor("export", "--gemeente", municipality, "--out", str(export)).code == 0
    checked = adviesspoor(
        "verify", str(export), "--public-key", log_key, "--public-key", cosigner,
        "--vereis-medeondertekening", "rekenkamer.test.nl",
    )  # fmt: skip
    assert checked.code == 0, checked.out
    assert checked.out.startswith("OK 6 ")


def _events_table(ledger: AdviceLedger) -> tuple[str, str]:
    if ledger.location.backend == "sqlite":
        return "stored_events", "rowid"
    return "adviceledger_events", "notification_id"


def test_a_changed_event_makes_verify_database_name_its_position(
    adviesspoor: Run, ledger: AdviceLedger, office: Actor, today: date
) -> None:
    position = history(ledger, office, today)
    ledger.register_body(administrator(), name="Wmo-platform", kind=BodyKind.ADVISORY_COUNCIL)
    municipality = ledger.municipality
    assert adviesspoor("verify", "--database", "--gemeente", municipality).code == 0

    table, column = _events_table(ledger)
    with raw_sql(ledger.location) as sql:
        (state,) = sql(f"SELECT state FROM {table} WHERE {column} = ?", (position,))[0]  # noqa: S608
        changed = bytes(state).replace(b"not_followed", b"followed")
        sql(f"UPDATE {table} SET state = ? WHERE {column} = ?", (changed, position))  # noqa: S608

    found = adviesspoor("verify", "--database", "--gemeente", municipality)

    assert found.code == 1
    assert found.out.startswith(f"FOUT {municipality} positie {position}: ")


def test_a_changed_event_with_its_leaf_changed_too_is_caught_by_the_tree_above_it(
    adviesspoor: Run, ledger: AdviceLedger, office: Actor, today: date
) -> None:
    from ledger.log_sql import StoredRow
    from ledger.tree import leaf_hash

    position = history(ledger, office, today)
    with ledger.integrity.transaction(False) as sql:
        row = sql.events(position - 1, 1)[0]
    changed = row.state.replace(b"not_followed", b"followed")
    forged = leaf_hash(StoredRow(row.position, row.aggregate_id, row.version, row.topic, changed))
    table, column = _events_table(ledger)
    with raw_sql(ledger.location) as sql:
        sql(f"UPDATE {table} SET state = ? WHERE {column} = ?", (changed, position))  # noqa: S608
        sql(
            "UPDATE merkle_nodes SET hash = ? WHERE level = 0 AND tree_size = ?", (forged, position)
        )

    found = adviesspoor("verify", "--database", "--gemeente", ledger.municipality)

    assert found.code == 1
    # The leaf's parent, over the changed event and the one before it, no longer matches.
    assert f"posities {position - 1} t/m {position}: knoop (1, " in found.out


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
