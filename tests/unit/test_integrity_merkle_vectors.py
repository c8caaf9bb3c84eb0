"""The Merkle tree: RFC 6962/9162 worked examples from stored nodes, malformed proofs refused."""

from hashlib import sha256

import pytest

from ledger.integrity.merkle import EMPTY_ROOT, hash_leaf, root_of
from ledger.integrity.nodes import MemoryNodes, MissingNodeError, root
from ledger.integrity.proofs import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from tests.unit.integrity_merkle_support import stored_tree

# The certificate-transparency test leaves and published roots of sizes 1..8, and the proofs below:
# transparency-dev/merkle proof/verify_test.go (`leaves`, `roots`, `inclusionProofs`,
# `consistencyProofs`), the same vectors as google/certificate-transparency-go
# merkletree/merkle_verifier_test.go.
LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size) -> audit path; the source lists the leaf 1-based.
PUBLISHED_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
PUBLISHED_CONSISTENCY = {
    (1, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
    (6, 7): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
# The 7-leaf tree of RFC 6962 §2.1.3 (leaves a..g = d0..d6 = the first seven leaves above):
#            root
#          k       l          k = hash(g, h), l = hash(i, j)
#        g   h   i   j        g = hash(a, b), h = hash(c, d), i = hash(e, f)
#       a b c d e f  (j = leaf 6)
# Which nodes each proof holds is transparency-dev/merkle proof/proof_test.go (TestInclusion,
# TestConsistency: "b h j i" with j, i rehashed to l, and so on). a, b, e, j, g, h, i, k are
# published hashes above; c, d, f and l were computed with hashlib straight from the definitions,
# SHA-256(0x00 ‖ leaf) and SHA-256(0x01 ‖ i ‖ j), independently of ledger.integrity.
NODE = {
    "a": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "b": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "c": "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "d": "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "e": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "f": "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "j": "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "g": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "h": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "i": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "k": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "l": "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e",
}
SEVEN_INCLUSION = {0: "bhl", 1: "ahl", 2: "dgl", 3: "cgl", 4: "fjk", 5: "ejk", 6: "ik"}
SEVEN_CONSISTENCY = {1: "bhl", 3: "cdgl", 4: "l", 5: "efjk", 6: "ijk"}


def hashes(texts: list[str]) -> list[bytes]:
    return [bytes.fromhex(text) for text in texts]


TEST_HASHES = [hash_leaf(leaf) for leaf in LEAVES]
TEST_TREE = stored_tree(TEST_HASHES)


def test_the_roots_of_the_ct_test_leaves_are_the_published_ones() -> None:
    assert [root_of(TEST_HASHES[:size]).hex() for size in range(1, 9)] == ROOTS


def test_the_roots_from_stored_nodes_are_the_published_ones() -> None:
    assert [root(TEST_TREE, size).hex() for size in range(1, 9)] == ROOTS


def test_the_empty_tree_has_the_hash_of_nothing_as_root() -> None:
    assert root(MemoryNodes(), 0) == root_of([]) == EMPTY_ROOT == sha256(b"").digest()


@pytest.mark.parametrize(("index", "size"), sorted(PUBLISHED_INCLUSION))
def test_inclusion_proofs_from_stored_nodes_are_the_published_ones(index: int, size: int) -> None:
    proof = inclusion_proof(TEST_TREE, index, size)

    assert proof == hashes(PUBLISHED_INCLUSION[(index, size)])
    verify_inclusion(index, size, TEST_HASHES[index], proof, bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new"), sorted(PUBLISHED_CONSISTENCY))
def test_consistency_proofs_from_stored_nodes_are_the_published_ones(old: int, new: int) -> None:
    proof = consistency_proof(TEST_TREE, old, new)

    assert proof == hashes(PUBLISHED_CONSISTENCY[(old, new)])
    verify_consistency(
        old, new, bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1]), proof
    )


@pytest.mark.parametrize("index", sorted(SEVEN_INCLUSION))
def test_every_leaf_of_the_seven_leaf_tree_has_the_rfc_audit_path(index: int) -> None:
    proof = inclusion_proof(TEST_TREE, index, 7)

    assert proof == hashes([NODE[name] for name in SEVEN_INCLUSION[index]])
    verify_inclusion(index, 7, TEST_HASHES[index], proof, bytes.fromhex(ROOTS[6]))


@pytest.mark.parametrize("old", sorted(SEVEN_CONSISTENCY))
def test_every_smaller_tree_has_the_rfc_consistency_proof_to_seven(old: int) -> None:
    proof = consistency_proof(TEST_TREE, old, 7)

    assert proof == hashes([NODE[name] for name in SEVEN_CONSISTENCY[old]])
    verify_consistency(old, 7, bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[6]), proof)


