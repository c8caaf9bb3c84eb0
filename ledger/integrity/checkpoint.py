"""Checkpoints (C2SP tlog-checkpoint): the log's size and root in a signed note, and cosigning.

adviesspoor.nl/groningen        origin: the log of one municipality
1000                            tree size, decimal, no leading zeroes
kAD2s4MnsNKnH+gn5T5hOV2Rvm1QbtR5sSVgdCRj6Zg=    base64 of the RFC 9162 root

— adviesspoor.nl/groningen <base64(key ID ‖ Ed25519 signature)>
— rekenkamer.groningen.nl <base64(key ID ‖ Ed25519 signature)>
"""

import binascii
from base64 import b64decode, b64encode
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from .merkle import HASH_SIZE
from .note import (
    NoteError,
    SignerKey,
    VerifiedNote,
    VerifierKey,
    open_note,
    parse_note,
    sign_note,
)
from .proofs import ProofError, verify_consistency


class CheckpointError(ValueError):
    """A checkpoint that is malformed, unsigned, or inconsistent with an earlier one."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The head of the log at one size: what a signature on it vouches for."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or any(c < " " for c in self.origin):
            raise CheckpointError("de oorsprong van een controlepunt is één niet-lege regel")
        if self.size < 0:
            raise CheckpointError(f"negatieve boomgrootte {self.size}")
        if len(self.root) != HASH_SIZE:
            raise CheckpointError(f"wortel van {len(self.root)} bytes, verwacht {HASH_SIZE}")
        for line in self.extensions:
            if not line or any(c < " " for c in line):
                raise CheckpointError("een extensieregel is één niet-lege regel")

    def body(self) -> str:
        """The note text: origin, size, base64 root, extension lines; each ends in a newline."""
        lines = [self.origin, str(self.size), b64encode(self.root).decode(), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        """A checkpoint from its note text (without signatures)."""
        if not text.endswith("\n"):
            raise CheckpointError("de tekst van een controlepunt eindigt op een regeleinde")
        lines = text[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise CheckpointError("een controlepunt heeft minstens drie niet-lege regels")
        origin, size_text, root_text, *extensions = lines
        if not size_text.isascii() or not size_text.isdigit() or size_text != str(int(size_text)):
            raise CheckpointError(f"boomgrootte {size_text!r} is geen getal zonder voorloopnul")
        try:
            root = b64decode(root_text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise CheckpointError(f"wortel {root_text!r} is geen base64") from None
        return cls(origin, int(size_text), root, tuple(extensions))

    def root_base64(self) -> str:
        return b64encode(self.root).decode()


def _keys(keys: Iterable[VerifierKey | str]) -> list[VerifierKey]:
    return [key if isinstance(key, VerifierKey) else VerifierKey.parse(key) for key in keys]


def _signer(key: SignerKey | str) -> SignerKey:
    return key if isinstance(key, SignerKey) else SignerKey.parse(key)


def sign_checkpoint(checkpoint: Checkpoint, key: SignerKey | str) -> str:
    """The checkpoint as a note signed by the log's key (whose name should be the origin)."""
    return sign_note(checkpoint.body(), _signer(key))


def read_checkpoint(note: str) -> Checkpoint:
    """The checkpoint in a note, signatures not checked: for display, or before keys are known."""
    try:
        return Checkpoint.parse(parse_note(note).text)
    except NoteError as error:
        raise CheckpointError(str(error)) from None


def open_checkpoint(
    note: str, keys: Iterable[VerifierKey | str], required: Collection[str] = ()
) -> tuple[Checkpoint, VerifiedNote]:
    """The checkpoint in a note that known keys signed (all `required` key names among them)."""
    try:
        verified = open_note(note, _keys(keys), required)
    except NoteError as error:
        raise CheckpointError(str(error)) from None
    return Checkpoint.parse(verified.text), verified


def check_consistency(old: Checkpoint, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """The newer checkpoint's tree extends the older one's: same log, not smaller, proof holds."""
    if old.origin != new.origin:
        raise CheckpointError(f"controlepunten van verschillende logs: {old.origin}, {new.origin}")
    if new.size < old.size:
        raise CheckpointError(f"het nieuwe controlepunt ({new.size}) is kleiner dan {old.size}")
    try:
        verify_consistency(old.size, new.size, old.root, new.root, proof)
    except ProofError as error:
        raise CheckpointError(f"niet consistent met grootte {old.size}: {error}") from None


def cosign_checkpoint(
    note: str,
    key: SignerKey | str,
    *,
    log_keys: Iterable[VerifierKey | str],
    previous: Checkpoint | None,
    proof: Sequence[bytes],
) -> str:
    """The note with the cosigner's signature added, after checking what it signs.

    The note must carry a valid signature of one of the log's keys; `previous` is the last
    checkpoint this cosigner signed (None the first time) and `proof` the consistency proof from
    it to this one. Signatures already on the note stay, in their order; the cosigner's comes last.
    """
    checkpoint, _ = open_checkpoint(note, log_keys)
    if previous is not None:
        check_consistency(previous, checkpoint, proof)
    return sign_note(parse_note(note), _signer(key))
