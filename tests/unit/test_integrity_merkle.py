"""The Merkle tree: RFC 6962/9162 worked examples, stored-node appends and proofs, bad proofs."""

from collections.abc import Collection, Mapping
from functools import cache
from hashlib import sha256

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.integrity.merkle import EMPTY_ROOT, hash_leaf, root_of
from ledger.integrity.nodes import (
    MemoryNodes,
    MissingNodeError,
    NodeKey,
    append,
    append_keys,
    append_nodes,
    frontier_keys,
    root,
    subtree_keys,
)
from ledger.integrity.proofs import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

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


def stored_tree(leaf_hashes: list[bytes]) -> MemoryNodes:
    nodes = MemoryNodes()
    for size, leaf_hash in enumerate(leaf_hashes):
        nodes.store(append(nodes, size, [leaf_hash]))
    return nodes


TEST_HASHES = [hash_leaf(leaf) for leaf in LEAVES]
TEST_TREE = stored_tree(TEST_HASHES)


# A reference straight from RFC 9162 §2.1, recursive over all leaves, to compare the stored-node
# proofs with.
def mth(leaf_hashes: list[bytes]) -> bytes:
    if not leaf_hashes:
        return sha256(b"").digest()
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = 1 << (len(leaf_hashes) - 1).bit_length() - 1
    return sha256(b"\x01" + mth(leaf_hashes[:k]) + mth(leaf_hashes[k:])).digest()


def path(m: int, leaf_hashes: list[bytes]) -> list[bytes]:
    n = len(leaf_hashes)
    if n == 1:
        return []
    k = 1 << (n - 1).bit_length() - 1
    if m < k:
        return [*path(m, leaf_hashes[:k]), mth(leaf_hashes[k:])]
    return [*path(m - k, leaf_hashes[k:]), mth(leaf_hashes[:k])]


def subproof(m: int, leaf_hashes: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaf_hashes)
    if m == n:
        return [] if whole else [mth(leaf_hashes)]
    k = 1 << (n - 1).bit_length() - 1
    if m <= k:
        return [*subproof(m, leaf_hashes[:k], whole), mth(leaf_hashes[k:])]
    return [*subproof(m - k, leaf_hashes[k:], False), mth(leaf_hashes[:k])]


@cache
def random_leaves(count: int) -> tuple[bytes, ...]:
    return tuple(hash_leaf(index.to_bytes(4, "big") * 3) for index in range(count))


# Built once, before any example runs: proofs for every size up to 300 come from its nodes.
BIG_TREE = stored_tree(list(random_leaves(300)))


sizes = st.integers(min_value=1, max_value=300)


@st.composite
def index_and_size(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(sizes)
    return draw(st.integers(min_value=0, max_value=size - 1)), size


@st.composite
def size_pairs(draw: st.DrawFn) -> tuple[int, int]:
    new = draw(sizes)
    return draw(st.integers(min_value=1, max_value=new)), new


class CountingReader:
    """A MemoryNodes that counts the nodes read, to see what an append costs."""

    def __init__(self, nodes: MemoryNodes) -> None:
        self.nodes = nodes
        self.read = 0

    def get_nodes(self, keys: Collection[NodeKey]) -> Mapping[NodeKey, bytes]:
        self.read += len(keys)
        return self.nodes.get_nodes(keys)


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


@given(index_and_size())
def test_every_index_has_an_inclusion_proof_that_verifies(case: tuple[int, int]) -> None:
    index, size = case
    leaves = list(random_leaves(size))

    proof = inclusion_proof(BIG_TREE, index, size)

    verify_inclusion(index, size, leaves[index], proof, mth(leaves))


@given(size_pairs())
def test_every_pair_of_sizes_has_a_consistency_proof_that_verifies(case: tuple[int, int]) -> None:
    old, new = case
    leaves = list(random_leaves(new))

    proof = consistency_proof(BIG_TREE, old, new)

    verify_consistency(old, new, mth(leaves[:old]), mth(leaves), proof)


@given(index_and_size())
def test_stored_node_inclusion_proofs_equal_the_rfc_recursion_over_all_leaves(
    case: tuple[int, int],
) -> None:
    index, size = case

    assert inclusion_proof(BIG_TREE, index, size) == path(index, list(random_leaves(size)))


@given(size_pairs())
def test_stored_node_consistency_proofs_equal_the_rfc_recursion_over_all_leaves(
    case: tuple[int, int],
) -> None:
    old, new = case

    assert consistency_proof(BIG_TREE, old, new) == subproof(old, list(random_leaves(new)), True)


@given(sizes)
def test_the_root_from_stored_nodes_is_the_rfc_root(size: int) -> None:
    assert root(BIG_TREE, size) == mth(list(random_leaves(size)))


@settings(deadline=None)  # builds two trees of up to 400 leaves per example
@given(sizes, st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=12))
def test_appending_in_batches_stores_the_same_nodes_as_one_by_one(
    start: int, batches: list[int]
) -> None:
    leaves = list(random_leaves(start + sum(batches)))
    nodes = stored_tree(leaves[:start])

    size = start
    for count in batches:
        nodes.store(append(nodes, size, leaves[size : size + count]))
        size += count

    assert nodes.nodes == stored_tree(leaves).nodes


