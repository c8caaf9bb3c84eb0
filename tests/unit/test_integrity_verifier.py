"""The offline verifier: a generated export passes; any change, swap, deletion or cut is named."""

import dataclasses
import json
from base64 import b64encode
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.integrity.checkpoint import Checkpoint, read_checkpoint, sign_checkpoint
from ledger.integrity.lines import json_loads
from ledger.integrity.merkle import root_of
from ledger.integrity.note import VerifierKey, generate_key
from ledger.integrity.verifier import verify_export
from tests.unit.integrity_verifier_support import (
    AUDITOR,
    EARLIER,
    EVENTS,
    FIELDS,
    GOOD,
    GOOD_LEAVES,
    KEYS,
    NOTE_ALL,
    NOTE_EARLIER,
    ORIGIN,
    SIZE,
    export,
    failure,
    flip,
    flipped,
    signed,
    tampering,
)


def test_a_generated_export_passes_with_its_size_and_root() -> None:
    result = verify_export(GOOD, keys=KEYS)

    assert (result.size, result.root) == (SIZE, root_of(GOOD_LEAVES))
    assert [c.checkpoint.size for c in result.checkpoints] == [EARLIER, SIZE]
    assert all(c.signed_by == {ORIGIN} for c in result.checkpoints)


def test_the_standard_librarys_json_parser_gives_the_same_outcome() -> None:
    broken = [*GOOD[:9], GOOD[9].replace(b'"versie":', b'"versie":1', 1), *GOOD[10:]]

    assert verify_export(GOOD, keys=KEYS, loads=json_loads("stdlib")).root == root_of(GOOD_LEAVES)
    assert str(failure(broken, loads=json_loads("stdlib"))) == str(failure(broken))


@settings(deadline=None)
@given(tampering)
def test_any_flipped_field_is_named_at_its_position_by_the_stored_leaf(
    case: tuple[int, str, int, int],
) -> None:
    position = case[0]
    events = flipped(*case)

    error = failure(export(events, leaves=GOOD_LEAVES))

    assert error.position == position


@settings(deadline=None)
@given(tampering)
def test_any_flipped_field_with_its_leaf_recomputed_fails_against_the_checkpoint_over_it(
    case: tuple[int, str, int, int],
) -> None:
    position = case[0]
    events = flipped(*case)

    error = failure(export(events))

    assert error.position is not None
    assert error.position <= position <= (error.last or error.position)


@settings(deadline=None)
@given(st.integers(1, EARLIER), st.sampled_from(FIELDS), st.integers(0, 200), st.integers(0, 7))
def test_a_change_before_an_earlier_checkpoint_fails_against_that_checkpoint_alone(
    position: int, field: str, index: int, bit: int
) -> None:
    events = flipped(position, field, index, bit)
    lines = export(events, notes=[])

    error = failure(lines, checkpoints=[NOTE_EARLIER])

    # the range 1..EARLIER the checkpoint vouches for, or the position itself if it was renumbered
    assert (error.position, error.last) in ((1, EARLIER), (position, None))


@given(st.integers(1, SIZE), st.integers(1, SIZE))
def test_two_swapped_rows_are_named_at_the_first_of_them(first: int, second: int) -> None:
    if first == second:
        return
    lines = list(GOOD)
    offset = 2  # the header and the two checkpoint lines come first
    lines[first + offset], lines[second + offset] = lines[second + offset], lines[first + offset]

    assert failure(lines).position == min(first, second)


@settings(deadline=None)
@given(st.integers(1, SIZE), st.integers(1, SIZE))
def test_two_swapped_events_renumbered_and_rehashed_fail_against_a_checkpoint(
    first: int, second: int
) -> None:
    if first == second:
        return
    a, b = EVENTS[first - 1], EVENTS[second - 1]
    events = list(EVENTS)
    events[first - 1] = dataclasses.replace(b, position=first)
    events[second - 1] = dataclasses.replace(a, position=second)

    error = failure(export(events))

    assert error.position is not None
    assert error.position <= min(first, second) <= (error.last or error.position)


@given(st.integers(1, SIZE - 1))  # deleting the last row is cutting off the tail, below
def test_a_deleted_row_is_named_as_missing(position: int) -> None:
    lines = [line for number, line in enumerate(GOOD, -2) if number != position]

    error = failure(lines)

    assert error.position == position
    assert "ontbreekt" in error.message


@settings(deadline=None)
@given(st.integers(1, SIZE))
def test_a_deleted_event_with_the_rest_renumbered_and_rehashed_fails(position: int) -> None:
    events = [
        dataclasses.replace(event, position=number)
        for number, event in enumerate(EVENTS[: position - 1] + EVENTS[position:], 1)
    ]

    error = failure(export(events))

    assert error.position is not None
    assert error.position <= position <= (error.last or error.position)


