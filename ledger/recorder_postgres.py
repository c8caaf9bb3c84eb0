"""The ledger's PostgreSQL recorder: dense positions (MAX + 1 under the table lock), group commit,
the key table, the Merkle tree in the events' transaction, moments that never go backwards
(ledger/recorders.py)."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from ledger.group_commit import Outcome
from ledger.log_sql import (
    CHECKPOINTS,
    NODES,
    ROWS_PER_INSERT,
    LogSql,
    LogTables,
    create_statements,
)
from ledger.recorder_pg_one_trip import OneTrip, WriteConnection
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
from ledger.tree import Frontier, NewNodes, plan_append


class LedgerPostgresRecorder(GroupCommits, PostgresApplicationRecorder):
    """The library's PostgreSQL recorder with dense positions, the key table, the tree, and
    moments that never go backwards."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{keys} (scope text PRIMARY KEY, "
                "request_hash text NOT NULL, position bigint NOT NULL)"
            ).format(schema=schema, keys=Identifier(KEYS_TABLE))
        )
        self.tables = LogTables(
            "postgresql",
            f'"{self.datastore.schema}"."{self.events_table_name}"',
            "notification_id",
            f'"{self.datastore.schema}".{NODES}',
            f'"{self.datastore.schema}".{CHECKPOINTS}',
        )
        self.sql_create_statements.extend(
            # The names come from a checked slug (letters, digits, underscores), quoted.
            SQL(statement).format()
            for statement in create_statements("postgresql", self.tables.prefix())
        )
        # Rendered once to plain text: psycopg caches the conversion of a text query, where a
        # composed one is rendered again at every execution.
        locked = (
            SQL(
                "BEGIN; SET LOCAL lock_timeout = '{}s'; "
                "LOCK TABLE {}.{} IN EXCLUSIVE MODE; NOTIFY {}"
            )
            .format(self.datastore.lock_timeout, schema, table, Identifier(self.channel_name))
            .as_string()
        )
        # One round trip, in the simple protocol: the transaction, the writers' lock, the
        # library's notification, and the last event, which positions and moments follow.
        self._begin = (
            locked
            + SQL(
                "; SELECT notification_id, state FROM {}.{} ORDER BY notification_id DESC LIMIT 1"
            )
            .format(schema, table)
            .as_string()
        )
        # A command alone, with the tree known: its whole transaction in one round trip.
        self._one_trip = OneTrip(self.tables, f'"{self.datastore.schema}".{KEYS_TABLE}', locked)
        self._conflicts = {
            f"{self.events_table_name}_pkey": False,  # the record's version: the command's own
            f"{KEYS_TABLE}_pkey": True,  # the key's scope: taken
        }
        self._insert_key = (
            SQL(
                "INSERT INTO {}.{} (scope, request_hash, position) VALUES (%s, %s, %s) "
                "ON CONFLICT (scope) DO NOTHING"
            )
            .format(schema, Identifier(KEYS_TABLE))
            .as_string()
        )
        self._select_key = (
            SQL("SELECT request_hash, position FROM {}.{} WHERE scope = %s")
            .format(schema, Identifier(KEYS_TABLE))
            .as_string()
        )
        self._select_version = (
            SQL("SELECT MAX(originator_version) AS version FROM {}.{} WHERE originator_id = %s")
            .format(schema, table)
            .as_string()
        )
        self._insert_numbered = cache(self._insert_statement)
        self._writer = WriteConnection(self.datastore.pool)
        self._start_group_commits()

    def close(self) -> None:
        self._writer.close()

    def _insert_statement(self, count: int) -> str:
        """One INSERT of `count` events, numbered by the caller."""
        return (
            f"INSERT INTO {self.tables.events} "  # noqa: S608 (the names are quoted slugs)
            "(originator_id, originator_version, topic, state, notification_id) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s)"] * count)
        )

    @retry((OperationalError,), max_attempts=10, wait=0.2)
    def _write_batch(self, commands: Sequence[Command]) -> list[Outcome[Inserted]]:
        """One transaction: lock, then every command in a savepoint of its own, numbered MAX + 1
        on from what the commands before it stored, then one commit. A batch of one needs no
        savepoint: its error rolls back the transaction, which held only it.

        The group commits' own connection is in autocommit, as the library's: the transaction
        is begun in the same round trip as the lock and the read of the last event, and ended by
        COMMIT (ROLLBACK on any error). A connection lost before the commit rolls everything
        back and is retried on a new one; a conflict (same record version, or same key) rolls
        back that command's savepoint without using up a position. A command alone, with the
        tree the last commit left known, is first tried in one round trip (`_write_in_one_trip`).
        """
        known = self._take_frontier()
        with (
            self._writer.connection() as conn,
            # Plain tuples: the library's dict rows cost a name lookup per result.
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            if len(commands) == 1 and known is not None:
                alone_outcome = self._write_in_one_trip(conn, curs, commands[0], known)
                if alone_outcome is not None:
                    return [alone_outcome]
            try:
                outcomes, after = self._write_commands(curs, commands, known)
                curs.execute("COMMIT", prepare=False)
            except BaseException as error:
                _roll_back(conn)
                if len(commands) == 1 and isinstance(error, COMMAND_ERRORS):
                    self.frontier = known  # rolled back: the tree is as the last commit left it
                    return [alone(error)]
                raise
        self.frontier = after
        return outcomes

    def _write_in_one_trip(
        self, conn: psycopg.Connection[Any], curs: Any, command: Command, known: Frontier
    ) -> Outcome[Inserted] | None:
        """The command's whole transaction in one round trip (ledger/recorder_pg_one_trip.py);
        None when the log moved on since the frontier (then nothing was written) or its nodes
        are too many for one statement: then it is written the usual way."""
        after = known.size
        states = later_moments(known.last_state, [e.state for e in command.events])
        positions = list(range(after + 1, after + 1 + len(states)))
        nodes: NewNodes = []
        tree: Frontier | None = None
        if self.writes_leaves:
            rows = rows_of(positions, command.events, states)
            _, nodes, tree = plan_append(LogSql(curs, self.tables), rows, known)
            if len(nodes) > ROWS_PER_INSERT:
                return None
        try:
            curs.execute(self._one_trip.text(conn, command, after, states, nodes), prepare=False)
        except psycopg.errors.UniqueViolation as error:
            _roll_back(conn)
            taken = self._conflicts.get(error.diag.constraint_name or "")
            if taken is None:
                return None  # a position or a node already stored: the log moved on
            self.frontier = known  # rolled back: the tree is as the last commit left it
            return alone(KeyTakenError(command.key.scope) if command.key and taken else error)
        except psycopg.errors.DivisionByZero:
            _roll_back(conn)  # the guard: the log moved on since the frontier
            return None
        except BaseException:
            _roll_back(conn)
            raise
        self.frontier = tree
        return Inserted(positions, states)

    def _write_commands(
        self, curs: Any, commands: Sequence[Command], known: Frontier | None
    ) -> tuple[list[Outcome[Inserted]], Frontier | None]:
        curs.execute(self._begin, prepare=False)
        while curs.nextset():
            pass  # to the last statement's rows
        row = curs.fetchone()
        last = int(row[0]) if row else 0
        previous = bytes(row[1]) if row else None
        single = len(commands) == 1
        outcomes: list[Outcome[Inserted]] = []
        for command in commands:
            if not single:
                curs.execute("SAVEPOINT command", prepare=False)
            try:
                inserted, after = self._insert_command(curs, command, last, previous, known)
            except COMMAND_ERRORS as error:
                if single:
                    raise
                curs.execute("ROLLBACK TO SAVEPOINT command", prepare=False)
                outcomes.append(alone(error))
                continue
            if not single:
                curs.execute("RELEASE SAVEPOINT command", prepare=False)
            outcomes.append(inserted)
            known = after
            last, previous = inserted.positions[-1], inserted.states[-1]
        return outcomes, known

    def _insert_command(
        self, curs: Any, command: Command, last: int, previous: bytes | None, known: Frontier | None
    ) -> tuple[Inserted, Frontier | None]:
        """The command's events, and their leaves and nodes in the same statement."""
        stored_events = command.events
        final = later_moments(previous, [e.state for e in stored_events])
        positions = list(range(last + 1, last + 1 + len(stored_events)))
        text = self._insert_numbered(len(stored_events))
        params = [
            value
            for e, state, position in zip(stored_events, final, positions, strict=True)
            for value in (e.originator_id, e.originator_version, e.topic, state, position)
        ]
        tree: Frontier | None = None
        if self.writes_leaves:
            sql = LogSql(curs, self.tables)
            _, nodes, tree = plan_append(sql, rows_of(positions, stored_events, final), known)
            if len(nodes) <= ROWS_PER_INSERT:
                nodes_text, nodes_params = sql.nodes_insert(nodes)
                text, params = f"WITH events AS ({text}) {nodes_text}", params + nodes_params
            else:
                curs.execute(text, params)
                text, params = "", []
                sql.put_nodes(nodes)
        if text:
            curs.execute(text, params)
        key = command.key
        if key is not None:
            curs.execute(self._insert_key, (key.scope, key.request_hash, positions[-1]))
            if curs.rowcount != 1:
                raise KeyTakenError(key.scope)
        return Inserted(positions, final), tree

    @contextmanager
    def log_transaction(self, *, write: bool) -> Iterator[LogSql]:
        """One transaction on the log's tables; `write` takes the writers' table lock first, and
        a reader sees one snapshot throughout (REPEATABLE READ)."""
        with self.datastore.get_connection() as conn:
            if not write:
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            try:
                with conn.transaction(force_rollback=not write), conn.cursor() as curs:
                    if write:
                        self._lock_table(curs)
                    yield LogSql(curs, self.tables)
            finally:
                conn.isolation_level = None

    @retry((OperationalError,), max_attempts=10, wait=0.2)
    def last_version(self, aggregate_id: UUID) -> int | None:
        """The last stored version of a record (None: none stored), in one indexed query, where
        the library's read of the newer events composes its statement at every call."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            row = curs.execute(self._select_version, (aggregate_id,), prepare=True).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    @retry((OperationalError,), max_attempts=10, wait=0.2)
    def find_key(self, scope: str) -> KeyRecord | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            row = curs.execute(self._select_key, (scope,)).fetchone()
        if row is None:
            return None
        return KeyRecord(row["request_hash"], int(row["position"]))


def _roll_back(conn: psycopg.Connection[Any]) -> None:
    """End the transaction this writer began, if the connection still has one; a connection that
    cannot is closed, and the pool replaces it."""
    if conn.closed or conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        return
    try:
        conn.execute("ROLLBACK", prepare=False)
    except psycopg.Error:
        conn.close()
