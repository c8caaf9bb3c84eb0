"""Generated exports for the offline verifier's tests: events, signed checkpoints, tampering."""

import dataclasses
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import strategies as st

from ledger.integrity.checkpoint import Checkpoint, cosign_checkpoint, sign_checkpoint
from ledger.integrity.export import checkpoint_line, event_line, header_line
from ledger.integrity.leaf import Leaf, LeafError, format_moment
from ledger.integrity.lines import Loads
from ledger.integrity.merkle import root_of
from ledger.integrity.note import VerifierKey, generate_key
from ledger.integrity.verifier import VerificationError, verify_export, verify_file

ORIGIN = "adviesspoor.nl/groningen"
AUDITOR = "rekenkamer.groningen.nl"
LOG_SIGNER, LOG_KEY = generate_key(ORIGIN)
AUDIT_SIGNER, AUDIT_KEY = generate_key(AUDITOR)
TOPICS = (
    "events.advice:AdviceSubmitted",
    "events.advice:ResponseRecorded",
    "events.body:Geüpdatet",
)
SIZE, EARLIER = 40, 17  # the log, and the size of an earlier checkpoint within it


@dataclass(frozen=True)
class Event:
    position: int
    aggregate_id: UUID
    version: int
    topic: str
    recorded_at: str
    state: bytes

    def leaf_hash(self) -> bytes:
        return Leaf(
            self.position,
            self.aggregate_id,
            self.version,
            self.topic,
            self.recorded_at,
            sha256(self.state).digest(),
        ).hash()

    def line(self, leaf_hash: bytes | None = None) -> bytes:
        return event_line(
            position=self.position,
            aggregate_id=self.aggregate_id,
            aggregate_version=self.version,
            topic=self.topic,
            recorded_at=self.recorded_at,
            state=self.state,
            leaf_hash=leaf_hash,
        )


def generate(count: int, seed: int = 11) -> list[Event]:
    rng = random.Random(seed)  # noqa: S311 - test data, not cryptography
    start = datetime(2025, 3, 14, 9, tzinfo=UTC)
    events = []
    for position in range(1, count + 1):
        text = "Het college neemt dit punt over; cliënten “doen mee”. " * rng.randint(0, 3)
        state = json.dumps({"n": position, "tekst": text}, ensure_ascii=False).encode()
        if position % 7 == 0:
            state = bytes(rng.randrange(256) for _ in range(24))  # not UTF-8: sent as gegevens64
        events.append(
            Event(
                position,
                UUID(int=rng.getrandbits(128)),
                rng.randint(1, 9),
                rng.choice(TOPICS),
                format_moment(start + timedelta(microseconds=rng.getrandbits(40))),
                state,
            )
        )
    return events


EVENTS = generate(SIZE)


def signed(events: Sequence[Event], size: int, cosign: bool = False) -> str:
    checkpoint = Checkpoint(ORIGIN, size, root_of(e.leaf_hash() for e in events[:size]))
    note = sign_checkpoint(checkpoint, LOG_SIGNER)
    if cosign:
        note = cosign_checkpoint(note, AUDIT_SIGNER, log_keys=[LOG_KEY], previous=None, proof=[])
    return note


NOTE_EARLIER, NOTE_ALL = signed(EVENTS, EARLIER), signed(EVENTS, SIZE)


def stored_leaf(event: Event) -> bytes | None:
    """The leaf hash in a tree rewritten along with the event; none if it has no leaf."""
    try:
        return event.leaf_hash()
    except LeafError:
        return None


def export(
    events: Sequence[Event],
    notes: Sequence[str] = (NOTE_EARLIER, NOTE_ALL),
    leaves: Sequence[bytes | None] | None = None,
) -> list[bytes]:
    """The export of these events; `leaves` are the stored leaf hashes (default: their own)."""
    if leaves is None:
        leaves = [stored_leaf(event) for event in events]
    return [
        header_line(ORIGIN, "groningen"),
        *(checkpoint_line(note) for note in notes),
        *(event.line(leaf) for event, leaf in zip(events, leaves, strict=True)),
    ]


KEYS = [VerifierKey.parse(LOG_KEY), VerifierKey.parse(AUDIT_KEY)]
GOOD = export(EVENTS)
GOOD_LEAVES = [event.leaf_hash() for event in EVENTS]


def failure(
    lines: Sequence[bytes],
    *,
    checkpoints: Sequence[str] = (),
    keys: Sequence[VerifierKey] = KEYS,
    required: Sequence[str] = (),
    loads: Loads | None = None,
) -> VerificationError:
    with pytest.raises(VerificationError) as raised:
        verify_export(lines, checkpoints=checkpoints, keys=keys, required=required, loads=loads)
    return raised.value


FIELDS = ("position", "aggregate_id", "version", "topic", "recorded_at", "state")


def flip(event: Event, field: str, index: int, bit: int) -> Event:
    """The event with one bit of one field's stored form flipped."""
    if field in ("position", "version"):
        value = getattr(event, field) ^ 1 << (index * 8 + bit) % 64
        return dataclasses.replace(event, **{field: value})
    if field == "aggregate_id":
        raw = bytearray(event.aggregate_id.bytes)
        raw[index % 16] ^= 1 << bit
        return dataclasses.replace(event, aggregate_id=UUID(bytes=bytes(raw)))
    if field == "state":
        raw = bytearray(event.state)
        raw[index % len(raw)] ^= 1 << bit
        return dataclasses.replace(event, state=bytes(raw))
    text = getattr(event, field)
    char = index % len(text)
    changed = text[:char] + chr(ord(text[char]) ^ 1 << bit % 7) + text[char + 1 :]
    return dataclasses.replace(event, **{field: changed})


def flipped(position: int, field: str, index: int, bit: int) -> list[Event]:
    """EVENTS with one bit of one field of the event at `position` flipped (see `flip`)."""
    events = list(EVENTS)
    events[position - 1] = flip(EVENTS[position - 1], field, index, bit)
    return events


tampering = st.tuples(
    st.integers(1, SIZE), st.sampled_from(FIELDS), st.integers(0, 200), st.integers(0, 7)
)


def write(tmp_path: Path, lines: Sequence[bytes]) -> Path:
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def verify_both_ways(path: Path) -> tuple[str, str]:
    """The outcome in one process and in two workers over ranges of about 2 KiB (many)."""
    outcomes = []
    for processes in (1, 2):
        try:
            result = verify_file(path, keys=KEYS, processes=processes, chunk=2048)
        except VerificationError as error:
            outcomes.append(f"FOUT {error}")
        else:
            outcomes.append(f"OK {result.size} {result.root.hex()}")
    return outcomes[0], outcomes[1]
