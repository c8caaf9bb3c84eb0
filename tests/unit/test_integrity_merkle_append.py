"""The Merkle tree's stored nodes: what an append reads and stores, and what is refused."""

from collections.abc import Collection, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.integrity.nodes import (
    MemoryNodes,
    MissingNodeError,
    NodeKey,
    append,
    append_keys,
    append_nodes,
    frontier_keys,
    subtree_keys,
)
from tests.unit.integrity_merkle_support import mth, random_leaves, sizes, stored_tree


class CountingReader:
    """A MemoryNodes that counts the nodes read, to see what an append costs."""

    def __init__(self, nodes: MemoryNodes) -> None:
        self.nodes = nodes
        self.read = 0

    def get_nodes(self, keys: Collection[NodeKey]) -> Mapping[NodeKey, bytes]:
        self.read += len(keys)
        return self.nodes.get_nodes(keys)


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
