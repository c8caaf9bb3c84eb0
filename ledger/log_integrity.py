"""The verifiable history of one municipality's log: its tree, proofs and signed checkpoints.

Library functions over the store the ledger writes (`AdviceLedger.integrity`); the HTTP proof
routes and the command line call these. Proofs read O(log n) stored nodes, never the whole log.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from ledger.integrity import (
    Checkpoint,
    CheckpointError,
    SignerKey,
    VerifierKey,
    check_consistency,
    consistency_proof,
    inclusion_proof,
    open_checkpoint,
    read_checkpoint,
    root,
    sign_checkpoint,
)
from ledger.log_sql import LogSql, StoredCheckpoint
from ledger.tree import Progress, TreeError, bring_up_to_date, leaf_hash

ORIGIN_PREFIX = "adviesspoor.nl/"


def origin_of(municipality: str) -> str:
    """The log's name in its checkpoints, and the name of the key that signs them."""
    return ORIGIN_PREFIX + municipality


class LogRecorder(Protocol):
    """What the ledger's recorders offer: a transaction on the log's tables."""

    def log_transaction(self, *, write: bool) -> AbstractContextManager[LogSql]: ...


class SizeError(ValueError):
    """A proof asked for sizes or positions the tree does not (yet) have; Dutch message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class InclusionProof:
    """The event at `position` is leaf `position − 1` of the tree of `size` with this root."""

    position: int
    size: int
    leaf_hash: bytes
    root: bytes
    path: list[bytes]


@dataclass(frozen=True)
class ConsistencyProof:
    """The tree of `old_size` with `old_root` is a prefix of the tree of `new_size`."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    path: list[bytes]


