"""Inclusion and consistency proofs (RFC 9162 §2.1.3, §2.1.4): made from stored nodes, and checked.

Generation lists the subtrees the RFC's PATH and SUBPROOF recursions name, reads all their stored
perfect nodes in one `get_nodes` call (O(log n) of them) and hashes each subtree from its nodes.
Verification is the RFC's algorithm word for word; it raises ProofError saying what is wrong.
"""

from collections.abc import Sequence
from hashlib import sha256

from .merkle import EMPTY_ROOT, HASH_SIZE, NODE_PREFIX, fold_right, split_point
from .nodes import NodeReader, pick, subtree_keys

Range = tuple[int, int]
"""Leaves [start, end) of one subtree named by a proof."""


class ProofError(ValueError):
    """A proof does not prove what it claims, or asks for what cannot be proven."""


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees of PATH(index, D[size]), from the leaf's sibling up to the root's child."""
    if not 0 <= index < size:
        raise ProofError(f"blad {index} ligt niet in een boom van {size} bladeren")
    ranges = []
    start, end = 0, size
    while end - start > 1:
        half = split_point(end - start)
        if index < start + half:
            ranges.append((start + half, end))
            end = start + half
        else:
            ranges.append((start, start + half))
            start += half
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """The subtrees of PROOF(old_size, D[new_size]) (SUBPROOF with b = true), in proof order."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"geen consistentiebewijs van grootte {old_size} naar {new_size}")
    ranges: list[Range] = []
    if old_size in (0, new_size):
        return ranges
    start, end, count, whole_old_tree = 0, new_size, old_size, True
    while count != end - start:
        half = split_point(end - start)
        if count <= half:
            ranges.append((start + half, end))
            end = start + half
        else:
            ranges.append((start, start + half))
            start, count, whole_old_tree = start + half, count - half, False
    if not whole_old_tree:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def _hashes(reader: NodeReader, ranges: list[Range]) -> list[bytes]:
    keys_per_range = [subtree_keys(start, end) for start, end in ranges]
    nodes = reader.get_nodes({key for keys in keys_per_range for key in keys})
    return [fold_right(pick(nodes, keys)) for keys in keys_per_range]


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """The audit path of leaf `index` (position − 1) in the tree of `size` leaves."""
    return _hashes(reader, inclusion_ranges(index, size))


def consistency_proof(reader: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of `old_size` leaves is a prefix of the tree of `new_size`."""
    return _hashes(reader, consistency_ranges(old_size, new_size))


def _check_sizes(proof: Sequence[bytes], *hashes: bytes) -> None:
    for value in (*hashes, *proof):
        if len(value) != HASH_SIZE:
            raise ProofError(f"hash van {len(value)} bytes in het bewijs, verwacht {HASH_SIZE}")


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2: leaf `index` with this hash is in the tree of `size` with this root."""
    _check_sizes(proof, leaf_hash, root)
    if not 0 <= index < size:
        raise ProofError(f"blad {index} ligt niet in een boom van {size} bladeren")
    fn, sn, node = index, size - 1, leaf_hash
    for sibling in proof:
        if sn == 0:
            raise ProofError("het opnamebewijs heeft te veel hashes")
        if fn & 1 or fn == sn:
            node = sha256(NODE_PREFIX + sibling + node).digest()
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = sha256(NODE_PREFIX + node + sibling).digest()
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("het opnamebewijs heeft te weinig hashes")
    if node != root:
        raise ProofError("het opnamebewijs leidt niet tot de wortel")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: the tree of old_size with old_root is a prefix of the newer tree."""
    _check_sizes(proof, old_root, new_root)
    if not 0 <= old_size <= new_size:
        raise ProofError(f"een boom van {new_size} kan niet volgen op een van {old_size}")
    if old_size in (0, new_size):
        if proof:
            raise ProofError("het consistentiebewijs hoort leeg te zijn")
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise ProofError("de wortel van de lege boom klopt niet")
        if old_size == new_size and old_root != new_root:
            raise ProofError("twee verschillende wortels voor dezelfde grootte")
        return
    if not proof:
        raise ProofError("het consistentiebewijs is leeg")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old_node = new_node = path[0]
    for sibling in path[1:]:
        if sn == 0:
            raise ProofError("het consistentiebewijs heeft te veel hashes")
        if fn & 1 or fn == sn:
            old_node = sha256(NODE_PREFIX + sibling + old_node).digest()
            new_node = sha256(NODE_PREFIX + sibling + new_node).digest()
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            new_node = sha256(NODE_PREFIX + new_node + sibling).digest()
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("het consistentiebewijs heeft te weinig hashes")
    if old_node != old_root:
        raise ProofError("het consistentiebewijs leidt niet tot de oude wortel")
    if new_node != new_root:
        raise ProofError("het consistentiebewijs leidt niet tot de nieuwe wortel")
