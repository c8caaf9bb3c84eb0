"""Leaf hashes of export version 2 lines, straight from the bytes of the file.

A version 2 line carries the stored bytes verbatim after `"gegevens":`, so its leaf needs no JSON
parse: one regular expression reads the header members in the order the exporter writes them,
in the form it writes them (a plain-ASCII topic, the moment as `YYYY-MM-DDTHH:MM:SS.ffffffZ`),
and the stored bytes are hashed where they lie in the buffer. A line of any other shape (a topic
with escapes, members in another order, `gegevens64`, no `blad`) goes through the general path,
`lines.line_leaf_hash`, which parses it; both give the same leaf or refuse the same line.
"""

import re
import struct
from binascii import unhexlify
from hashlib import sha256
from typing import Any

from .leaf import HEAD, LEAF_VERSION
from .lines import LINE_ERRORS, MOMENT_FIELD, Loads, line_leaf_hash

EVENT_HEAD = re.compile(
    rb'\{"positie":([1-9][0-9]{0,19}),"aggregaat":"(.{36})","versie":(0|[1-9][0-9]{0,19}),'
    rb'"topic":"([\x20\x21\x23-\x5b\x5d-\x7e]{1,65535})",'
    rb'"vastgelegdOp":"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)",'
    rb'"blad":"(.{64})","gegevens":',
    re.S,
)
# 0x00 (a leaf hash) and the leaf's fixed head (leaf.HEAD), in one pack.
HASHED_HEAD = struct.Struct(">B" + HEAD.format.removeprefix(">"))
CLOSE = ord("}")
FAST_ERRORS = (AttributeError, ValueError, struct.error)  # binascii.Error is a ValueError


def verbatim_leaf_hashes(
    buffer: bytes, stop: int, expected: int, loads: Loads, topics: dict[Any, bytes]
) -> tuple[list[bytes], bytes | None]:
    """The leaf hashes of the lines in buffer[:stop] (each ending in a newline), holding positions
    expected, expected + 1, …; stops at the first line that fails a check and returns it too."""
    hashes: list[bytes] = []
    stored: list[bytes] = []  # the lines' `blad`, compared all at once at the end
    append, keep = hashes.append, stored.append
    find, match, head, view = buffer.find, EVENT_HEAD.match, HASHED_HEAD.pack, memoryview(buffer)
    start, position, bad = 0, expected, None
    while start < stop:
        end = find(b"\n", start, stop)
        if end < 0:
            end = stop
        found = match(buffer, start, end)
        try:
            text, aggregate_text, version, topic, moment, leaf_text = found.groups()  # type: ignore[union-attr]
            aggregate = unhexlify(aggregate_text.replace(b"-", b""))
            if int(text) != position or len(aggregate) != 16 or buffer[end - 1] != CLOSE:
                raise ValueError
            field = topics.get(topic)
            if field is None:
                field = topics[topic] = len(topic).to_bytes(2, "big") + topic + MOMENT_FIELD
            leaf = head(0, LEAF_VERSION, position, aggregate, int(version)) + field + moment
            digest = sha256(view[found.end() : end - 1]).digest()  # type: ignore[union-attr]
            append(sha256(leaf + digest).digest())
        except FAST_ERRORS:
            line = buffer[start:end]
            try:
                leaf_hash = line_leaf_hash(line, position, loads, 2, topics)
            except LINE_ERRORS:
                bad = line
                break
            append(leaf_hash)
            leaf_text = leaf_hash.hex().encode()
        keep(leaf_text)
        position, start = position + 1, end + 1
    if b"".join(stored) != b"".join(hashes).hex().encode():
        first = next(
            index
            for index, (leaf_hash, text) in enumerate(zip(hashes, stored, strict=True))
            if leaf_hash.hex().encode() != text
        )
        del hashes[first:]
        bad = buffer[:stop].split(b"\n")[first]
    return hashes, bad
