"""The leaf of a stored event: byte-exact version 1, one encoding per event, bad values refused."""

from datetime import UTC, datetime, timedelta, timezone
from hashlib import sha256
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.integrity.leaf import Leaf, LeafError, format_moment

STATE = b'{"x":1}'
EXAMPLE = Leaf(
    position=1,
    aggregate_id=UUID("0b6c3a52-4e9f-4c1e-9d62-5b0f7a1e2c33"),
    aggregate_version=1,
    topic="events.advice:AdviceSubmitted",
    recorded_at="2025-03-14T09:26:53.589793Z",
    event_sha256=sha256(STATE).digest(),
)

leaves = st.builds(
    Leaf,
    position=st.integers(min_value=1, max_value=2**64 - 1),
    aggregate_id=st.uuids(),
    aggregate_version=st.integers(min_value=0, max_value=2**64 - 1),
    topic=st.text(min_size=1, max_size=40),
    recorded_at=st.datetimes(timezones=st.just(UTC)).map(format_moment),
    event_sha256=st.binary(min_size=32, max_size=32),
)


def test_the_worked_example_of_the_documentation_has_these_bytes() -> None:
    expected = (
        b"\x01"
        + bytes.fromhex("0000000000000001")
        + bytes.fromhex("0b6c3a524e9f4c1e9d625b0f7a1e2c33")
        + bytes.fromhex("0000000000000001")
        + bytes.fromhex("001d")
        + b"events.advice:AdviceSubmitted"
        + bytes.fromhex("001b")
        + b"2025-03-14T09:26:53.589793Z"
        + bytes.fromhex("5041bf1f713df204784353e82f6a4a535931cb64f1f4b4a5aeaffcb720918b22")
    )

    assert EXAMPLE.encode() == expected
    assert len(expected) == 96 + len("events.advice:AdviceSubmitted")
    assert EXAMPLE.hash() == sha256(b"\x00" + expected).digest()
    assert (
        EXAMPLE.hash().hex() == "87e2532c9609765b823661b18e85ef3d52c9239447e197d35a6c4b78aa1219e6"
    )


def test_the_leaf_of_an_event_hashes_its_stored_bytes_and_writes_its_moment_in_utc() -> None:
    amsterdam = timezone(timedelta(hours=1))

    leaf = Leaf.for_event(
        position=1,
        aggregate_id=EXAMPLE.aggregate_id,
        aggregate_version=1,
        topic=EXAMPLE.topic,
        recorded_at=datetime(2025, 3, 14, 10, 26, 53, 589793, tzinfo=amsterdam),
        state=STATE,
    )

    assert leaf == EXAMPLE


@given(leaves)
def test_decoding_a_leaf_gives_back_its_fields(leaf: Leaf) -> None:
    assert Leaf.decode(leaf.encode()) == leaf


@given(leaves, leaves)
def test_different_fields_never_share_an_encoding(one: Leaf, other: Leaf) -> None:
    assert (one.encode() == other.encode()) == (one == other)


@given(leaves, st.data())
def test_a_leaf_with_a_byte_flipped_is_another_leaf_or_none(
    leaf: Leaf, data: st.DataObject
) -> None:
    encoded = bytearray(leaf.encode())
    index = data.draw(st.integers(0, len(encoded) - 1))
    encoded[index] ^= data.draw(st.integers(1, 255))

    try:
        changed = Leaf.decode(bytes(encoded))
    except LeafError:
        return
    assert changed != leaf


@pytest.mark.parametrize(
    "moment",
    [
        "2025-03-14T09:26:53Z",
        "2025-03-14T09:26:53.589793",
        "2025-03-14T09:26:53.589793+00:00",
        "2025-03-14 09:26:53.589793Z",
        "2025-03-14T09:26:53.589793z",
        "2025-02-30T09:26:53.589793Z",
        "٢٠٢٥-03-14T09:26:53.589793Z",
    ],
)
def test_a_moment_not_in_the_leaf_form_is_refused(moment: str) -> None:
    with pytest.raises(LeafError, match="moment"):
        Leaf(1, EXAMPLE.aggregate_id, 1, EXAMPLE.topic, moment, EXAMPLE.event_sha256)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"position": 0}, "positie"),
        ({"position": 2**64}, "positie"),
        ({"aggregate_version": -1}, "versie"),
        ({"topic": ""}, "topic"),
        ({"topic": "x" * 65536}, "topic"),
        ({"event_sha256": b"\x00" * 31}, "SHA-256"),
    ],
)
def test_values_without_a_leaf_encoding_are_refused(
    changes: dict[str, object], reason: str
) -> None:
    fields: dict[str, object] = {
        "position": 1,
        "aggregate_id": EXAMPLE.aggregate_id,
        "aggregate_version": 1,
        "topic": EXAMPLE.topic,
        "recorded_at": EXAMPLE.recorded_at,
        "event_sha256": EXAMPLE.event_sha256,
    } | changes

    with pytest.raises(LeafError, match=reason):
        Leaf(**fields)  # type: ignore[arg-type]


def test_a_moment_without_a_timezone_is_refused() -> None:
    with pytest.raises(LeafError, match="tijdzone"):
        format_moment(datetime(2025, 3, 14, 9, 26, 53))


@pytest.mark.parametrize(
    "leaf",
    [b"", b"\x02" + EXAMPLE.encode()[1:], EXAMPLE.encode()[:-1], EXAMPLE.encode() + b"\x00"],
)
def test_bytes_that_are_not_exactly_one_leaf_do_not_decode(leaf: bytes) -> None:
    with pytest.raises(LeafError):
        Leaf.decode(leaf)
