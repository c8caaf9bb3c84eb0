"""The export file (JSON Lines, UTF-8): its lines as `adviesspoor export` writes them, version 1.

    {"formaat":"adviesspoor-export","versie":1,"oorsprong":"adviesspoor.nl/groningen","gemeente":"groningen"}
    {"controlepunt":"adviesspoor.nl/groningen\\n1000\\n…=\\n\\n— adviesspoor.nl/groningen …\\n"}
    {"positie":1,"aggregaat":"…","versie":1,"topic":"…","vastgelegdOp":"…Z","gegevens":"{…}","blad":"…"}

One header line; then zero or more checkpoint lines; then one line per event in log order. The
checkpoints come before the events so the verifier knows every size it must check while it
streams, and can name the first bad position in one pass with O(log n) memory. `gegevens` holds the
stored bytes as text when they are UTF-8 (the stored JSON, readable with any JSON tool), else
`gegevens64` holds them as base64; the text's UTF-8 encoding is the stored bytes exactly.
"""

import json
import re
from base64 import b64encode
from uuid import UUID

FORMAT = "adviesspoor-export"
VERSION = 1
# A stored leaf hash as `bytes.hex` writes it.
LEAF_HASH_TEXT = re.compile(r"[0-9a-f]{64}")


def _line(value: dict[str, object]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def header_line(origin: str, municipality: str) -> bytes:
    """The first line: what the file is, and whose log (the checkpoints' origin)."""
    return _line(
        {"formaat": FORMAT, "versie": VERSION, "oorsprong": origin, "gemeente": municipality}
    )


def checkpoint_line(note: str) -> bytes:
    """A signed checkpoint, the note text as one JSON string."""
    return _line({"controlepunt": note})


def event_line(
    *,
    position: int,
    aggregate_id: UUID,
    aggregate_version: int,
    topic: str,
    recorded_at: str,
    state: bytes,
    leaf_hash: bytes | None = None,
) -> bytes:
    """One stored event with its leaf fields (`recorded_at` in the leaf's form, see leaf.py)."""
    value: dict[str, object] = {
        "positie": position,
        "aggregaat": str(aggregate_id),
        "versie": aggregate_version,
        "topic": topic,
        "vastgelegdOp": recorded_at,
    }
    try:
        value["gegevens"] = state.decode()
    except UnicodeDecodeError:
        value["gegevens64"] = b64encode(state).decode()
    if leaf_hash is not None:
        value["blad"] = leaf_hash.hex()
    return _line(value)
