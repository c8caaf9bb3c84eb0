"""Export a municipality's log as JSON lines (ledger/integrity/export.py), and restore one.

The export is one read snapshot: the header, every stored checkpoint, every event exactly as
stored with its stored leaf hash. A restore checks the file as `adviesspoor verify` does, then
writes it into an EMPTY store in one transaction: the same positions, the same stored bytes, the
leaves and nodes computed again by the write path's own code (they must equal the file's `blad`),
and the checkpoints as they were. So export → import → export gives the same bytes, on SQLite
and PostgreSQL alike, and a SQLite export restored on PostgreSQL has the same root.
"""

import binascii
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from hashlib import sha256
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from ledger.integrity import (
    Leaf,
    VerificationError,
    Verified,
    VerifierKey,
    checkpoint_line,
    event_line,
    header_line,
    read_checkpoint,
    root,
    verify_file,
)
from ledger.integrity.lines import event_state, parse_line
from ledger.log_integrity import LogIntegrity, now_text
from ledger.log_sql import LogSql, StoredCheckpoint, StoredRow
from ledger.tree import Progress, TreeError, append_leaves, recorded_moment

PAGE = 5000
Line = tuple[dict[str, Any], bytes | None]  # an event line's members, its verbatim stored bytes


def export_log(integrity: LogIntegrity, out: BinaryIO) -> tuple[int, bytes]:
    """Write the export of the log as it is now; (size, root)."""
    with integrity.transaction(False) as sql:
        size, last = sql.tree_size(), sql.last_position()
        if size != last:
            msg = f"de log heeft {last} gebeurtenissen maar de Merkle-boom {size} bladen"
            raise TreeError(msg)
        out.write(header_line(integrity.origin, integrity.municipality))
        for checkpoint in sql.checkpoints():
            out.write(checkpoint_line(checkpoint.note))
        after = 0
        while after < size:
            rows, leaves = sql.events(after, PAGE), dict(sql.leaf_hashes(after, PAGE))
            out.write(b"".join(_line(row, leaves[row.position]) for row in rows))
            after = rows[-1].position
        return size, root(sql, size)


def _line(row: StoredRow, leaf: bytes) -> bytes:
    return event_line(
        position=row.position,
        aggregate_id=row.aggregate_id,
        aggregate_version=row.version,
        topic=row.topic,
        recorded_at=recorded_moment(row.state),
        state=row.state,
        leaf_hash=leaf,
    )


@dataclass(frozen=True)
class ExportHead:
    """Whose log a file holds, and its checkpoints."""

    origin: str
    municipality: str
    notes: list[str]
    version: int


def read_export_head(path: Path) -> ExportHead:
    """The header and checkpoints of an export (after `verify_file` found it sound)."""
    with path.open("rb") as file:
        header = json.loads(file.readline())
        notes = []
        for raw in file:
            value = json.loads(raw)
            if "controlepunt" not in value:
                break
            notes.append(value["controlepunt"])
    return ExportHead(header["oorsprong"], header["gemeente"], notes, header["versie"])


def _event_lines(path: Path, version: int) -> Iterator[Line]:
    """Each event line's members, and in export version 2 its stored bytes (else None)."""
    with path.open("rb") as file:
        for raw in file:
            value, state = parse_line(raw, json.loads, version)
            if "positie" in value:
                yield value, state


def _stored_row(line: Line) -> tuple[StoredRow, bytes, bytes | None]:
    """The row to store, the leaf hash the export's own fields give, and its `blad`."""
    event, verbatim = line
    try:
        state = event_state(event, verbatim)
    except (binascii.Error, UnicodeEncodeError):
        raise VerificationError("onleesbare gegevens", position=event["positie"]) from None
    row = StoredRow(
        event["positie"], UUID(event["aggregaat"]), event["versie"], event["topic"], state
    )
    leaf = Leaf(
        row.position, row.aggregate_id, row.version, row.topic, event["vastgelegdOp"],
        sha256(state).digest(),
    )  # fmt: skip
    stored = event.get("blad")
    return row, leaf.hash(), bytes.fromhex(stored) if stored else None


def _pages(items: Iterable[Line], size: int) -> Iterator[list[Line]]:
    iterator = iter(items)
    while page := list(islice(iterator, size)):
        yield page


def import_log(
    integrity: LogIntegrity,
    path: Path,
    *,
    keys: Sequence[VerifierKey] = (),
    verified: Verified | None = None,
    progress: Progress | None = None,
) -> tuple[int, bytes]:
    """Restore an export into this (empty) log in one transaction; (size, root).

    The file is verified first (`verify_file`, with `keys` when given; or `verified`, what a
    caller's own check of it gave); a store that holds any event, node or checkpoint is refused,
    and so is a file of another municipality.
    """
    verified = verified or verify_file(path, keys=keys)
    head = read_export_head(path)
    if head.municipality != integrity.municipality or head.origin != integrity.origin:
        msg = f"de export is van {head.origin}, niet van {integrity.origin}"
        raise VerificationError(msg)
    with integrity.transaction(True) as sql:
        if not sql.is_empty():
            msg = f"de log van {integrity.municipality} is niet leeg; herstel alleen in een lege"
            raise VerificationError(msg)
        for page in _pages(_event_lines(path, head.version), PAGE):
            _restore_page(sql, page)
            if progress is not None:
                progress(page[-1][0]["positie"], verified.size)
        for note in head.notes:
            checkpoint = read_checkpoint(note)
            sql.add_checkpoint(StoredCheckpoint(checkpoint.size, checkpoint.root, note, now_text()))
        size = sql.tree_size()
        restored = root(sql, size)
    if (size, restored) != (verified.size, verified.root):
        raise VerificationError("de herstelde boom heeft niet de wortel van de export")
    return size, restored


def _restore_page(sql: LogSql, page: list[Line]) -> None:
    rows, exported = [], []
    for event in page:
        row, leaf, stored = _stored_row(event)
        rows.append(row)
        exported.append((leaf, stored))
    sql.insert_events(rows)
    for row, computed, (leaf, stored) in zip(rows, append_leaves(sql, rows), exported, strict=True):
        if computed != leaf or (stored is not None and stored != computed):
            msg = "vastgelegdOp of blad past niet bij de opgeslagen gegevens"
            raise VerificationError(msg, position=row.position)
