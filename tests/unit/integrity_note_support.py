"""Helpers shared by the tests of signed notes and of checkpoints: verifier keys from text."""

from ledger.integrity.note import VerifierKey


def keys(*texts: str) -> list[VerifierKey]:
    return [VerifierKey.parse(text) for text in texts]
