"""Stored perfect subtrees: what a log keeps so that appends and proofs never read the whole tree.

Node (level, index) is the hash of the 2^level leaves [index·2^level, (index+1)·2^level); it is
written once, when its last leaf arrives, and never changes (a later SQL table `merkle_nodes(level,
idx, hash)`). A tree of n leaves is about 2n nodes. Every subtree the RFC 9162 recursion visits is
aligned at a multiple of a power of two at least its size, so it is its perfect subtrees, one per
set bit of its size, largest first: O(log n) stored nodes, hashed together by `fold_right`.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol

from .merkle import EMPTY_ROOT, HASH_SIZE, fold_right, hash_children

NodeKey = tuple[int, int]
"""(level, index) of a perfect subtree."""


class MissingNodeError(LookupError):
    """A node the computation needs is not stored: the store is behind or damaged."""


class NodeReader(Protocol):
    """Where the stored perfect subtrees are read from (a table, a dict)."""

    def get_nodes(self, keys: Collection[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The hashes of the given nodes; raises MissingNodeError for a node not stored."""
        ...


class MemoryNodes:
    """A NodeReader held in a dict, for tests and for computing nodes without a database."""

    def __init__(self) -> None:
        self.nodes: dict[NodeKey, bytes] = {}

    def get_nodes(self, keys: Collection[NodeKey]) -> Mapping[NodeKey, bytes]:
        try:
            return {key: self.nodes[key] for key in keys}
        except KeyError as missing:
            raise MissingNodeError(f"knoop {missing.args[0]} is niet opgeslagen") from None

    def store(self, nodes: Iterable[tuple[NodeKey, bytes]]) -> None:
        for key, value in nodes:
            if self.nodes.setdefault(key, value) != value:
                raise ValueError(f"knoop {key} bestaat al met een andere hash")


def subtree_keys(start: int, end: int) -> list[NodeKey]:
    """The perfect subtrees of leaves [start, end), largest first, for an aligned range.

    Aligned means start is a multiple of the smallest power of two ≥ end − start: true of every
    subtree in RFC 9162's recursion (its ranges start at 0 or at a split point of a larger one).
    """
    size = end - start
    if start < 0 or size < 1 or start % (1 << (size - 1).bit_length()):
        raise ValueError(f"[{start}, {end}) is geen deelboom van de boom")
    keys = []
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


def frontier_keys(size: int) -> list[NodeKey]:
    """The perfect subtrees of a tree of `size` leaves: all its root needs (none for size 0)."""
    return subtree_keys(0, size) if size else []


def pick(nodes: Mapping[NodeKey, bytes], keys: Iterable[NodeKey]) -> list[bytes]:
    """The hashes of the keys, in order; MissingNodeError names the first one absent."""
    try:
        return [nodes[key] for key in keys]
    except KeyError as missing:
        raise MissingNodeError(f"knoop {missing.args[0]} is niet opgeslagen") from None


def subtree_hash(start: int, end: int, nodes: Mapping[NodeKey, bytes]) -> bytes:
    """MTH(D[start:end]) of an aligned range, from the stored nodes it is made of."""
    return fold_right(pick(nodes, subtree_keys(start, end)))


def root_from_nodes(size: int, nodes: Mapping[NodeKey, bytes]) -> bytes:
    """The root of the tree of `size` leaves, given (at least) its frontier nodes."""
    return subtree_hash(0, size, nodes) if size else EMPTY_ROOT


def root(reader: NodeReader, size: int) -> bytes:
    """The root of the tree of `size` leaves: one read of O(log n) stored nodes."""
    return root_from_nodes(size, reader.get_nodes(frontier_keys(size)))


def append_keys(size: int, count: int = 1) -> list[NodeKey]:
    """The stored nodes that appending `count` leaves to a tree of `size` leaves merges with.

    These are the frontier nodes whose parent is complete after the append; every frontier node is
    a left child. For one leaf they are the trailing 1 bits of size: on average one node.
    """
    end = size + count
    return [
        (level, index)
        for level, index in frontier_keys(size)
        if ((index >> 1) + 1) << (level + 1) <= end
    ]


def append_nodes(
    size: int, leaf_hashes: Sequence[bytes], nodes: Mapping[NodeKey, bytes]
) -> list[tuple[NodeKey, bytes]]:
    """The new perfect subtrees to store when the leaves are appended to a tree of `size`.

    `nodes` must hold at least `append_keys(size, len(leaf_hashes))`. One leaf gives 1 + (trailing
    1 bits of size) nodes: amortised two, at most log2(n) + 1.
    """
    new: list[tuple[NodeKey, bytes]] = []
    keys = append_keys(size, len(leaf_hashes))
    lefts = dict(zip(keys, pick(nodes, keys), strict=True))
    for offset, leaf_hash in enumerate(leaf_hashes):
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"bladhash van {len(leaf_hash)} bytes, verwacht {HASH_SIZE}")
        level, index, node = 0, size + offset, leaf_hash
        new.append(((level, index), node))
        while index & 1:
            node = hash_children(lefts.pop((level, index - 1)), node)
            level, index = level + 1, index >> 1
            new.append(((level, index), node))
        lefts[(level, index)] = node
    return new


def append(
    reader: NodeReader, size: int, leaf_hashes: Sequence[bytes]
) -> list[tuple[NodeKey, bytes]]:
    """Read what an append merges with (O(log n) at worst, one read) and return the new nodes."""
    return append_nodes(size, leaf_hashes, reader.get_nodes(append_keys(size, len(leaf_hashes))))
