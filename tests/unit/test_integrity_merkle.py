"""Merkle proofs from stored nodes at any size: they verify, equal the RFC recursion, flips fail."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.integrity.nodes import root
from ledger.integrity.proofs import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from tests.unit.integrity_merkle_support import mth, random_leaves, sizes, stored_tree


# The RFC 9162 §2.1 audit path and consistency proof, recursive over all leaves like `mth`.
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


# Built once, before any example runs: proofs for every size up to 300 come from its nodes.
BIG_TREE = stored_tree(list(random_leaves(300)))


@st.composite
def index_and_size(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(sizes)
    return draw(st.integers(min_value=0, max_value=size - 1)), size


@st.composite
def size_pairs(draw: st.DrawFn) -> tuple[int, int]:
    new = draw(sizes)
    return draw(st.integers(min_value=1, max_value=new)), new


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
