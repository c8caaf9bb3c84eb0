"""Sealed texts: one personal text encrypted for one data subject (AES-256-GCM), as a JSON string.

    "\\ue000v1.<subject>.<base64url(nonce ‖ ciphertext ‖ tag)>"

The private-use character U+E000 marks a sealed text; `subject` names whose key opens it (a body
id, or the opaque id of an actor); the associated data binds the ciphertext to its subject and to
the field it stands in (`name`, `points`, `meta.actor`), so it cannot be moved elsewhere. A sealed
text is still a JSON string: stored events keep their shape, and the Merkle leaf hashes the
stored (sealed) bytes, so destroying a key erases the text and leaves every proof intact.
"""

import base64
import os
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MARK: Final = "\ue000"
MARK_BYTES: Final = MARK.encode()
VERSION: Final = "v1"
ERASED: Final = "[verwijderd]"
KEY_SIZE: Final = 32
NONCE_SIZE: Final = 12
_SEALED: Final = re.compile(MARK + VERSION + r"\.([0-9a-z-]{1,64})\.([A-Za-z0-9_-]+)")

Keys = Mapping[str, bytes | None]
"""Key per subject; None for a subject whose key was destroyed (or is unknown)."""


@lru_cache(maxsize=1024)
def _cipher(key: bytes) -> AESGCM:
    """The AES-GCM object of a key (making one costs more than a decryption)."""
    return AESGCM(key)


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_SIZE * 8)


def _associated(subject: str, field: str) -> bytes:
    return f"adviesspoor/{VERSION}|{subject}|{field}".encode()


def seal(text: str, key: bytes, subject: str, field: str) -> str:
    """The text, encrypted for the subject, as it is stored in place of the text."""
    nonce = os.urandom(NONCE_SIZE)
    sealed = _cipher(key).encrypt(nonce, text.encode(), _associated(subject, field))
    encoded = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{MARK}{VERSION}.{subject}.{encoded}"


def subject_of(value: str) -> str | None:
    """Whose key opens this sealed text; None for a text that is not sealed."""
    found = _SEALED.fullmatch(value) if value.startswith(MARK) else None
    return found.group(1) if found else None


def unseal(value: str, keys: Keys, field: str) -> str:
    """The text behind a sealed text; `[verwijderd]` when its key is gone, and the value itself
    when it is not a sealed text."""
    found = _SEALED.fullmatch(value) if value.startswith(MARK) else None
    if found is None:
        return value
    subject, encoded = found.groups()
    key = keys.get(subject)
    if key is None:
        return ERASED
    raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    try:
        plain = _cipher(key).decrypt(
            raw[:NONCE_SIZE], raw[NONCE_SIZE:], _associated(subject, field)
        )
    except (InvalidTag, ValueError):
        return ERASED  # not sealed for this field with this key: nothing to show
    return plain.decode()


def subjects_in(value: Any, skip: frozenset[str] = frozenset()) -> set[str]:
    """Every subject whose key one of the sealed texts in this JSON value needs (not counting
    the members `skip` names of a top-level object)."""
    found: set[str] = set()

    def walk(item: Any) -> None:
        if isinstance(item, str):
            subject = subject_of(item)
            if subject is not None:
                found.add(subject)
        elif isinstance(item, dict):
            for inner in item.values():
                walk(inner)
        elif isinstance(item, list):
            for inner in item:
                walk(inner)

    if isinstance(value, dict) and skip:
        walk({name: inner for name, inner in value.items() if name not in skip})
    else:
        walk(value)
    return found


def reveal(state: dict[str, Any], keys: Keys, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The state with every sealed text opened (or `[verwijderd]`), in place, except in the
    top-level members `skip` names; the field of a text is its path of object keys
    (`meta.actor`), a list's items sharing their list's."""

    def walk(item: Any, path: str) -> Any:
        if isinstance(item, str):
            return unseal(item, keys, path) if item.startswith(MARK) else item
        if isinstance(item, dict):
            for name, inner in item.items():
                if path or name not in skip:
                    item[name] = walk(inner, f"{path}.{name}" if path else name)
            return item
        if isinstance(item, list):
            return [walk(inner, path) for inner in item]
        return item

    result: dict[str, Any] = walk(state, "")
    return result


KeyLookup = Callable[[set[str]], Keys]
"""What a reader needs of the key table: the keys of these subjects (None for forgotten ones)."""


def revealer(
    lookup: KeyLookup | None, skip: frozenset[str] = frozenset()
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function opening the sealed texts of a decoded event with the keys `lookup` gives (not
    those in the top-level members `skip` names: the views never read `meta`)."""

    def open_state(state: dict[str, Any]) -> dict[str, Any]:
        subjects = subjects_in(state, skip)
        if not subjects:
            return state
        return reveal(state, lookup(subjects) if lookup is not None else {}, skip)

    return open_state
