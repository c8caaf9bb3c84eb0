"""Signed notes (C2SP signed-note, golang.org/x/mod/sumdb/note) with Ed25519 keys.

A note is a text ending in a newline, a blank line, and signature lines `— <key name>
<base64(4-byte key ID ‖ signature)>`. Signatures from unknown keys are kept but not trusted; a
signature from a known key that fails rejects the whole note; at least one must verify.
"""

import binascii
import hashlib
from base64 import b64decode, b64encode
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 1
KEY_SIZE = 32
SIGNATURE_PREFIX = "— "
# The spec asks verifiers to accept at least 16 signatures; Go's implementation stops at 100.
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A malformed note or key, or a note whose signatures do not hold."""


def valid_name(name: str) -> bool:
    """Key names are non-empty, without Unicode spaces and without `+`."""
    return bool(name) and "+" not in name and not any(char.isspace() for char in name)


def key_id(name: str, public_key: bytes) -> int:
    """SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] as a big-endian number."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _decode_base64(text: str) -> bytes:
    try:
        return b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"{text!r} is geen base64") from None


def _split_key(text: str, parts: int, what: str) -> list[str]:
    fields = text.split("+", parts - 1)
    if len(fields) != parts:
        raise NoteError(f"{what} heeft niet de vorm naam+hash+sleutel")
    return fields


def _parse_key_fields(name: str, hash_text: str, key_text: str, what: str) -> tuple[int, bytes]:
    if not valid_name(name):
        raise NoteError(f"{what}: ongeldige naam {name!r}")
    if len(hash_text) != 8 or any(c not in "0123456789abcdefABCDEF" for c in hash_text):
        raise NoteError(f"{what}: de sleutelhash is geen 8 hexadecimale tekens")
    key = _decode_base64(key_text)
    if len(key) != 1 + KEY_SIZE or key[0] != ED25519:
        raise NoteError(f"{what}: geen Ed25519-sleutel (type 0x01 en 32 bytes)")
    return int(hash_text, 16), key[1:]


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A public key with its name: `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`."""

    name: str
    key_id: int
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> "VerifierKey":
        name, hash_text, key_text = _split_key(text.strip(), 3, "publieke sleutel")
        expected, public_key = _parse_key_fields(name, hash_text, key_text, "publieke sleutel")
        if key_id(name, public_key) != expected:
            raise NoteError(f"publieke sleutel {name}: de sleutelhash past niet bij de sleutel")
        return cls(name, expected, public_key)

    def text(self) -> str:
        encoded = b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True, slots=True)
class SignerKey:
    """A private key: `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ Ed25519 seed)>`."""

    name: str
    key_id: int
    seed: bytes = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> "SignerKey":
        fields = _split_key(text.strip(), 5, "geheime sleutel")
        if fields[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("een geheime sleutel begint met PRIVATE+KEY+")
        name, hash_text, key_text = fields[2:]
        expected, seed = _parse_key_fields(name, hash_text, key_text, "geheime sleutel")
        key = cls(name, expected, seed)
        if key.verifier().key_id != expected:
            raise NoteError(f"geheime sleutel {key.name}: de sleutelhash past niet bij de sleutel")
        return key

    @classmethod
    def generate(cls, name: str) -> "SignerKey":
        if not valid_name(name):
            raise NoteError(f"ongeldige sleutelnaam {name!r}: geen spaties of +")
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        public_key = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
        return cls(name, key_id(name, public_key), seed)

    def text(self) -> str:
        encoded = b64encode(bytes([ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{encoded}"

    def verifier(self) -> VerifierKey:
        public_key = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        raw = public_key.public_bytes_raw()
        return VerifierKey(self.name, key_id(self.name, raw), raw)

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def generate_key(name: str) -> tuple[str, str]:
    """A new key pair as texts: (signer key, kept secret; verifier key, to publish)."""
    signer = SignerKey.generate(name)
    return signer.text(), signer.verifier().text()


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: the key's name and ID, and the base64 text exactly as it was."""

    name: str
    key_id: int
    base64: str

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {self.base64}\n"

    def signature(self) -> bytes:
        return _decode_base64(self.base64)[4:]


