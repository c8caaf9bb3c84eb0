"""SQL beside the events: the Merkle tree's nodes and the signed checkpoints, on either store.

`merkle_nodes(tree_size, level, hash)` holds every perfect subtree once it is complete: node
(level, idx) of ledger/integrity/nodes.py, the hash of leaves [idx·2^level, (idx+1)·2^level), is
keyed by the tree size that completed it, (idx+1)·2^level, and its level (level 0: the leaf hash of
the event at position tree_size). Keyed so, the nodes one append writes are neighbours in the key,
one page of the table rather than one per level, and the tree's size is the largest key.
`checkpoints(size, root, note, created)` holds every signed tree head. Both live in the events'
own store (the SQLite events file, the municipality's PostgreSQL schema), so the leaves are
written in the events' transaction. `LogSql` wraps one cursor of one
transaction; every query is written once with `?` and adapted to PostgreSQL's `%s`.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

from events.store import LogLocation
from ledger.integrity import MissingNodeError, NodeKey

NODES: Final = "merkle_nodes"
CHECKPOINTS: Final = "checkpoints"
# Keys per SELECT: an append needs a few, a proof about 2·log2(n); more go in several queries.
_KEYS_PER_QUERY: Final = 200
ROWS_PER_INSERT: Final = 1000


def create_statements(backend: str, prefix: str = "") -> list[str]:
    """The tables of the tree and the checkpoints (`prefix`: the PostgreSQL schema, quoted, `.`)."""
    blob = "BLOB" if backend == "sqlite" else "BYTEA"
    bigint = "INTEGER" if backend == "sqlite" else "BIGINT"
    rowid = " WITHOUT ROWID" if backend == "sqlite" else ""
    return [
        f"CREATE TABLE IF NOT EXISTS {prefix}{NODES} (tree_size {bigint} NOT NULL, level INTEGER "
        f"NOT NULL, hash {blob} NOT NULL, PRIMARY KEY (tree_size, level)){rowid}",
        f"CREATE TABLE IF NOT EXISTS {prefix}{CHECKPOINTS} (size {bigint} PRIMARY KEY, "
        f"root {blob} NOT NULL, note TEXT NOT NULL, created TEXT NOT NULL)",
    ]


@dataclass(frozen=True)
class LogTables:
    """The names of one municipality's log tables, for SQL text."""

    backend: str
    events: str
    position: str
    nodes: str
    checkpoints: str

    @classmethod
    def of(cls, location: LogLocation) -> "LogTables":
        if location.backend == "sqlite":
            return cls("sqlite", location.events_table, "rowid", NODES, CHECKPOINTS)
        prefix = f'"{location.schema}".'  # a checked slug: letters, digits and underscores
        return cls(
            "postgresql",
            f'{prefix}"{location.events_table}"',
            "notification_id",
            prefix + NODES,
            prefix + CHECKPOINTS,
        )

    def prefix(self) -> str:
        return self.nodes.removesuffix(NODES)


