"""The verifier's command: what it prints and exits with, for good and bad exports and arguments."""

from base64 import b64encode
from pathlib import Path

import pytest

from ledger.integrity import verifier
from ledger.integrity.merkle import root_of
from tests.unit.integrity_verifier_support import (
    AUDITOR,
    EVENTS,
    GOOD,
    GOOD_LEAVES,
    LOG_KEY,
    NOTE_ALL,
    SIZE,
    export,
    flip,
    write,
)


def test_the_command_prints_ok_size_and_root_and_exits_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, note = write(tmp_path, GOOD), tmp_path / "controlepunt.txt"
    note.write_text(NOTE_ALL)

    code = verifier.main([str(path), "--checkpoint", str(note), "--public-key", LOG_KEY])

    first = capsys.readouterr().out.splitlines()[0]
    assert (code, first) == (0, f"OK {SIZE} {b64encode(root_of(GOOD_LEAVES)).decode()}")


def test_the_command_names_the_first_bad_position_and_exits_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = list(EVENTS)
    events[22] = flip(EVENTS[22], "state", 3, 2)
    path = write(tmp_path, export(events, leaves=GOOD_LEAVES))

    code = verifier.main([str(path), "--public-key", LOG_KEY, "--checkpoint", NOTE_ALL.rstrip()])

    assert code == 1
    assert capsys.readouterr().out.startswith("FOUT positie 23: het blad in de export")


def test_the_command_warns_when_no_key_checked_the_signatures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = verifier.main([str(write(tmp_path, GOOD)), "--json-parser", "stdlib"])

    assert code == 0
    assert "handtekeningen zijn niet gecontroleerd" in capsys.readouterr().out


@pytest.mark.parametrize(
    "arguments",
    [["--public-key", "geen-sleutel"], ["--vereis-medeondertekening", AUDITOR]],
)
def test_the_command_exits_two_on_bad_arguments_or_one_on_a_missing_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    code = verifier.main([str(write(tmp_path, GOOD)), *arguments])

    printed = capsys.readouterr()
    assert code == (2 if arguments[0] == "--public-key" else 1)
    assert "FOUT" in printed.out + printed.err


def test_a_checkpoint_file_saved_with_windows_line_ends_is_read_as_the_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    note = tmp_path / "controlepunt.txt"
    note.write_bytes(NOTE_ALL.replace("\n", "\r\n").encode())

    code = verifier.main(
        [str(write(tmp_path, GOOD)), "--checkpoint", str(note), "--public-key", LOG_KEY]
    )

    assert code == 0, capsys.readouterr().out
