"""Signed notes: Go sumdb note vectors, key parsing, signing, opening with known keys."""

import re
from base64 import b64encode
from collections.abc import Callable

import pytest

from ledger.integrity.note import (
    Note,
    NoteError,
    Signature,
    SignerKey,
    VerifierKey,
    generate_key,
    open_note,
    parse_note,
    sign_note,
)
from tests.unit.integrity_note_support import keys

# golang.org/x/mod sumdb/note/note_test.go (TestNewVerifier, TestNewSigner, TestSign, TestOpen).
PETER_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb"
    "6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33W"
    "Wd1RvMc+QQ=\n"
)


def test_the_golden_signer_key_gives_the_golden_verifier_key() -> None:
    signer = SignerKey.parse(PETER_SIGNER)

    assert signer.verifier() == VerifierKey.parse(PETER)
    assert signer.verifier().text() == PETER
    assert (signer.name, signer.key_id) == ("PeterNeumann", 0xC74F20A3)


def test_signing_the_golden_text_gives_the_golden_note() -> None:
    assert sign_note(TEXT, SignerKey.parse(PETER_SIGNER)) == TEXT + "\n" + PETER_SIG


def test_signing_again_replaces_the_signers_earlier_signature() -> None:
    earlier = Note(TEXT, (Signature("PeterNeumann", 0xC74F20A3, "BADSIGN="),))

    assert sign_note(earlier, SignerKey.parse(PETER_SIGNER)) == TEXT + "\n" + PETER_SIG


@pytest.mark.parametrize("text", ["abc", "abc\n\n", "\n", "a\tb\n"])
def test_a_text_that_is_no_note_text_is_not_signed(text: str) -> None:
    with pytest.raises(NoteError):
        sign_note(text, SignerKey.parse(PETER_SIGNER))


def _mangled(key: str) -> list[str]:
    """Every other substring of `key`, and `key` with any one character one code point up."""
    manglings = [key[i:j] for i in range(len(key)) for j in range(i + 1, len(key) + 1)]
    manglings.remove(key)
    return manglings + [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]


def _accepted(parse: Callable[[str], object], manglings: list[str]) -> list[str]:
    """The manglings that `parse` takes without a NoteError."""
    accepted = []
    for mangled in manglings:
        try:
            parse(mangled)
        except NoteError:
            continue
        accepted.append(mangled)
    return accepted


def test_every_mangled_golden_verifier_key_is_refused() -> None:
    manglings = _mangled(PETER)
    manglings += [
        # wrong key length with an adjusted key hash; an unknown algorithm, likewise (note_test.go)
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ]

    assert _accepted(VerifierKey.parse, manglings) == []


def test_every_mangled_golden_signer_key_is_refused() -> None:
    assert _accepted(SignerKey.parse, _mangled(PETER_SIGNER)) == []


def test_a_note_signed_by_two_keys_opens_with_either_and_both() -> None:
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG

    with_peter = open_note(note, keys(PETER))
    with_both = open_note(note, keys(PETER, ENOCH))

    assert with_peter.text == TEXT
    assert [s.name for s in with_peter.verified] == ["PeterNeumann"]
    assert [s.name for s in with_peter.unverified] == ["EnochRoot"]
    assert [s.name for s in with_both.verified] == ["PeterNeumann", "EnochRoot"]
    assert with_both.unverified == ()


def test_a_note_without_a_signature_of_a_known_key_is_refused() -> None:
    with pytest.raises(NoteError, match="bekende sleutel"):
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_a_required_key_that_did_not_sign_makes_the_note_fail() -> None:
    with pytest.raises(NoteError, match="EnochRoot"):
        open_note(TEXT + "\n" + PETER_SIG, keys(PETER, ENOCH), required=["EnochRoot"])


def test_a_bad_signature_of_a_known_key_fails_the_whole_note() -> None:
    broken = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]

    with pytest.raises(
        NoteError, match=re.escape("ongeldige handtekening van sleutel PeterNeumann+c74f20a3")
    ):
        open_note(TEXT + "\n" + broken, keys(PETER))


def test_repeated_signatures_count_once_and_unknown_bad_ones_are_kept_unverified() -> None:
    enoch_abcd = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    note = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_abcd

    opened = open_note(note, keys(PETER))

    assert [s.name for s in opened.verified] == ["PeterNeumann"]
    assert [s.base64 for s in opened.unverified] == [
        ENOCH_SIG.split()[2],
        enoch_abcd.split()[2],
    ]


def test_two_different_known_keys_with_one_name_and_id_are_ambiguous() -> None:
    peter = VerifierKey.parse(PETER)
    impostor = VerifierKey(peter.name, peter.key_id, bytes(32))

    with pytest.raises(NoteError, match="dubbelzinnig"):
        open_note(TEXT + "\n" + PETER_SIG, [peter, impostor])


def test_more_than_a_hundred_signatures_is_malformed() -> None:
    with pytest.raises(NoteError, match="100"):
        parse_note(TEXT + "\n" + PETER_SIG * 101)


@pytest.mark.parametrize(
    "message",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT
        + "\n"
        + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
        "fqdngotpRZb6KE6RyyBwJnAM=",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
    ],
)
def test_malformed_golden_notes_are_refused(message: str) -> None:
    with pytest.raises(NoteError):
        open_note(message, keys(PETER))


def test_a_generated_key_pair_signs_and_verifies_and_hides_its_seed() -> None:
    signer_text, verifier_text = generate_key("rekenkamer.groningen.nl")
    signer = SignerKey.parse(signer_text)

    note = sign_note("tekst\n", signer)

    assert signer_text.startswith("PRIVATE+KEY+rekenkamer.groningen.nl+")
    assert open_note(note, keys(verifier_text)).signed_by() == {"rekenkamer.groningen.nl"}
    assert b64encode(signer.seed).decode() not in repr(signer)


@pytest.mark.parametrize("name", ["", "twee woorden", "a+b", "tab\there"])
def test_a_key_name_with_a_space_or_plus_is_refused(name: str) -> None:
    with pytest.raises(NoteError, match="sleutelnaam"):
        generate_key(name)
