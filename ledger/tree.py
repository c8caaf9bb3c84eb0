"""The log's Merkle tree in the store: leaves appended in the events' own transaction.

`append_leaves` is a function of the events being inserted in one transaction, in position order:
it computes their leaves (ledger/integrity/leaf.py, version 1: the recorded moment is the event
state's `timestamp`), reads the O(log n) stored nodes the append merges with and writes the new
perfect subtrees. A transaction that rolls back takes its leaves and nodes with it; a later batch
(a savepoint, the next command of a group commit) continues from what this one wrote.
"""

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256

import orjson

from ledger.integrity import (
    LeafError,
    MissingNodeError,
    NodeKey,
    append_nodes,
    format_moment,
    frontier_keys,
    hash_leaf,
)
from ledger.integrity.leaf import MAX_UINT64, moment_field, pack_leaf, topic_field
from ledger.log_sql import LogSql, StoredRow

Progress = Callable[[int, int], None]
BACKFILL_PAGE = 5000
_TIMESTAMP = b'{"timestamp":"'
_UTC_LENGTH = len("2026-03-14T09:26:53.589793+00:00")


class TreeError(Exception):
    """The tree cannot follow the events (not brought up to date, or damaged); Dutch message."""


def recorded_at(state: bytes) -> datetime:
    """The recorded moment of a stored event: its state's `timestamp` (RFC 3339, UTC)."""
    try:
        moment = datetime.fromisoformat(orjson.loads(state)["timestamp"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise LeafError("de opgeslagen gebeurtenis heeft geen leesbaar vastgelegd moment") from None
    return moment


def recorded_moment(state: bytes) -> str:
    """The recorded moment in the leaf's form (`…T09:26:53.589793Z`), from the stored state.

    The ledger's events begin `{"timestamp":"<UTC, microseconds, +00:00>"`: that text gives the
    moment without decoding the whole state; anything else is decoded and formatted.
    """
    if state.startswith(_TIMESTAMP):
        end = state.find(b'"', len(_TIMESTAMP))
        text = state[len(_TIMESTAMP) : end]
        if len(text) == _UTC_LENGTH and text.endswith(b"+00:00") and text[19:20] == b".":
            return text[:26].decode("ascii") + "Z"
    return format_moment(recorded_at(state))


def leaf_hash(row: StoredRow) -> bytes:
    """The leaf hash of one stored event (SHA-256(0x00 ‖ leaf v1)), as `Leaf.for_event(…).hash()`
    gives it, without building the checked `Leaf` (this runs in every write)."""
    if not 1 <= row.position <= MAX_UINT64 or not 0 <= row.version <= MAX_UINT64:
        raise LeafError(f"positie {row.position} of versie {row.version} past niet in een blad")
    return hash_leaf(
        pack_leaf(
            row.position,
            row.aggregate_id.bytes,
            row.version,
            topic_field(row.topic),
            moment_field(recorded_moment(row.state)),
            sha256(row.state).digest(),
        )
    )


@dataclass(frozen=True)
class Frontier:
    """The tree as one committed transaction left it: its size, the stored state of the event at
    that position and the hashes of its perfect subtrees (`frontier_keys(size)`). What the next
    append reads, known without reading it while the log's last position is still `size`
    (committed nodes and events never change; a writer elsewhere moves the last position)."""

    size: int
    last_state: bytes
    nodes: Mapping[NodeKey, bytes]


NewNodes = list[tuple[NodeKey, bytes]]


def append_leaves(sql: LogSql, rows: Sequence[StoredRow]) -> list[bytes]:
    """Write the leaves and new nodes of `rows` (positions size + 1, size + 2, … in order)."""
    if not rows:
        return []
    hashes, new, _ = plan_append(sql, rows, None)
    sql.put_nodes(new)
    return hashes


def append_after(sql: LogSql, rows: Sequence[StoredRow], known: Frontier | None) -> Frontier:
    """`append_leaves` for a non-empty append, without reading the nodes it merges with when
    `known` is the tree at the size before `rows`; returns the tree after the append."""
    _, new, after = plan_append(sql, rows, known)
    sql.put_nodes(new)
    return after


def plan_append(
    sql: LogSql, rows: Sequence[StoredRow], known: Frontier | None
) -> tuple[list[bytes], NewNodes, Frontier]:
    """The leaf hashes of a non-empty append, the nodes to store for it (not written here) and
    the tree after it; the nodes it merges with are read unless `known` is the tree before."""
    size = rows[0].position - 1
    for offset, row in enumerate(rows):
        if row.position != size + 1 + offset:
            raise TreeError(
                f"positie {row.position} volgt niet op {size + offset}: de log heeft een gat"
            )
    hashes = [leaf_hash(row) for row in rows]
    if known is not None and known.size == size:
        nodes = known.nodes
    else:
        # The last leaf so far, too: an append never skips leaves the tree does not have.
        keys = frontier_keys(size) + ([(0, size - 1)] if size else [])
        try:
            nodes = sql.get_nodes(keys)
        except MissingNodeError:
            raise TreeError(
                f"de Merkle-boom loopt achter op de log (positie {size} heeft geen blad); "
                "open de log opnieuw om de ontbrekende bladen te berekenen"
            ) from None
    new = append_nodes(size, hashes, nodes)
    merged = {**nodes, **dict(new)}
    end = size + len(rows)
    after = Frontier(end, rows[-1].state, {key: merged[key] for key in frontier_keys(end)})
    return hashes, new, after


def catch_up(sql: LogSql, limit: int = BACKFILL_PAGE) -> tuple[int, int]:
    """Add the leaves of up to `limit` events the tree does not have yet; (tree size, log size).

    For a store written before the tree existed: the caller repeats it, one transaction a page,
    holding the writers' lock, until the tree size equals the log size.
    """
    size, last = sql.tree_size(), sql.last_position()
    if size > last:
        raise TreeError(
            f"de Merkle-boom heeft {size} bladen maar de log maar {last} gebeurtenissen"
        )
    if size == last:
        return size, last
    rows = sql.events(size, limit)
    append_leaves(sql, rows)
    return size + len(rows), last


def bring_up_to_date(
    transaction: Callable[[bool], AbstractContextManager[LogSql]],
    progress: Progress | None = None,
) -> int:
    """Give every stored event its leaf, a page per write transaction; returns the tree size.

    A store whose tree is current costs one read; one written before the tree existed gets its
    leaves computed once (with `progress(done, total)` after each page).
    """
    with transaction(False) as sql:
        size, last = sql.tree_size(), sql.last_position()
    while size < last:
        with transaction(True) as sql:
            size, last = catch_up(sql)
        if progress is not None:
            progress(size, last)
    return size
