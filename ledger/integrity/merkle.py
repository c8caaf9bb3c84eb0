"""The RFC 9162 (RFC 6962) Merkle tree hash: leaves, inner nodes, and a root grown leaf by leaf."""

from collections.abc import Iterable
from hashlib import sha256
from itertools import pairwise

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
# MTH({}) = SHA-256() (RFC 9162 §2.1.1): the root of the empty tree.
EMPTY_ROOT = sha256(b"").digest()


def hash_leaf(leaf: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 ‖ d)."""
    return sha256(LEAF_PREFIX + leaf).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right): the hash of an inner node."""
    return sha256(NODE_PREFIX + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than size (size ≥ 2): where RFC 9162 splits D[size]."""
    return 1 << ((size - 1).bit_length() - 1)


def fold_right(hashes: list[bytes]) -> bytes:
    """Hash of perfect subtrees listed left to right with strictly decreasing sizes.

    A tree of any size is its perfect subtrees, one per set bit of the size, largest first; the
    RFC's split at the largest power of two makes its root H(p1, H(p2, … H(pk-1, pk))).
    """
    node = hashes[-1]
    for left in reversed(hashes[:-1]):
        node = sha256(NODE_PREFIX + left + node).digest()
    return node


class Frontier:
    """The root of a growing tree in O(log n) memory: the perfect subtrees of the current size.

    `push` merges equal-sized neighbours like a binary counter carries: one hash per leaf on
    average, at most log2(n) for one leaf.
    """

    __slots__ = ("size", "stack")

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[bytes] = []

    def push(self, leaf_hash: bytes) -> None:
        stack = self.stack
        stack.append(leaf_hash)
        self.size = size = self.size + 1
        while not size & 1:
            right = stack.pop()
            stack[-1] = sha256(NODE_PREFIX + stack[-1] + right).digest()
            size >>= 1

    def root(self) -> bytes:
        return fold_right(self.stack) if self.stack else EMPTY_ROOT


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH of the leaves whose hashes are given, in order."""
    frontier = Frontier()
    for leaf_hash in leaf_hashes:
        frontier.push(leaf_hash)
    return frontier.root()


def perfect_root(hashes: list[bytes]) -> bytes:
    """MTH of 2^k leaf hashes (k ≥ 0), a level at a time: one list of nodes per level."""
    level = hashes
    while len(level) > 1:
        level = [
            sha256(NODE_PREFIX + left + right).digest()
            for left, right in zip(level[::2], level[1::2], strict=True)
        ]
    return level[0]


def perfect_subtrees(start: int, end: int, cuts: Iterable[int] = ()) -> list[tuple[int, int]]:
    """Leaves [start, end) as perfect subtrees, left to right: (first leaf, level) each.

    Each is as large as its place allows: aligned (its first leaf a multiple of its size), within
    the range, and never across a cut (a tree size whose root is needed on its own).
    """
    bounds = sorted({start, end, *(cut for cut in cuts if start < cut < end)})
    subtrees = []
    for low, high in pairwise(bounds):
        while low < high:
            level = (low & -low).bit_length() - 1 if low else 63
            while 1 << level > high - low:
                level -= 1
            subtrees.append((low, level))
            low += 1 << level
    return subtrees


def subtree_nodes(
    first: int, hashes: list[bytes], cuts: Iterable[int] = ()
) -> list[tuple[int, bytes]]:
    """The leaf hashes of leaves first, first + 1, … as (level, hash) of `perfect_subtrees`."""
    return [
        (level, perfect_root(hashes[low - first : low - first + (1 << level)]))
        for low, level in perfect_subtrees(first, first + len(hashes), cuts)
    ]