def test_a_proof_for_a_size_beyond_the_stored_tree_is_refused() -> None:
    with pytest.raises(MissingNodeError):
        inclusion_proof(TEST_TREE, 3, 9)


ROOT7 = bytes.fromhex(ROOTS[6])
PROOF_3_OF_7 = hashes([NODE[name] for name in SEVEN_INCLUSION[3]])
SOME_HASH = sha256(b"iets anders").digest()


@pytest.mark.parametrize(
    ("index", "size", "proof", "reason"),
    [
        (3, 7, [*PROOF_3_OF_7, SOME_HASH], "te veel"),
        (3, 7, [*PROOF_3_OF_7, ROOT7], "te veel"),
        (3, 7, PROOF_3_OF_7[:-1], "te weinig"),
        (3, 7, [], "te weinig"),
        (2, 7, PROOF_3_OF_7, "wortel"),
        (4, 7, PROOF_3_OF_7, "wortel"),
        (7, 7, PROOF_3_OF_7, "ligt niet"),
        (9, 7, PROOF_3_OF_7, "ligt niet"),
        (-1, 7, PROOF_3_OF_7, "ligt niet"),
        (3, 14, PROOF_3_OF_7, "te weinig"),
        (3, 4, PROOF_3_OF_7, "te veel"),
        (3, 7, [SOME_HASH, *PROOF_3_OF_7[1:]], "wortel"),
        (3, 7, [PROOF_3_OF_7[0][:31], *PROOF_3_OF_7[1:]], "bytes"),
    ],
)
def test_a_malformed_inclusion_proof_is_refused(
    index: int, size: int, proof: list[bytes], reason: str
) -> None:
    verify_inclusion(3, 7, TEST_HASHES[3], PROOF_3_OF_7, ROOT7)

    with pytest.raises(ProofError, match=reason):
        verify_inclusion(index, size, TEST_HASHES[3], proof, ROOT7)


def test_an_inclusion_proof_of_another_leaf_hash_is_refused() -> None:
    with pytest.raises(ProofError, match="wortel"):
        verify_inclusion(3, 7, TEST_HASHES[2], PROOF_3_OF_7, ROOT7)


ROOT5 = bytes.fromhex(ROOTS[4])
PROOF_5_TO_7 = hashes([NODE[name] for name in SEVEN_CONSISTENCY[5]])


@pytest.mark.parametrize(
    ("old", "new", "old_root", "new_root", "proof", "reason"),
    [
        (5, 7, ROOT5, ROOT7, [*PROOF_5_TO_7, SOME_HASH], "te veel"),
        (5, 7, ROOT5, ROOT7, PROOF_5_TO_7[:-1], "te weinig"),
        (5, 7, ROOT5, ROOT7, [], "leeg"),
        (5, 7, ROOT7, ROOT5, PROOF_5_TO_7, "oude wortel"),
        (5, 7, ROOT5, SOME_HASH, PROOF_5_TO_7, "nieuwe wortel"),
        (4, 7, ROOT5, ROOT7, PROOF_5_TO_7, "te veel"),
        (6, 7, ROOT5, ROOT7, PROOF_5_TO_7, "te veel"),
        (5, 14, ROOT5, ROOT7, PROOF_5_TO_7, "te weinig"),
        (7, 5, ROOT7, ROOT5, PROOF_5_TO_7, "kan niet volgen"),
        (7, 7, ROOT7, ROOT7, PROOF_5_TO_7, "leeg te zijn"),
        (7, 7, ROOT7, ROOT5, [], "verschillende wortels"),
        (0, 7, ROOT5, ROOT7, [], "lege boom"),
        (5, 7, ROOT5, ROOT7, [PROOF_5_TO_7[0], *PROOF_5_TO_7], "te veel"),
    ],
)
def test_a_malformed_consistency_proof_is_refused(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes], reason: str
) -> None:
    verify_consistency(5, 7, ROOT5, ROOT7, PROOF_5_TO_7)

    with pytest.raises(ProofError, match=reason):
        verify_consistency(old, new, old_root, new_root, proof)


def test_trees_of_equal_size_and_root_need_an_empty_proof() -> None:
    verify_consistency(7, 7, ROOT7, ROOT7, [])
    verify_consistency(0, 7, EMPTY_ROOT, ROOT7, [])
