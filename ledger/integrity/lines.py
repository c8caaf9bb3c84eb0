"""Event lines to leaf hashes: the per-line work of the verifier, and why a line fails.

`leaf_hashes` does per line only what a check needs (export version 2 has a faster path of its
own, verbatim.py, that falls back on `line_leaf_hash` for lines of another shape); a line that
fails anything is examined again, field by field, by `diagnose`, which says in Dutch what is wrong
with it. All run in the verifier's own process or in worker processes (stream.py).
"""

import binascii
import struct
from base64 import b64decode, b64encode
from collections.abc import Callable, Sequence
from hashlib import sha256
from typing import Any

from .export import LEAF_HASH_TEXT, VERBATIM
from .leaf import HEAD, LEAF_VERSION, MAX_UINT64, MOMENT_LENGTH, LeafError, pack_leaf, topic_field
from .merkle import hash_leaf

Loads = Callable[[bytes], Any]
# What a malformed line can raise in the loop; `diagnose` then finds the reason.
LINE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, struct.error)
MOMENT_FIELD = MOMENT_LENGTH.to_bytes(2, "big")
# The leaf's fixed head (leaf.HEAD) behind the 0x00 that makes its hash a leaf hash, in one pack.
HASHED_HEAD = struct.Struct(">B" + HEAD.format.removeprefix(">"))


def json_loads(parser: str = "auto") -> Loads:
    """orjson's parser when installed ("auto"), else the standard library's.

    Parsing is the largest part of the verifier's time and orjson does it 3-4x faster; both accept
    the same export and reject the same malformed lines, so the outcome does not depend on it.
    """
    if parser != "stdlib":
        try:
            from orjson import loads
        except ImportError:
            if parser == "orjson":
                raise
        else:
            return loads
    from json import loads as stdlib_loads

    return stdlib_loads


def leaf_hashes(
    lines: Sequence[bytes],
    expected: int,
    loads: Loads,
    topics: dict[Any, bytes],
    export_version: int = 1,
) -> tuple[list[bytes], int | None]:
    """The leaf hashes of event lines holding positions expected, expected + 1, …

    Stops at the first line that fails a check and returns its index too (else None). `topics`
    caches each topic's leaf field; pass the same dict to every call.
    """
    hashes: list[bytes] = []
    append, head, hex_digits = hashes.append, HASHED_HEAD.pack, bytes.fromhex
    for index, raw in enumerate(lines):
        try:
            event, verbatim = parse_line(raw, loads, export_version)
            position = event["positie"]
            version = event["versie"]
            aggregate = hex_digits(event["aggregaat"].replace("-", ""))
            moment = event["vastgelegdOp"].encode()
            if (
                position != expected + index
                or type(position) is not int
                or type(version) is not int
                or len(aggregate) != 16
                or len(moment) != MOMENT_LENGTH
            ):
                raise ValueError
            topic = topics.get(event["topic"])
            if topic is None:
                topic = topics[event["topic"]] = topic_field(event["topic"]) + MOMENT_FIELD
            state = event_state(event, verbatim)
            leaf_hash = sha256(
                head(0, LEAF_VERSION, position, aggregate, version)
                + topic
                + moment
                + sha256(state).digest()
            ).digest()
            stored = event.get("blad")
            if stored is not None and stored != leaf_hash.hex():
                raise ValueError
        except LINE_ERRORS:
            return hashes, index
        append(leaf_hash)
    return hashes, None


def parse_line(raw: bytes, loads: Loads, version: int) -> tuple[Any, bytes | None]:
    """The members of an event line, and in version 2 the stored bytes after `"gegevens":`.

    ValueError when the line (in version 2: its part before the stored bytes) is not JSON, or a
    version 2 line is not shaped as the format says.
    """
    if version == 1:
        return loads(raw), None
    raw = raw.removesuffix(b"\n")
    cut = raw.find(VERBATIM)
    if cut < 0:
        event = loads(raw)
        if isinstance(event, dict) and "gegevens" in event:
            raise ValueError("gegevens is niet het laatste lid")
        return event, None
    if not raw.endswith(b"}"):
        raise ValueError("de regel eindigt niet op } na de gegevens")
    event = loads(raw[:cut] + b"}")
    if isinstance(event, dict) and ("gegevens" in event or "gegevens64" in event):
        raise ValueError("gegevens staat er twee keer")
    return event, raw[cut + len(VERBATIM) : -1]