@given(st.integers(0, SIZE - 1))
def test_a_cut_off_tail_is_named_from_the_last_checkpoint_that_held(kept: int) -> None:
    error = failure(export(EVENTS[:kept]))

    vouched = EARLIER if kept >= EARLIER else 0
    assert (error.position, error.last) == (vouched + 1, SIZE if vouched else EARLIER)
    assert f"eerste ontbrekende positie {kept + 1})" in error.message


def test_a_cut_off_tail_after_an_earlier_checkpoint_fails_against_that_one_too() -> None:
    lines = export(EVENTS[: EARLIER - 3], notes=[])

    error = failure(lines, checkpoints=[NOTE_EARLIER])

    assert (error.position, error.last) == (1, EARLIER)
    assert f"eerste ontbrekende positie {EARLIER - 2})" in error.message


def test_the_first_of_two_bad_positions_is_the_one_named() -> None:
    events = list(EVENTS)
    for position in (31, 12):
        events[position - 1] = flip(EVENTS[position - 1], "state", 0, 0)

    assert failure(export(events, leaves=GOOD_LEAVES)).position == 12


def test_a_checkpoint_signed_by_an_unknown_key_fails() -> None:
    other_signer, _ = generate_key(ORIGIN)
    forged = sign_checkpoint(Checkpoint(ORIGIN, SIZE, root_of(GOOD_LEAVES)), other_signer)

    error = failure(export(EVENTS, notes=[forged]))

    assert "bekende sleutel" in error.message
    assert error.position is None


def test_a_checkpoint_with_a_wrong_signature_fails_even_when_its_root_is_right() -> None:
    # the last base64 characters before the padding belong to the signature, not the key ID
    changed = "A" if NOTE_ALL[-5] != "A" else "B"
    broken = NOTE_ALL[:-5] + changed + NOTE_ALL[-4:]

    assert "ongeldige handtekening" in failure(export(EVENTS, notes=[broken])).message


def test_two_checkpoints_with_different_roots_for_one_size_are_a_split_log() -> None:
    other = list(EVENTS)
    other[3] = flip(EVENTS[3], "state", 1, 1)
    split = signed(other, SIZE)

    assert "twee versies van de log" in failure(GOOD, checkpoints=[split]).message


def test_a_checkpoint_of_another_municipality_fails() -> None:
    signer, key = generate_key("adviesspoor.nl/zwolle")
    note = sign_checkpoint(Checkpoint("adviesspoor.nl/zwolle", 1, GOOD_LEAVES[0]), signer)

    error = failure(GOOD, checkpoints=[note], keys=[*KEYS, VerifierKey.parse(key)])

    assert "adviesspoor.nl/zwolle" in error.message


def test_a_demanded_cosignature_must_be_on_the_checkpoint_given() -> None:
    cosigned = signed(EVENTS, SIZE, cosign=True)

    passed = verify_export(GOOD, keys=KEYS, checkpoints=[cosigned], required=[AUDITOR])

    assert passed.checkpoints[0].signed_by == {ORIGIN, AUDITOR}
    assert AUDITOR in failure(GOOD, checkpoints=[NOTE_ALL], required=[AUDITOR]).message


def test_without_a_given_checkpoint_one_in_the_export_must_carry_the_cosignature() -> None:
    cosigned = export(EVENTS, notes=[NOTE_EARLIER, signed(EVENTS, 30, cosign=True)])

    assert verify_export(cosigned, keys=KEYS, required=[AUDITOR]).size == SIZE
    assert AUDITOR in failure(GOOD, required=[AUDITOR]).message


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ([], "leeg"),
        ([b"{}\n"], "formaat"),
        ([GOOD[0].replace(b'"versie":2', b'"versie":3')], "exportversie"),
        ([GOOD[0], GOOD[3], GOOD[1]], "controlepunt tussen de gebeurtenissen"),
        ([GOOD[0], b"niet eens json\n"], "geen geldige JSON"),
        ([GOOD[0], GOOD[3].replace(b'"positie":1', b'"positie":true')], "positie"),
    ],
)
def test_a_malformed_export_is_named(lines: list[bytes], reason: str) -> None:
    assert reason in str(failure(lines))


DOCUMENTATION = Path(__file__).resolve().parents[2] / "docs" / "verification.md"


def block_after(marker: str) -> list[str]:
    """The lines of the fenced block that follows an HTML comment marker in the documentation."""
    text = DOCUMENTATION.read_text(encoding="utf-8")
    block = text[text.index(f"<!-- {marker} -->") :].split("```")[1]
    return block.split("\n")[1:-1]


def test_the_worked_example_of_the_documentation_verifies_as_printed_there() -> None:
    signer_text, public_text = block_after("example-key")
    lines = [line.encode() + b"\n" for line in block_after("example-export")]

    result = verify_export(lines, keys=[VerifierKey.parse(public_text)])

    assert f"OK 3 {b64encode(result.root).decode()}" in DOCUMENTATION.read_text(encoding="utf-8")
    note = json.loads(lines[1])["controlepunt"]
    assert sign_checkpoint(read_checkpoint(note), signer_text) == note