def now_text() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class LogIntegrity:
    """One municipality's tree, proofs and checkpoints, over the ledger's own store."""

    def __init__(self, recorder: LogRecorder, municipality: str) -> None:
        self._recorder = recorder
        self.municipality = municipality
        self.origin = origin_of(municipality)

    def _read(self) -> AbstractContextManager[LogSql]:
        return self._recorder.log_transaction(write=False)

    def _write(self) -> AbstractContextManager[LogSql]:
        return self._recorder.log_transaction(write=True)

    def transaction(self, write: bool) -> AbstractContextManager[LogSql]:
        return self._recorder.log_transaction(write=write)

    def bring_up_to_date(self, progress: Progress | None = None) -> int:
        """Compute the leaves of events stored before the tree existed (once); the tree size."""
        return bring_up_to_date(self.transaction, progress)

    # The tree -------------------------------------------------------------------------------

    def size(self) -> int:
        with self._read() as sql:
            return sql.tree_size()

    def root(self, size: int | None = None) -> tuple[int, bytes]:
        """The size (default: the whole tree) and the root of the tree of that size."""
        with self._read() as sql:
            current = sql.tree_size()
            size = current if size is None else size
            _check_size("grootte", size, current)
            return size, root(sql, size)

    def inclusion(self, position: int, size: int | None = None) -> InclusionProof:
        """The audit path of the event at `position` in the tree of `size` (default: now)."""
        with self._read() as sql:
            current = sql.tree_size()
            size = current if size is None else size
            _check_size("grootte", size, current)
            if not 1 <= position <= size:
                msg = f"Positie {position} ligt niet in een boom van {size} gebeurtenissen."
                raise SizeError("positie", msg)
            leaf = sql.get_nodes([(0, position - 1)])[(0, position - 1)]
            return InclusionProof(
                position, size, leaf, root(sql, size), inclusion_proof(sql, position - 1, size)
            )

    def consistency(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """Proof that the tree of `old_size` is a prefix of that of `new_size` (default: now)."""
        with self._read() as sql:
            current = sql.tree_size()
            new_size = current if new_size is None else new_size
            _check_size("tot", new_size, current)
            if not 0 <= old_size <= new_size:
                msg = f"Van ({old_size}) moet tussen 0 en tot ({new_size}) liggen."
                raise SizeError("van", msg)
            return ConsistencyProof(
                old_size,
                new_size,
                root(sql, old_size),
                root(sql, new_size),
                consistency_proof(sql, old_size, new_size),
            )

    def check_recent(self, count: int) -> int:
        """Recompute the leaves of the last `count` events that have one, and the latest
        checkpoint's root from the stored nodes; TreeError names the first that does not match.
        Returns the tree size. (Events newer than the tree, from a writer that has not written
        leaves, are not an error here: the next open of the ledger computes their leaves.)"""
        with self._read() as sql:
            size, last = sql.tree_size(), sql.last_position()
            if size > last:
                msg = f"de Merkle-boom heeft {size} bladen maar de log maar {last} gebeurtenissen"
                raise TreeError(msg)
            start = max(0, size - count)
            stored = dict(sql.leaf_hashes(start, size - start))
            for row in sql.events(start, size - start):
                if stored.get(row.position) != leaf_hash(row):
                    msg = (
                        f"positie {row.position}: de opgeslagen gebeurtenis past niet bij haar blad"
                    )
                    raise TreeError(msg)
            latest = sql.latest_checkpoint()
            if latest is not None and (latest.size > size or root(sql, latest.size) != latest.root):
                msg = f"de boom past niet meer bij het laatste controlepunt (grootte {latest.size})"
                raise TreeError(msg)
            return size

    # Checkpoints ----------------------------------------------------------------------------

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self._read() as sql:
            return sql.latest_checkpoint()

    def checkpoints(self) -> list[StoredCheckpoint]:
        with self._read() as sql:
            return sql.checkpoints()

    def make_checkpoint(
        self, key: SignerKey, now: Callable[[], str] = now_text
    ) -> tuple[StoredCheckpoint, bool]:
        """Sign the current tree head and store it; (the checkpoint, whether it is new).

        A tree no larger than the latest checkpoint's gives that checkpoint again. A new one is
        stored only after its consistency with the latest one is proven from the stored nodes,
        so the log never signs two checkpoints that are not consistent.
        """
        if key.name != self.origin:
            msg = f"de sleutel heet {key.name}, maar deze log tekent als {self.origin}"
            raise CheckpointError(msg)
        with self._write() as sql:
            size, last = sql.tree_size(), sql.last_position()
            if size != last:
                msg = f"de log heeft {last} gebeurtenissen maar de Merkle-boom {size} bladen"
                raise TreeError(msg)
            head = Checkpoint(self.origin, size, root(sql, size))
            latest = sql.latest_checkpoint()
            if latest is not None:
                earlier = Checkpoint(self.origin, latest.size, latest.root)
                if latest.size >= size:
                    if latest.size > size or latest.root != head.root:
                        msg = f"de boom past niet bij het controlepunt van grootte {latest.size}"
                        raise CheckpointError(msg)
                    return latest, False
                check_consistency(earlier, head, consistency_proof(sql, latest.size, size))
            stored = StoredCheckpoint(size, head.root, sign_checkpoint(head, key), now())
            sql.add_checkpoint(stored)
            return stored, True

    def store_cosigned(self, note: str, log_key: VerifierKey) -> StoredCheckpoint:
        """Keep a cosigned copy of a stored checkpoint: the same text, still signed by the log's
        own key, with the cosigners' signatures added."""
        checkpoint, _ = open_checkpoint(note, [log_key], required=[self.origin])
        with self._write() as sql:
            stored = sql.checkpoint(checkpoint.size)
            if stored is None or read_checkpoint(stored.note) != checkpoint:
                msg = (
                    f"deze log heeft geen controlepunt van grootte {checkpoint.size} met die wortel"
                )
                raise CheckpointError(msg)
            sql.replace_note(checkpoint.size, note)
            return StoredCheckpoint(stored.size, stored.root, note, stored.created)


def _check_size(field: str, size: int, current: int) -> None:
    if not 0 <= size <= current:
        msg = f"De boom heeft {current} gebeurtenissen; {field} {size} kan niet."
        raise SizeError(field, msg)
