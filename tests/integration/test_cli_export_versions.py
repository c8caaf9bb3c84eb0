"""Export format versions on the command line: a version 1 file (the format before the stored
bytes went verbatim) still verifies and restores the same log, whose export is then version 2."""

import json
from pathlib import Path
from uuid import UUID

from ledger import AdviceLedger
from ledger.integrity.export import event_line, header_line
from ledger.integrity.lines import event_state, parse_line
from tests.integration.cli_support import Run
from tests.integration.test_cli_log import (  # noqa: F401 - the fixtures, used by name
    restoring,
    second_store,
    signed_history,
)


def as_version_1(path: Path, out: Path) -> None:
    """The export rewritten as version 1 wrote it (the same events, leaves and checkpoints)."""
    lines = path.read_bytes().splitlines(keepends=True)
    header = json.loads(lines[0])
    converted = [header_line(header["oorsprong"], header["gemeente"], version=1)]
    for raw in lines[1:]:
        event, state = parse_line(raw, json.loads, 2)
        if "positie" not in event:
            converted.append(raw)
            continue
        converted.append(
            event_line(
                position=event["positie"],
                aggregate_id=UUID(event["aggregaat"]),
                aggregate_version=event["versie"],
                topic=event["topic"],
                recorded_at=event["vastgelegdOp"],
                state=event_state(event, state),
                leaf_hash=bytes.fromhex(event["blad"]),
                version=1,
            )
        )
    out.write_bytes(b"".join(converted))


def test_a_version_1_export_verifies_and_restores_the_log_whose_export_is_version_2(
    adviesspoor: Run,
    restoring: Run,  # noqa: F811
    signed_history: str,  # noqa: F811
    ledger: AdviceLedger,
    tmp_path: Path,
) -> None:
    municipality = signed_history
    current, old, again = (tmp_path / name for name in ("v2.jsonl", "v1.jsonl", "terug.jsonl"))
    assert adviesspoor("export", "--gemeente", municipality, "--out", str(current)).code == 0
    as_version_1(current, old)

    checked = restoring("verify", str(old))
    restored = restoring("import", str(old))
    exported = restoring("export", "--gemeente", municipality, "--out", str(again))

    assert old.read_bytes().startswith(b'{"formaat":"adviesspoor-export","versie":1,')
    assert b'"gegevens":"{' in old.read_bytes()
    assert b'"gegevens":{' in current.read_bytes()
    assert checked.code == 0, checked.out
    assert checked.out.split()[:2] == ["OK", str(ledger.integrity.size())]
    assert restored.code == 0, restored.err
    assert exported.code == 0, exported.err
    assert again.read_bytes() == current.read_bytes()
