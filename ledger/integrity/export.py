"""The export file (JSON Lines, UTF-8): its lines as `adviesspoor export` writes them, version 2.

    {"formaat":"adviesspoor-export","versie":2,"oorsprong":"adviesspoor.nl/groningen","gemeente":"groningen"}
    {"controlepunt":"adviesspoor.nl/groningen\\n1000\\n…=\\n\\n— adviesspoor.nl/groningen …\\n"}
    {"positie":1,"aggregaat":"…","versie":1,"topic":"…","vastgelegdOp":"…Z","blad":"…","gegevens":{…}}

One header line; then zero or more checkpoint lines; then one line per event in log order. The
checkpoints come before the events so the verifier knows every size it must check while it
streams, and can name the first bad position in one pass with O(log n) memory.

Version 2 puts the stored bytes last and verbatim: `"gegevens":` followed by the stored bytes
exactly, then the line's closing `}` — when they are one JSON value in UTF-8 without a line break
(what the ledger stores), so the line stays JSON and a verifier hashes a slice of the line without
parsing or re-encoding it. Other stored bytes travel as base64 in `gegevens64`, also last.
Version 1 (still read) held them as a JSON string, `gegevens`, whose UTF-8 encoding is the bytes.
"""

import json
import re
from base64 import b64encode
from uuid import UUID

FORMAT = "adviesspoor-export"
VERSION = 2
VERSIONS = (1, 2)  # what the verifier reads
# A stored leaf hash as `bytes.hex` writes it.
LEAF_HASH_TEXT = re.compile(r"[0-9a-f]{64}")
# In version 2, what comes before the stored bytes: the first occurrence in a line is the member
# (a `"` inside a JSON string is escaped, so this cannot start inside the header's strings).
VERBATIM = b',"gegevens":'


def _json(value: dict[str, object]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _line(value: dict[str, object]) -> bytes:
    return _json(value) + b"\n"


def header_line(origin: str, municipality: str, version: int = VERSION) -> bytes:
    """The first line: what the file is, and whose log (the checkpoints' origin)."""
    return _line(
        {"formaat": FORMAT, "versie": version, "oorsprong": origin, "gemeente": municipality}
    )


def checkpoint_line(note: str) -> bytes:
    """A signed checkpoint, the note text as one JSON string."""
    return _line({"controlepunt": note})


def verbatim(state: bytes) -> bool:
    """Whether stored bytes go into a version 2 line as they are: one JSON value, UTF-8, no
    line break (a JSON value may hold whitespace, and a line break would end the line)."""
    if b"\n" in state or b"\r" in state:
        return False
    try:
        json.loads(state.decode(), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def _not_json(name: str) -> object:
    raise ValueError(f"{name} is geen JSON")


def event_line(
    *,
    position: int,
    aggregate_id: UUID,
    aggregate_version: int,
    topic: str,
    recorded_at: str,
    state: bytes,
    leaf_hash: bytes | None = None,
    version: int = VERSION,
) -> bytes:
    """One stored event with its leaf fields (`recorded_at` in the leaf's form, see leaf.py)."""
    value: dict[str, object] = {
        "positie": position,
        "aggregaat": str(aggregate_id),
        "versie": aggregate_version,
        "topic": topic,
        "vastgelegdOp": recorded_at,
    }
    if version == 1:
        try:
            value["gegevens"] = state.decode()
        except UnicodeDecodeError:
            value["gegevens64"] = b64encode(state).decode()
        if leaf_hash is not None:
            value["blad"] = leaf_hash.hex()
        return _line(value)
    if leaf_hash is not None:
        value["blad"] = leaf_hash.hex()
    if verbatim(state):
        return _json(value)[:-1] + VERBATIM + state + b"}\n"
    value["gegevens64"] = b64encode(state).decode()
    return _line(value)
