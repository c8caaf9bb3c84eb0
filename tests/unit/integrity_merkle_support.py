"""Merkle test references: trees of stored nodes, the RFC 9162 root, random leaves and sizes."""

from functools import cache
from hashlib import sha256

from hypothesis import strategies as st

from ledger.integrity.merkle import hash_leaf
from ledger.integrity.nodes import MemoryNodes, append


def stored_tree(leaf_hashes: list[bytes]) -> MemoryNodes:
    nodes = MemoryNodes()
    for size, leaf_hash in enumerate(leaf_hashes):
        nodes.store(append(nodes, size, [leaf_hash]))
    return nodes


# A reference straight from RFC 9162 §2.1, recursive over all leaves, to compare the stored-node
# proofs with.
def mth(leaf_hashes: list[bytes]) -> bytes:
    if not leaf_hashes:
        return sha256(b"").digest()
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = 1 << (len(leaf_hashes) - 1).bit_length() - 1
    return sha256(b"\x01" + mth(leaf_hashes[:k]) + mth(leaf_hashes[k:])).digest()


@cache
def random_leaves(count: int) -> tuple[bytes, ...]:
    return tuple(hash_leaf(index.to_bytes(4, "big") * 3) for index in range(count))


sizes = st.integers(min_value=1, max_value=300)
