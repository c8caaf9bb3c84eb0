"""Export format version 2 (stored bytes verbatim) against tampering, and version 1 still read."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.integrity.export import VERBATIM, event_line, header_line, verbatim
from ledger.integrity.lines import parse_line
from ledger.integrity.merkle import root_of
from ledger.integrity.verifier import VerificationError, verify_export, verify_file
from tests.unit.integrity_verifier_support import (
    EVENTS,
    GOOD,
    GOOD_LEAVES,
    KEYS,
    ORIGIN,
    SIZE,
    export,
    failure,
    stored_leaf,
    verify_both_ways,
    write,
)

# Events whose stored bytes are JSON travel verbatim; every seventh is not UTF-8 (gegevens64).
VERBATIM_POSITIONS = [e.position for e in EVENTS if verbatim(e.state)]


def test_json_events_travel_verbatim_and_others_as_base64() -> None:
    for event, line in zip(EVENTS, GOOD[3:], strict=True):
        members, state = parse_line(line, json.loads, 2)
        if event.position in VERBATIM_POSITIONS:
            assert state == event.state
            assert line.endswith(VERBATIM + event.state + b"}\n")
            assert json.loads(line)["gegevens"] == json.loads(event.state)  # still JSON Lines
        else:
            assert state is None
            assert "gegevens64" in members
    assert len(VERBATIM_POSITIONS) > SIZE // 2


def flip_in_line(lines: list[bytes], position: int, offset: int, bit: int) -> list[bytes]:
    """The export with one bit flipped inside the verbatim stored bytes of one event's line."""
    index = position + 2  # the header and two checkpoints come first
    line = lines[index]
    start = line.index(VERBATIM) + len(VERBATIM)
    raw = bytearray(line)
    raw[start + offset % (len(line) - 2 - start)] ^= 1 << bit
    return [*lines[:index], bytes(raw), *lines[index + 1 :]]


verbatim_flips = st.tuples(
    st.sampled_from(VERBATIM_POSITIONS), st.integers(0, 10_000), st.integers(0, 7)
)


@settings(deadline=None)
@given(verbatim_flips)
def test_a_flipped_byte_inside_the_verbatim_stored_bytes_is_named_at_its_position(
    case: tuple[int, int, int],
) -> None:
    position, offset, bit = case

    error = failure(flip_in_line(GOOD, position, offset, bit))

    assert error.position == position


@settings(deadline=None)
@given(verbatim_flips)
def test_a_flipped_verbatim_byte_without_the_stored_leaf_fails_against_the_checkpoint(
    case: tuple[int, int, int],
) -> None:
    position, offset, bit = case
    without_leaves = export(EVENTS, leaves=[None] * SIZE)

    error = failure(flip_in_line(without_leaves, position, offset, bit))

    # a flip into a line break or a brace breaks the line itself: named at the position
    assert error.position is not None
    assert error.position <= position
    assert error.last is None or error.last >= position


@settings(deadline=None, max_examples=10)  # each example starts two worker processes
@given(verbatim_flips)
def test_worker_processes_name_a_flipped_verbatim_byte_like_one_process(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[int, int, int]
) -> None:
    position, offset, bit = case
    lines = flip_in_line(GOOD, position, offset, bit)

    one, two = verify_both_ways(write(tmp_path_factory.mktemp("export"), lines))

    assert one == two
    assert one.startswith(f"FOUT positie {position}:")


def version_1(events: list = EVENTS) -> list[bytes]:  # type: ignore[type-arg]
    """The export as version 1 wrote it: `gegevens` a JSON string, `blad` last."""
    lines = export(events)
    return [
        header_line(ORIGIN, "groningen", version=1),
        *lines[1:3],
        *(
            event_line(
                position=e.position,
                aggregate_id=e.aggregate_id,
                aggregate_version=e.version,
                topic=e.topic,
                recorded_at=e.recorded_at,
                state=e.state,
                leaf_hash=stored_leaf(e),
                version=1,
            )
            for e in events
        ),
    ]


def test_a_version_1_export_verifies_with_the_same_size_and_root(tmp_path: Path) -> None:
    lines = version_1()
    assert b'"gegevens":"' in lines[3]
    assert b'"versie":1,"oorsprong"' in lines[0]

    in_memory = verify_export(lines, keys=KEYS)
    one, two = verify_both_ways(write(tmp_path, lines))

    assert (in_memory.size, in_memory.root) == (SIZE, root_of(GOOD_LEAVES))
    assert one == two == f"OK {SIZE} {root_of(GOOD_LEAVES).hex()}"
    assert verify_file(write(tmp_path, lines), keys=KEYS).root == in_memory.root


@pytest.mark.parametrize("position", [1, 8, SIZE])
def test_a_changed_version_1_event_is_named_at_its_position(position: int) -> None:
    lines = version_1()
    changed = lines[position + 2].replace(b'"versie":', b'"versie":1', 1)

    error = failure([*lines[: position + 2], changed, *lines[position + 3 :]])

    assert error.position == position
    assert "blad" in error.message


def test_a_version_2_line_with_gegevens_twice_or_no_closing_brace_is_refused() -> None:
    line = GOOD[3]
    twice = line.replace(b'"topic":', b'"gegevens":1,"topic":', 1)
    open_end = line[:-2] + b"\n"

    for bad in (twice, open_end):
        with pytest.raises(VerificationError) as raised:
            verify_export([*GOOD[:3], bad, *GOOD[4:]], keys=KEYS)
        assert raised.value.position == 1