def event_state(event: dict[str, Any], state: bytes | None) -> bytes:
    """The stored bytes: verbatim (version 2), or from `gegevens` / `gegevens64`."""
    if state is not None:
        return state
    text = event.get("gegevens")
    if text is not None:
        return text.encode()  # type: ignore[no-any-return]
    return b64decode(event["gegevens64"], validate=True)


def line_leaf_hash(
    raw: bytes, expected: int, loads: Loads, version: int, topics: dict[Any, bytes]
) -> bytes:
    """The leaf hash of one event line at position `expected`; one of LINE_ERRORS if it fails."""
    hashes, bad = leaf_hashes([raw], expected, loads, topics, version)
    if bad is not None:
        raise ValueError
    return hashes[0]


def _hex_bytes(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        return b""


def diagnose(raw: bytes, expected: int, loads: Loads, export_version: int = 1) -> str:
    """Why an event line failed, checked field by field in the order the format lists them."""
    try:
        event, verbatim = parse_line(raw, loads, export_version)
    except ValueError:
        if export_version == 1:
            return "geen geldige JSON-regel"
        return 'geen geldige JSON-regel (tot "gegevens": JSON, dan de opgeslagen bytes en })'
    if not isinstance(event, dict):
        return "geen JSON-object"
    if "controlepunt" in event:
        return "een controlepunt tussen de gebeurtenissen (die staan direct na de kopregel)"
    position = event.get("positie")
    if type(position) is not int:
        return "positie ontbreekt of is geen geheel getal"
    if position > expected:
        return f"ontbreekt: de regel op deze plaats heeft positie {position}"
    if position < expected:
        return f"verwacht, maar de regel heeft positie {position} (dubbel of verplaatst)"
    aggregate = event.get("aggregaat")
    if not isinstance(aggregate, str) or len(_hex_bytes(aggregate.replace("-", ""))) != 16:
        return "aggregaat is geen UUID (32 hexadecimale tekens, met of zonder streepjes)"
    version = event.get("versie")
    if type(version) is not int or not 0 <= version <= MAX_UINT64:
        return "versie is geen geheel getal van 0 tot 2^64"
    topic = event.get("topic")
    if not isinstance(topic, str):
        return "topic ontbreekt of is geen tekst"
    try:
        topic_field(topic)
    except (LeafError, UnicodeEncodeError) as error:
        return f"topic: {error}"
    moment = event.get("vastgelegdOp")
    if not isinstance(moment, str) or len(moment.encode()) != MOMENT_LENGTH:
        return "vastgelegdOp is niet van de vorm JJJJ-MM-DDTuu:mm:ss.ffffffZ (27 tekens)"
    text, encoded = event.get("gegevens"), event.get("gegevens64")
    if verbatim is not None:
        text, encoded = None, b64encode(verbatim).decode()
    if text is None and encoded is None:
        return "gegevens en gegevens64 ontbreken allebei"
    if text is not None and not isinstance(text, str):
        return "gegevens is geen tekst"
    if text is None and not isinstance(encoded, str):
        return "gegevens64 is geen tekst"
    try:
        state = text.encode() if isinstance(text, str) else b64decode(str(encoded), validate=True)
    except UnicodeEncodeError:
        return "gegevens bevat een teken dat geen UTF-8 kan zijn (een losse surrogaat)"
    except binascii.Error:
        return "gegevens64 is geen base64"
    stored = event.get("blad")
    if stored is not None and (not isinstance(stored, str) or not LEAF_HASH_TEXT.fullmatch(stored)):
        return "blad is geen bladhash (64 hexadecimale tekens, kleine letters)"
    computed = hash_leaf(
        pack_leaf(
            position,
            _hex_bytes(aggregate.replace("-", "")),
            version,
            topic_field(topic),
            MOMENT_FIELD + moment.encode(),
            sha256(state).digest(),
        )
    ).hex()
    if stored is not None and stored != computed:
        return (
            f"het blad in de export ({stored[:12]}…) is niet het blad van deze gebeurtenis "
            f"({computed[:12]}…): de gebeurtenis of haar blad is gewijzigd"
        )
    return "onleesbare regel"
