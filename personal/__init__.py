"""Personal data, erasable without breaking the proof: texts sealed per data subject (AES-GCM),
the keys in a table outside the event store (personal/keys.py). Imported by the write side, which
seals and opens, and by the read side, which opens; it imports only `events`."""

from personal.envelope import (
    ERASED,
    MARK,
    MARK_BYTES,
    KeyLookup,
    Keys,
    reveal,
    revealer,
    seal,
    subject_of,
    subjects_in,
    unseal,
)
from personal.keys import ForgottenError, PersonalKeys, Subject

__all__ = [
    "ERASED",
    "MARK",
    "MARK_BYTES",
    "ForgottenError",
    "KeyLookup",
    "Keys",
    "PersonalKeys",
    "Subject",
    "reveal",
    "revealer",
    "seal",
    "subject_of",
    "subjects_in",
    "unseal",
]