@dataclass(frozen=True, slots=True)
class Note:
    """A note's text (with its final newline) and its signatures, verified or not."""

    text: str
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(signature.line() for signature in self.signatures)


@dataclass(frozen=True, slots=True)
class VerifiedNote:
    """A note whose signatures by known keys all verified; `verified` is never empty."""

    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]

    def signed_by(self) -> frozenset[str]:
        return frozenset(signature.name for signature in self.verified)


def check_text(text: str) -> None:
    """A note text: non-empty, ends in one newline, UTF-8 without control characters."""
    if not text.endswith("\n") or text.endswith("\n\n") or text == "\n":
        raise NoteError("de tekst van een notitie eindigt op precies één regeleinde")
    if any(char < " " and char != "\n" for char in text):
        raise NoteError("de notitie bevat een stuurteken")


def parse_note(message: str) -> Note:
    """The text and signature lines of a note, checked for form only (no keys involved)."""
    if any(char < " " and char != "\n" for char in message):
        raise NoteError("de notitie bevat een stuurteken")
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteError("de notitie heeft geen lege regel voor de handtekeningen")
    text, block = message[: split + 1], message[split + 2 :]
    if not block.endswith("\n"):
        raise NoteError(
            "de notitie heeft geen handtekeningregel, of de laatste mist een regeleinde"
        )
    signatures = []
    for line in block[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"handtekeningregel begint niet met '— ': {line[:40]!r}")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        raw = _decode_base64(encoded)
        if not valid_name(name) or len(raw) < 5:
            raise NoteError(f"ongeldige handtekeningregel: {line[:40]!r}")
        signatures.append(Signature(name, int.from_bytes(raw[:4], "big"), encoded))
        if len(signatures) > MAX_SIGNATURES:
            raise NoteError(f"meer dan {MAX_SIGNATURES} handtekeningen")
    return Note(text, tuple(signatures))


def open_note(
    message: str, keys: Iterable[VerifierKey], required: Collection[str] = ()
) -> VerifiedNote:
    """Verify a note against known keys; `required` names keys that must have signed it.

    Raises NoteError when the note is malformed, when a known key's signature fails, when two
    different known keys share a name and ID, when no known key signed, or a required one did not.
    """
    note = parse_note(message)
    known: dict[tuple[str, int], set[VerifierKey]] = {}
    for key in keys:
        known.setdefault((key.name, key.key_id), set()).add(key)
    message_bytes = note.text.encode()
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    for signature in note.signatures:
        ident = (signature.name, signature.key_id)
        candidates = known.get(ident)
        if candidates is None:
            if signature not in unverified:
                unverified.append(signature)
            continue
        if len(candidates) > 1:
            raise NoteError(f"dubbelzinnige sleutel {signature.name}+{signature.key_id:08x}")
        if ident in seen:
            continue
        seen.add(ident)
        (key,) = candidates
        if not key.verify(message_bytes, signature.signature()):
            raise NoteError(
                f"ongeldige handtekening van sleutel {signature.name}+{signature.key_id:08x}"
            )
        verified.append(signature)
    if not verified:
        raise NoteError("de notitie draagt geen handtekening van een bekende sleutel")
    names = {signature.name for signature in verified}
    missing = sorted(set(required) - names)
    if missing:
        raise NoteError(f"geen geldige handtekening van {', '.join(missing)}")
    return VerifiedNote(note.text, tuple(verified), tuple(unverified))


def sign_note(note: Note | str, signer: SignerKey) -> str:
    """The note with the signer's signature added after the others (replacing its own, if any)."""
    if isinstance(note, str):
        note = Note(note, ())
    check_text(note.text)
    signature = signer.sign(note.text.encode())
    encoded = b64encode(signer.key_id.to_bytes(4, "big") + signature).decode()
    kept = tuple(s for s in note.signatures if (s.name, s.key_id) != (signer.name, signer.key_id))
    return Note(note.text, (*kept, Signature(signer.name, signer.key_id, encoded))).render()
