"""The log commands' keys, checkpoints and cosigning, and tampering found by `verify --database`."""

import os
import stat
from datetime import date
from pathlib import Path

from events import BodyKind
from ledger import Actor, AdviceLedger
from ledger.integrity import Checkpoint, SignerKey, open_checkpoint, sign_checkpoint
from tests.integration.actors import administrator
from tests.integration.cli_data_support import history
from tests.integration.cli_support import Run
from tests.integration.test_log_tree import raw_sql


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
