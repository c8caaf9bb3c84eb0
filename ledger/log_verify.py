"""`adviesspoor verify --database`: the live store checked as the offline verifier checks an export.

One read snapshot: every stored event's leaf is computed again from its stored row and compared
with the stored leaf hash, every stored inner node with the one the leaves give, and every stored
checkpoint (its signatures, with keys) with the root of the recomputed tree at its size. The first
thing wrong is named by position, or by the range of positions a checkpoint or node covers.
"""

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from ledger.integrity import (
    CheckpointError,
    LeafError,
    NodeKey,
    VerificationError,
    VerifierKey,
    append_nodes,
    frontier_keys,
    open_checkpoint,
    read_checkpoint,
    root,
)
from ledger.integrity.merkle import Frontier
from ledger.log_sql import LogSql, StoredCheckpoint
from ledger.tree import Progress, leaf_hash

PAGE = 2000


@dataclass(frozen=True)
class StoreVerified:
    """A store that passed: its size and root, and its checkpoints with who signed each."""

    size: int
    root: bytes
    checkpoints: tuple[tuple[int, frozenset[str]], ...]
    signatures_checked: bool


def _check_checkpoints(
    stored: Sequence[StoredCheckpoint],
    origin: str,
    keys: Sequence[VerifierKey],
    required: Sequence[str],
) -> list[tuple[int, frozenset[str]]]:
    checked = []
    for entry in stored:
        try:
            if keys:
                checkpoint, verified = open_checkpoint(entry.note, keys)
                signed_by = verified.signed_by()
            else:
                checkpoint, signed_by = read_checkpoint(entry.note), frozenset[str]()
        except CheckpointError as error:
            raise VerificationError(f"controlepunt van grootte {entry.size}: {error}") from None
        if (checkpoint.origin, checkpoint.size, checkpoint.root) != (
            origin,
            entry.size,
            entry.root,
        ):
            msg = f"controlepunt van grootte {entry.size}: de notitie zegt iets anders dan de rij"
            raise VerificationError(msg)
        checked.append((entry.size, signed_by))
    for name in required:
        if not any(name in signed_by for _, signed_by in checked):
            raise VerificationError(f"geen controlepunt draagt een geldige handtekening van {name}")
    return checked


def verify_store(
    transaction: Callable[[bool], AbstractContextManager[LogSql]],
    origin: str,
    *,
    keys: Sequence[VerifierKey] = (),
    required: Sequence[str] = (),
    progress: Progress | None = None,
) -> StoreVerified:
    """Check the whole stored log; VerificationError names the first thing wrong."""
    with transaction(False) as sql:
        stored_checkpoints = sql.checkpoints()
        checked = _check_checkpoints(stored_checkpoints, origin, keys, required)
        roots = {entry.size: entry.root for entry in stored_checkpoints}
        last, tree_size = sql.last_position(), sql.tree_size()
        frontier, nodes = Frontier(), dict[NodeKey, bytes]()
        matched = 0  # the size of the last checkpoint that held
        while frontier.size < last:
            size = frontier.size
            rows = sql.events(size, PAGE)
            stored = dict(sql.leaf_hashes(size, PAGE))
            hashes = []
            for offset, row in enumerate(rows):
                position = size + 1 + offset
                if row.position != position:
                    raise VerificationError("ontbreekt in de log", position=position)
                try:
                    computed = leaf_hash(row)
                except LeafError as error:
                    raise VerificationError(str(error), position=position) from None
                if position not in stored:
                    raise VerificationError("de gebeurtenis heeft geen blad", position=position)
                if stored[position] != computed:
                    raise VerificationError(
                        "de opgeslagen gebeurtenis past niet bij haar blad (gewijzigd?)",
                        position=position,
                    )
                hashes.append(computed)
                frontier.push(computed)
                expected = roots.get(frontier.size)
                if expected is not None:
                    if frontier.root() != expected:
                        raise VerificationError(
                            f"de log past niet bij het controlepunt van grootte {frontier.size}",
                            position=matched + 1,
                            last=frontier.size,
                        )
                    matched = frontier.size
            new_nodes = append_nodes(size, hashes, nodes)
            _compare_nodes(sql, new_nodes)
            nodes.update(new_nodes)
            nodes = {key: nodes[key] for key in frontier_keys(frontier.size)}
            if progress is not None:
                progress(frontier.size, last)
        size = frontier.size
        if tree_size != size:
            msg = f"de Merkle-boom heeft {tree_size} bladen, de log {size} gebeurtenissen"
            raise VerificationError(msg, position=min(tree_size, size) + 1)
        beyond = [entry for entry in stored_checkpoints if entry.size > size]
        if beyond:
            raise VerificationError(
                f"de log houdt op voor het controlepunt van grootte {beyond[0].size}",
                position=size + 1,
                last=beyond[0].size,
            )
        computed_root = frontier.root()
        if root(sql, size) != computed_root:
            raise VerificationError("de wortel uit de opgeslagen knopen klopt niet")
    return StoreVerified(size, computed_root, tuple(checked), bool(keys))


def _compare_nodes(sql: LogSql, computed: list[tuple[NodeKey, bytes]]) -> None:
    """Every stored inner node the page completed must be the one its leaves give (read by
    ranges of the key, one query per level)."""
    inner = [(key, value) for key, value in computed if key[0] > 0]
    by_level: dict[int, list[int]] = {}
    for (level, index), _ in inner:
        by_level.setdefault(level, []).append(index)
    stored: dict[NodeKey, bytes] = {}
    for level, indexes in by_level.items():
        stored.update(sql.nodes_between(level, min(indexes), max(indexes) + 1))
    for (level, index), value in inner:
        if stored.get((level, index)) != value:
            first, span = index << level, 1 << level
            what = "ontbreekt" if (level, index) not in stored else "klopt niet"
            raise VerificationError(
                f"knoop ({level}, {index}) van de Merkle-boom {what}",
                position=first + 1,
                last=first + span,
            )
