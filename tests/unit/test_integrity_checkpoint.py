"""Checkpoints: C2SP checkpoints, signing and opening them, cosigning and consistency."""

import re

import pytest

from ledger.integrity.checkpoint import (
    Checkpoint,
    CheckpointError,
    check_consistency,
    cosign_checkpoint,
    open_checkpoint,
    read_checkpoint,
    sign_checkpoint,
)
from ledger.integrity.merkle import hash_leaf
from ledger.integrity.nodes import MemoryNodes, append, root
from ledger.integrity.note import SignerKey, generate_key, open_note, parse_note, sign_note
from ledger.integrity.proofs import consistency_proof
from tests.unit.integrity_note_support import keys

# C2SP tlog-checkpoint, the example at the top of the specification.
C2SP_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

ORIGIN = "adviesspoor.nl/groningen"
LOG_SIGNER, LOG_KEY = generate_key(ORIGIN)
AUDIT_SIGNER, AUDIT_KEY = generate_key("rekenkamer.groningen.nl")


def tree(size: int) -> MemoryNodes:
    nodes = MemoryNodes()
    for index in range(size):
        nodes.store(append(nodes, index, [hash_leaf(index.to_bytes(4, "big"))]))
    return nodes


TREE = tree(20)


def checkpoint(size: int, nodes: MemoryNodes = TREE) -> Checkpoint:
    return Checkpoint(ORIGIN, size, root(nodes, size))


def test_the_c2sp_example_checkpoint_parses_and_renders_identically() -> None:
    parsed = Checkpoint.parse(C2SP_BODY)

    assert (parsed.origin, parsed.size) == ("example.com/behind-the-sofa", 20852163)
    assert parsed.root_base64() == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    assert parsed.body() == C2SP_BODY


@pytest.mark.parametrize(
    "body",
    [
        "origin\n020\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n ٣\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
        "origin\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",
        "origin\n3\n",
        "\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\nextensie\n",
        "origin\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
    ],
)
def test_a_malformed_checkpoint_body_is_refused(body: str) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint.parse(body)


def test_a_signed_checkpoint_opens_with_the_logs_key_as_the_same_checkpoint() -> None:
    note = sign_checkpoint(checkpoint(13), LOG_SIGNER)

    opened, verified = open_checkpoint(note, [LOG_KEY])

    assert opened == checkpoint(13) == read_checkpoint(note)
    assert verified.signed_by() == {ORIGIN}
    assert note.startswith(f"{ORIGIN}\n13\n{checkpoint(13).root_base64()}\n\n— {ORIGIN} ")


@pytest.mark.parametrize(("old", "new"), [("\n13\n", "\n14\n"), ("=\n\n", "=\nextra\n\n")])
def test_a_signed_checkpoint_with_its_text_changed_fails(old: str, new: str) -> None:
    note = sign_checkpoint(checkpoint(13), LOG_SIGNER).replace(old, new, 1)

    with pytest.raises(CheckpointError, match="ongeldige handtekening"):
        open_checkpoint(note, [LOG_KEY])


def test_a_checkpoint_signed_by_another_key_than_the_logs_fails() -> None:
    note = sign_checkpoint(checkpoint(13), AUDIT_SIGNER)

    with pytest.raises(CheckpointError, match="bekende sleutel"):
        open_checkpoint(note, [LOG_KEY])


def cosigned(old: int = 8, new: int = 13) -> str:
    note = sign_checkpoint(checkpoint(new), LOG_SIGNER)
    return cosign_checkpoint(
        note,
        AUDIT_SIGNER,
        log_keys=[LOG_KEY],
        previous=checkpoint(old),
        proof=consistency_proof(TREE, old, new),
    )


def test_a_cosigned_checkpoint_carries_both_signatures_and_demands_them() -> None:
    note = cosigned()

    _, verified = open_checkpoint(note, [LOG_KEY, AUDIT_KEY], required=["rekenkamer.groningen.nl"])

    assert [s.name for s in verified.verified] == [ORIGIN, "rekenkamer.groningen.nl"]


def break_signature(note: str, name: str) -> str:
    lines = note.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(f"— {name} "))
    lines[index] = (
        lines[index][:-10] + ("A" if lines[index][-10] != "A" else "B") + lines[index][-9:]
    )
    return "\n".join(lines)


@pytest.mark.parametrize("name", [ORIGIN, "rekenkamer.groningen.nl"])
def test_a_cosigned_checkpoint_fails_when_either_signature_is_wrong(name: str) -> None:
    note = break_signature(cosigned(), name)

    with pytest.raises(
        CheckpointError, match=re.escape(f"ongeldige handtekening van sleutel {name}+")
    ):
        open_checkpoint(note, [LOG_KEY, AUDIT_KEY], required=["rekenkamer.groningen.nl"])


def test_cosigning_keeps_the_signatures_already_on_the_note_in_their_order() -> None:
    other_signer, other_key = generate_key("accountant.example")
    note = sign_note(parse_note(cosigned()), SignerKey.parse(other_signer))

    again = cosign_checkpoint(
        note, AUDIT_SIGNER, log_keys=[LOG_KEY], previous=checkpoint(13), proof=[]
    )

    names = [s.name for s in open_note(again, keys(LOG_KEY, AUDIT_KEY, other_key)).verified]
    assert names == [ORIGIN, "accountant.example", "rekenkamer.groningen.nl"]


def test_the_cosigner_refuses_a_checkpoint_not_signed_by_the_log() -> None:
    note = sign_checkpoint(checkpoint(13), AUDIT_SIGNER)

    with pytest.raises(CheckpointError, match="bekende sleutel"):
        cosign_checkpoint(note, AUDIT_SIGNER, log_keys=[LOG_KEY], previous=None, proof=[])


def test_the_cosigner_refuses_a_checkpoint_inconsistent_with_the_last_it_cosigned() -> None:
    # a log that rewrote leaf 9 after it published size 10
    forked = Checkpoint(ORIGIN, 13, root(tree_with_changed_leaf(9), 13))
    note = sign_checkpoint(forked, LOG_SIGNER)

    with pytest.raises(CheckpointError, match="niet consistent met grootte 10"):
        cosign_checkpoint(
            note,
            AUDIT_SIGNER,
            log_keys=[LOG_KEY],
            previous=checkpoint(10),
            proof=consistency_proof(tree_with_changed_leaf(9), 10, 13),
        )


def tree_with_changed_leaf(index: int) -> MemoryNodes:
    nodes = MemoryNodes()
    for position in range(20):
        leaf = b"changed" if position == index else position.to_bytes(4, "big")
        nodes.store(append(nodes, position, [hash_leaf(leaf)]))
    return nodes


def test_the_cosigner_refuses_a_smaller_checkpoint_or_one_of_another_log() -> None:
    other_log = Checkpoint("adviesspoor.nl/zwolle", 13, checkpoint(13).root)

    with pytest.raises(CheckpointError, match="kleiner"):
        check_consistency(checkpoint(13), checkpoint(8), [])
    with pytest.raises(CheckpointError, match="verschillende logs"):
        check_consistency(checkpoint(8), other_log, consistency_proof(TREE, 8, 13))


def test_consecutive_checkpoints_of_one_log_are_consistent() -> None:
    for old in range(21):
        for new in range(old, 21):
            check_consistency(checkpoint(old), checkpoint(new), consistency_proof(TREE, old, new))