@dataclass(frozen=True, slots=True)
class StoredRow:
    """One stored event, as the leaf needs it: position, record, version, topic, stored bytes."""

    position: int
    aggregate_id: UUID
    version: int
    topic: str
    state: bytes


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A signed tree head as stored: size, root, the note (signatures and all), when made."""

    size: int
    root: bytes
    note: str
    created: str


def _end(level: int, idx: int) -> int:
    """The tree size that completes node (level, idx): its key in the table."""
    return (idx + 1) << level


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class LogSql:
    """The tree and the checkpoints through one cursor of a transaction (read or write)."""

    def __init__(self, cursor: Any, tables: LogTables) -> None:
        self.cursor = cursor
        self.tables = tables

    # Plumbing -------------------------------------------------------------------------------

    def _sql(self, text: str) -> str:
        t = self.tables
        filled = text.format(
            events=t.events, position=t.position, nodes=t.nodes, checkpoints=t.checkpoints
        )
        return filled if t.backend == "sqlite" else filled.replace("?", "%s")

    def rows(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(self._sql(text), tuple(params))
        # The library's PostgreSQL connections return rows as dicts.
        return [
            tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in self.cursor.fetchall()
        ]

    def run(self, text: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self._sql(text), tuple(params))

    def run_many(self, text: str, params: Iterable[Sequence[Any]]) -> None:
        self.cursor.executemany(self._sql(text), [tuple(p) for p in params])

    # The tree -------------------------------------------------------------------------------

    def get_nodes(self, keys: Collection[NodeKey]) -> Mapping[NodeKey, bytes]:
        """NodeReader: the stored hashes of the given nodes; MissingNodeError names one absent.

        One primary-key lookup per node (an OR of `tree_size = ? AND level = ?`): both stores
        use the key for that, where a row-value `IN (VALUES …)` makes SQLite scan the table.
        """
        wanted = sorted(set(keys))
        found: dict[NodeKey, bytes] = {}
        for start in range(0, len(wanted), _KEYS_PER_QUERY):
            chunk = wanted[start : start + _KEYS_PER_QUERY]
            where = " OR ".join(["(tree_size = ? AND level = ?)"] * len(chunk))
            rows = self.rows(
                # Only the "?" marks are interpolated; the keys travel as parameters.
                f"SELECT tree_size, level, hash FROM {{nodes}} WHERE {where}",  # noqa: S608
                [number for level, idx in chunk for number in (_end(level, idx), level)],
            )
            found.update(
                ((int(level), (int(size) >> int(level)) - 1), bytes(value))
                for size, level, value in rows
            )
        for key in wanted:
            if key not in found:
                raise MissingNodeError(f"knoop {key} is niet opgeslagen")
        return found

    def nodes_between(self, level: int, start: int, end: int) -> dict[NodeKey, bytes]:
        """The stored nodes of one level with index start ≤ idx < end (a range of the key)."""
        rows = self.rows(
            "SELECT tree_size, hash FROM {nodes} WHERE tree_size >= ? AND tree_size <= ? "
            "AND level = ?",
            (_end(level, start), _end(level, end - 1), level),
        )
        return {(level, (int(size) >> level) - 1): bytes(value) for size, value in rows}

    def put_nodes(self, nodes: Iterable[tuple[NodeKey, bytes]]) -> None:
        """One multi-row INSERT per thousand nodes (an append writes two on average): cheaper
        than `executemany`, which costs psycopg a pipeline of its own."""
        rows = list(nodes)
        for start in range(0, len(rows), ROWS_PER_INSERT):
            self.cursor.execute(*self.nodes_insert(rows[start : start + ROWS_PER_INSERT]))

    def nodes_insert(self, nodes: Sequence[tuple[NodeKey, bytes]]) -> tuple[str, list[Any]]:
        """The INSERT of some nodes (at most `ROWS_PER_INSERT`) and its parameters, in this
        store's dialect: to run, or to go in one statement with the events' INSERT."""
        marks = ", ".join(["(?, ?, ?)"] * len(nodes))
        # Only "(?, ?, ?)" marks are interpolated; the nodes travel as parameters.
        text = f"INSERT INTO {{nodes}} (tree_size, level, hash) VALUES {marks}"  # noqa: S608
        params = [v for (level, idx), value in nodes for v in (_end(level, idx), level, value)]
        return self._sql(text), params

    def tree_size(self) -> int:
        """How many leaves the tree holds: the size that completed the newest node."""
        rows = self.rows("SELECT MAX(tree_size) FROM {nodes}")
        return 0 if not rows or rows[0][0] is None else int(rows[0][0])

    def leaf_hashes(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        """(position, stored leaf hash) for positions after `after`, in order."""
        rows = self.rows(
            "SELECT tree_size, hash FROM {nodes} WHERE tree_size > ? AND tree_size <= ? "
            "AND level = 0 ORDER BY tree_size",
            (after, after + limit),
        )
        return [(int(size), bytes(value)) for size, value in rows]

    # The events -----------------------------------------------------------------------------

    def last_position(self) -> int:
        rows = self.rows("SELECT MAX({position}) FROM {events}")
        return 0 if not rows or rows[0][0] is None else int(rows[0][0])

    def events(self, after: int, limit: int) -> list[StoredRow]:
        rows = self.rows(
            "SELECT {position}, originator_id, originator_version, topic, state FROM {events} "
            "WHERE {position} > ? ORDER BY {position} LIMIT ?",
            (after, limit),
        )
        return [
            StoredRow(int(position), _uuid(agg), int(version), topic, bytes(state))
            for position, agg, version, topic, state in rows
        ]

    def insert_events(self, rows: Sequence[StoredRow]) -> None:
        """Events at given positions (a restore); the ids as the library stores them."""
        sqlite = self.tables.backend == "sqlite"
        self.run_many(
            "INSERT INTO {events} (originator_id, originator_version, topic, state, {position}) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                (r.aggregate_id.hex if sqlite else r.aggregate_id, r.version, r.topic, r.state,
                 r.position)
                for r in rows
            ),
        )  # fmt: skip

    # Checkpoints ----------------------------------------------------------------------------

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self.rows("SELECT size, root, note, created FROM {checkpoints} ORDER BY size")
        return [StoredCheckpoint(int(s), bytes(r), n, c) for s, r, n, c in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        rows = self.rows(
            "SELECT size, root, note, created FROM {checkpoints} ORDER BY size DESC LIMIT 1"
        )
        return StoredCheckpoint(int(rows[0][0]), bytes(rows[0][1]), *rows[0][2:]) if rows else None

    def checkpoint(self, size: int) -> StoredCheckpoint | None:
        rows = self.rows(
            "SELECT size, root, note, created FROM {checkpoints} WHERE size = ?", (size,)
        )
        return StoredCheckpoint(int(rows[0][0]), bytes(rows[0][1]), *rows[0][2:]) if rows else None

    def add_checkpoint(self, checkpoint: StoredCheckpoint) -> None:
        self.run(
            "INSERT INTO {checkpoints} (size, root, note, created) VALUES (?, ?, ?, ?)",
            (checkpoint.size, checkpoint.root, checkpoint.note, checkpoint.created),
        )

    def replace_note(self, size: int, note: str) -> None:
        self.run("UPDATE {checkpoints} SET note = ? WHERE size = ?", (note, size))

    def is_empty(self) -> bool:
        """No event, no node and no checkpoint: a store a restore may fill."""
        return not (
            self.rows("SELECT 1 FROM {events} LIMIT 1")
            or self.rows("SELECT 1 FROM {nodes} LIMIT 1")
            or self.rows("SELECT 1 FROM {checkpoints} LIMIT 1")
        )
