"""The Merkle leaf of one stored event: a canonical, versioned, byte-exact encoding (version 0x01).

    offset    size  field
    0         1     version, 0x01
    1         8     position in the log, unsigned big-endian, ≥ 1 (leaf index = position − 1)
    9         16    aggregate id, the UUID's 16 bytes in RFC 9562 order (Python's `UUID.bytes`)
    25        8     aggregate version, unsigned big-endian
    33        2     T = length of the topic in bytes, unsigned big-endian, 1 ≤ T ≤ 65535
    35        T     topic, UTF-8
    35+T      2     27, the length of the recorded moment, unsigned big-endian
    37+T      27    recorded moment, ASCII, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (RFC 3339, UTC, µs)
    64+T      32    SHA-256 of the stored event bytes exactly as stored
    96+T            end

The leaf hash is SHA-256(0x00 ‖ leaf). Hashing the stored bytes rather than their meaning keeps
encrypted or erased payloads verifiable: the digest covers whatever bytes the store holds.
"""

import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from uuid import UUID

from .merkle import HASH_SIZE, hash_leaf

LEAF_VERSION = 1
MOMENT_LENGTH = 27
MAX_TOPIC_LENGTH = 0xFFFF
MAX_UINT64 = (1 << 64) - 1
HEAD = struct.Struct(">BQ16sQ")
MOMENT_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


class LeafError(ValueError):
    """Values that have no leaf encoding, or bytes that are not a leaf."""


def format_moment(moment: datetime) -> str:
    """A timezone-aware moment as the leaf writes it: UTC, microseconds, `Z`."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise LeafError("een vastgelegd moment heeft een tijdzone nodig")
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds") + "Z"


def check_moment(moment: str) -> str:
    """The moment text if it is exactly the leaf's form and a real date and time."""
    if not MOMENT_TEXT.fullmatch(moment):
        raise LeafError(f"moment {moment!r} is niet van de vorm JJJJ-MM-DDTuu:mm:ss.ffffffZ")
    try:
        datetime.fromisoformat(moment[:-1])
    except ValueError:
        raise LeafError(f"moment {moment!r} bestaat niet") from None
    return moment


def topic_field(topic: str) -> bytes:
    """The topic with its two-byte length: the part of the leaf after the fixed head."""
    encoded = topic.encode()
    if not 0 < len(encoded) <= MAX_TOPIC_LENGTH:
        raise LeafError(f"topic van {len(encoded)} bytes, toegestaan 1 tot {MAX_TOPIC_LENGTH}")
    return len(encoded).to_bytes(2, "big") + encoded


def moment_field(moment: str) -> bytes:
    """The moment with its two-byte length (always 27)."""
    return MOMENT_LENGTH.to_bytes(2, "big") + check_moment(moment).encode("ascii")


def pack_leaf(
    position: int, aggregate_id: bytes, version: int, topic: bytes, moment: bytes, digest: bytes
) -> bytes:
    """The leaf from fields already in their byte form (topic and moment with their lengths).

    The one place that lays the bytes out; `Leaf.encode` validates first, the verifier calls this
    directly with checks of its own so that a million leaves cost no more than they must.
    """
    return HEAD.pack(LEAF_VERSION, position, aggregate_id, version) + topic + moment + digest


@dataclass(frozen=True, slots=True)
class Leaf:
    """What the tree commits to about one stored event."""

    position: int
    aggregate_id: UUID
    aggregate_version: int
    topic: str
    recorded_at: str
    event_sha256: bytes

    def __post_init__(self) -> None:
        if not 1 <= self.position <= MAX_UINT64:
            raise LeafError(f"positie {self.position} valt buiten 1 tot 2^64")
        if not 0 <= self.aggregate_version <= MAX_UINT64:
            raise LeafError(f"versie {self.aggregate_version} valt buiten 0 tot 2^64")
        if len(self.event_sha256) != HASH_SIZE:
            raise LeafError(f"SHA-256 van {len(self.event_sha256)} bytes, verwacht {HASH_SIZE}")
        topic_field(self.topic)
        check_moment(self.recorded_at)

    @classmethod
    def for_event(
        cls,
        *,
        position: int,
        aggregate_id: UUID,
        aggregate_version: int,
        topic: str,
        recorded_at: datetime,
        state: bytes,
    ) -> "Leaf":
        """The leaf of a stored event: its position, its header fields, its stored bytes."""
        return cls(
            position,
            aggregate_id,
            aggregate_version,
            topic,
            format_moment(recorded_at),
            sha256(state).digest(),
        )

    def encode(self) -> bytes:
        return pack_leaf(
            self.position,
            self.aggregate_id.bytes,
            self.aggregate_version,
            topic_field(self.topic),
            moment_field(self.recorded_at),
            self.event_sha256,
        )

    def hash(self) -> bytes:
        """SHA-256(0x00 ‖ leaf): what the tree stores at index position − 1."""
        return hash_leaf(self.encode())

    @classmethod
    def decode(cls, leaf: bytes) -> "Leaf":
        """The fields of an encoded leaf; LeafError unless the bytes are exactly one leaf."""
        if len(leaf) < HEAD.size + 2 or leaf[0] != LEAF_VERSION:
            raise LeafError("geen blad van versie 1")
        _, position, aggregate_id, version = HEAD.unpack_from(leaf)
        topic_end = HEAD.size + 2 + int.from_bytes(leaf[HEAD.size : HEAD.size + 2], "big")
        moment_end = topic_end + 2 + MOMENT_LENGTH
        if len(leaf) != moment_end + HASH_SIZE:
            raise LeafError("de lengte van het blad klopt niet bij de lengtes erin")
        if int.from_bytes(leaf[topic_end : topic_end + 2], "big") != MOMENT_LENGTH:
            raise LeafError("het moment in het blad is niet 27 bytes lang")
        try:
            topic = leaf[HEAD.size + 2 : topic_end].decode()
            moment = leaf[topic_end + 2 : moment_end].decode("ascii")
        except UnicodeDecodeError:
            raise LeafError("topic of moment is geen geldige tekst") from None
        return cls(position, UUID(bytes=aggregate_id), version, topic, moment, leaf[moment_end:])