def test_appending_reads_one_stored_node_per_leaf_on_average() -> None:
    leaves = list(random_leaves(1024))
    reader = CountingReader(MemoryNodes())
    worst = 0

    for size, leaf_hash in enumerate(leaves):
        before = reader.read
        reader.nodes.store(append(reader, size, [leaf_hash]))
        worst = max(worst, reader.read - before)

    assert reader.read == 1023  # the trailing 1 bits of 0..1023 add up to n - popcount(n)
    assert worst == 10  # appending to size 1023 = 0b1111111111 merges ten times, one node each


def test_the_new_nodes_of_an_append_are_the_leaf_and_its_completed_ancestors() -> None:
    nodes = stored_tree(list(random_leaves(7)))

    new = append(nodes, 7, [random_leaves(8)[7]])

    assert [key for key, _ in new] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert new[-1][1] == mth(list(random_leaves(8)))


def test_an_append_needs_only_the_frontier_nodes_it_merges_with() -> None:
    assert append_keys(7) == [(2, 0), (1, 2), (0, 6)]
    assert append_keys(8) == []
    assert append_keys(5, 3) == [(2, 0), (0, 4)]
    assert append_keys(5, 2) == [(0, 4)]


def test_an_append_without_the_nodes_it_merges_with_is_refused() -> None:
    with pytest.raises(MissingNodeError):
        append_nodes(3, [random_leaves(4)[3]], {})


def test_storing_a_different_hash_for_a_stored_node_is_refused() -> None:
    nodes = stored_tree(list(random_leaves(2)))

    with pytest.raises(ValueError, match="andere hash"):
        nodes.store([((0, 1), random_leaves(3)[2])])


def test_the_frontier_is_one_perfect_subtree_per_set_bit_of_the_size() -> None:
    assert frontier_keys(0) == []
    assert frontier_keys(13) == [(3, 0), (2, 2), (0, 12)]
    assert frontier_keys(16) == [(4, 0)]


def test_a_range_that_is_no_subtree_of_the_rfc_recursion_is_refused() -> None:
    with pytest.raises(ValueError, match="geen deelboom"):
        subtree_keys(2, 6)


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


def flip_one_bit(proof: list[bytes], data: st.DataObject) -> list[bytes]:
    """The proof with one bit, drawn by hypothesis, of one of its hashes flipped."""
    element = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    broken = list(proof)
    flipped = bytearray(broken[element])
    flipped[bit // 8] ^= 1 << bit % 8
    broken[element] = bytes(flipped)
    return broken


@given(index_and_size(), st.data())
def test_flipping_any_bit_of_an_inclusion_proof_is_refused(
    case: tuple[int, int], data: st.DataObject
) -> None:
    index, size = case
    leaves = list(random_leaves(size))
    proof = inclusion_proof(BIG_TREE, index, size)
    if not proof:
        return

    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaves[index], flip_one_bit(proof, data), mth(leaves))


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


@given(size_pairs(), st.data())
def test_flipping_any_bit_of_a_consistency_proof_is_refused(
    case: tuple[int, int], data: st.DataObject
) -> None:
    old, new = case
    leaves = list(random_leaves(new))
    proof = consistency_proof(BIG_TREE, old, new)
    if not proof:
        return

    with pytest.raises(ProofError):
        verify_consistency(old, new, mth(leaves[:old]), mth(leaves), flip_one_bit(proof, data))


def test_trees_of_equal_size_and_root_need_an_empty_proof() -> None:
    verify_consistency(7, 7, ROOT7, ROOT7, [])
    verify_consistency(0, 7, EMPTY_ROOT, ROOT7, [])
