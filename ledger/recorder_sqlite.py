"""The ledger's SQLite recorder: the library's, with group commit, the key table, the Merkle tree
written in the events' transaction, and moments that never go backwards (ledger/recorders.py)."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteConnection, SQLiteCursor

from ledger.group_commit import Outcome
from ledger.log_sql import CHECKPOINTS, NODES, LogSql, LogTables, create_statements
from ledger.recorders import (
    COMMAND_ERRORS,
    KEYS_TABLE,
    Command,
    GroupCommits,
    Inserted,
    KeyRecord,
    KeyTakenError,
    alone,
    later_moments,
    rows_of,
)
from ledger.tree import Frontier


class LedgerSQLiteRecorder(GroupCommits, SQLiteApplicationRecorder):
    """The library's SQLite recorder, plus the key table and the Merkle tree written in the
    events' transaction, and moments that never go backwards."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._start_group_commits()
        self._writer: SQLiteConnection | None = None

    def _write_connection(self) -> SQLiteConnection:
        """The group commits' own connection, made as the pool makes its connections: one batch
        writes at a time (its leader), so it skips the pool's checkout and interlocking; another
        writer (here or in another process) waits for SQLite's lock as before."""
        if self._writer is None:
            self._writer = self.datastore.pool._create_connection()
        return self._writer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} (scope TEXT PRIMARY KEY, "
            "request_hash TEXT NOT NULL, position INTEGER NOT NULL)",
            *create_statements("sqlite"),
        ]

    @property
    def tables(self) -> LogTables:
        return LogTables("sqlite", self.events_table_name, "rowid", NODES, CHECKPOINTS)

    @contextmanager
    def log_transaction(self, *, write: bool) -> Iterator[LogSql]:
        """One transaction on the log's tables; `write` takes the writers' lock at once, so what
        is read is what the writes build on (a reader sees one snapshot throughout)."""
        with self.datastore.get_connection(commit=write) as conn:
            cursor = conn.cursor()
            cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield LogSql(cursor, self.tables)
            except BaseException:
                conn.rollback()
                raise
            if write:
                conn.commit()
            else:
                conn.rollback()

    def _write_batch(self, commands: Sequence[Command]) -> list[Outcome[Inserted]]:
        """One transaction: every command in a savepoint of its own, then one commit. A batch of
        one needs no savepoint: its error rolls back the transaction, which held only it."""
        known = self._take_frontier()
        if len(commands) == 1:
            try:
                with self._write_connection().transaction(commit=True) as c:
                    inserted, after = self._insert_command(c, commands[0], known)
            except COMMAND_ERRORS as error:
                self.frontier = known  # rolled back: the tree is as the last commit left it
                return [alone(error)]
            self.frontier = after
            return [inserted]
        outcomes: list[Outcome[Inserted]] = []
        with self._write_connection().transaction(commit=True) as c:
            for command in commands:
                c.execute("SAVEPOINT command")
                try:
                    inserted, after = self._insert_command(c, command, known)
                except COMMAND_ERRORS as error:
                    c.execute("ROLLBACK TO command")
                    outcomes.append(alone(error))
                else:
                    outcomes.append(inserted)
                    known = after
                c.execute("RELEASE command")
        self.frontier = known
        return outcomes

    def _insert_command(
        self, c: SQLiteCursor, command: Command, known: Frontier | None
    ) -> tuple[Inserted, Frontier | None]:
        stored_events = command.events
        positions = list(super()._insert_events(c, stored_events) or [])
        # The INSERT took the write lock: no other process can commit before this transaction.
        if known is not None and known.size == positions[0] - 1:
            previous: bytes | None = known.last_state
        else:
            c.execute(
                "SELECT state FROM stored_events WHERE rowid < ? ORDER BY rowid DESC LIMIT 1",
                (positions[0],),
            )
            row = c.fetchone()
            previous = row[0] if row else None
        states = [e.state for e in stored_events]
        final = later_moments(previous, states)
        for position, state, given in zip(positions, final, states, strict=True):
            if state is not given:
                c.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (state, position))
        tree = self._append_tree(
            LogSql(c, self.tables), rows_of(positions, stored_events, final), known
        )
        key = command.key
        if key is not None:
            c.execute(
                "INSERT INTO idempotency_keys (scope, request_hash, position) VALUES (?, ?, ?) "
                "ON CONFLICT (scope) DO NOTHING",
                (key.scope, key.request_hash, positions[-1]),
            )
            c.execute("SELECT changes()")
            if c.fetchone()[0] != 1:
                raise KeyTakenError(key.scope)
        return Inserted(positions, final), tree

    def find_key(self, scope: str) -> KeyRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT request_hash, position FROM idempotency_keys WHERE scope = ?", (scope,)
            )
            row = c.fetchone()
        return None if row is None else KeyRecord(row[0], int(row[1]))
