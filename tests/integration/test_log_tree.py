"""The log's Merkle tree in the store: leaves and nodes in the event's transaction, both stores."""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import BodyKind, Meta, Role
from events.store import LogLocation
from ledger import AdviceLedger, AdvisoryBody, IdempotencyKey, Ledgers
from ledger.integrity import root_of, verify_consistency, verify_inclusion
from ledger.tree import leaf_hash
from tests.integration.actors import administrator

Sql = Callable[..., list[tuple[Any, ...]]]


@contextmanager
def raw_sql(location: LogLocation) -> Iterator[Sql]:
    """Plain SQL on the store (`?` for parameters), as an operator, or an attacker, with database
    access has it."""
    if location.backend == "sqlite":
        conn = sqlite3.connect(location.events_file, isolation_level=None)
        try:
            yield lambda query, params=(): conn.execute(query, params).fetchall()
        finally:
            conn.close()
        return
    assert location.server is not None
    with psycopg.connect(location.server.conninfo(), autocommit=True) as pg:
        pg.execute(f'SET search_path TO "{location.schema}"'.encode())

        def run(query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
            cursor = pg.execute(query.replace("?", "%s").encode(), params)
            return cursor.fetchall() if cursor.description else []

        yield run


def register(ledger: AdviceLedger, count: int = 1) -> None:
    for number in range(count):
        ledger.register_body(administrator(), name=f"Raad {number}", kind=BodyKind.ADVISORY_COUNCIL)


def save_together(ledger: AdviceLedger, count: int) -> None:
    """`count` events in ONE transaction: several new records saved at once."""
    meta = Meta(ledger.municipality, "beheerder", Role.ADMINISTRATOR, "req-batch")
    bodies = [
        AdvisoryBody.register(
            meta, name=f"Samen {n}", kind=BodyKind.OTHER, response_term_days=42, id=None
        )
        for n in range(count)
    ]
    ledger.save(*bodies)


def tree_rows(ledger: AdviceLedger) -> tuple[list[bytes], list[bytes], int]:
    """(stored leaf hashes, leaves recomputed from the stored events, number of nodes)."""
    with ledger.integrity.transaction(False) as sql:
        stored = [value for _, value in sql.leaf_hashes(0, 10**6)]
        computed = [leaf_hash(row) for row in sql.events(0, 10**6)]
        nodes = int(sql.rows("SELECT COUNT(*) FROM {nodes}")[0][0])
    return stored, computed, nodes


def test_each_command_writes_its_leaf_and_nodes_with_positions_and_indexes_dense(
    ledger: AdviceLedger,
) -> None:
    register(ledger, 5)
    save_together(ledger, 3)

    stored, computed, nodes = tree_rows(ledger)
    with ledger.integrity.transaction(False) as sql:
        positions = [row.position for row in sql.events(0, 100)]
        leaves = [int(n) for (n,) in sql.rows("SELECT tree_size FROM {nodes} WHERE level = 0")]
    assert positions == list(range(1, 9))
    # Leaf index = position − 1, keyed by the tree size it completes: the position itself.
    assert sorted(leaves) == list(range(1, 9))
    assert stored == computed
    # 8 leaves: 8 + 4 + 2 + 1 perfect subtrees, every one stored once.
    assert nodes == 15
    assert ledger.integrity.root() == (8, root_of(computed))


def test_a_command_rolled_back_after_its_leaves_were_written_leaves_no_node(
    ledger: AdviceLedger,
) -> None:
    register(ledger, 3)
    before = tree_rows(ledger)
    # The idempotency key is written after the events and their leaves, in the same transaction:
    # a store that refuses the key makes the whole transaction roll back.
    with raw_sql(ledger.location) as sql:
        if ledger.location.backend == "sqlite":
            sql(
                "CREATE TRIGGER refuse_keys BEFORE INSERT ON idempotency_keys "
                "BEGIN SELECT RAISE(ABORT, 'geweigerd'); END"
            )
        else:
            sql(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'geweigerd'; END $$"
            )
            sql(
                "CREATE TRIGGER refuse_keys BEFORE INSERT ON idempotency_keys "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )

    key = IdempotencyKey("token:POST:/adviesorganen:k1", "hash")
    with pytest.raises(Exception, match=r"geweigerd|tegelijk"):
        ledger.once(
            key, lambda: ledger.register_body(administrator(), name="X", kind=BodyKind.OTHER)
        )

    assert tree_rows(ledger) == before
    assert ledger.last_position() == 3
    with raw_sql(ledger.location) as sql:
        sql(
            "DROP TRIGGER refuse_keys"
            + ("" if ledger.location.backend == "sqlite" else " ON idempotency_keys")
        )
    register(ledger)
    stored, computed, _ = tree_rows(ledger)
    assert len(stored) == 4
    assert stored == computed


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(batches=st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=4))
def test_the_root_from_stored_nodes_is_the_root_of_all_leaves_and_proofs_verify(
    ledger: AdviceLedger, batches: list[int]
) -> None:
    old_size = ledger.integrity.size()
    for count in batches:
        if count == 1:
            register(ledger)
        else:
            save_together(ledger, count)

    stored, computed, _ = tree_rows(ledger)
    size, root = ledger.integrity.root()
    assert stored == computed
    assert size == len(computed)
    assert root == root_of(computed)
    for index in range(size):
        proof = ledger.integrity.inclusion(index + 1)
        verify_inclusion(index, size, computed[index], proof.path, root)
    consistency = ledger.integrity.consistency(old_size)
    assert consistency.old_root == root_of(computed[:old_size])
    verify_consistency(old_size, size, consistency.old_root, root, consistency.path)


def test_a_store_written_before_the_tree_gets_its_leaves_once_when_opened(
    open_ledgers: Callable[[], Ledgers], municipality: str
) -> None:
    first = open_ledgers()
    register(first[municipality], 21)
    size, root = first[municipality].integrity.root()
    location = first[municipality].location
    first.close_all()
    with raw_sql(location) as sql:
        sql("DELETE FROM merkle_nodes")

    seen: list[tuple[int, int]] = []
    reopened = AdviceLedger(location, tree_progress=lambda done, total: seen.append((done, total)))
    try:
        assert reopened.integrity.root() == (size, root)
        assert seen == [(21, 21)]
        register(reopened)
        stored, computed, _ = tree_rows(reopened)
        assert stored == computed
        assert len(stored) == 22
    finally:
        reopened.close()


def test_a_tree_behind_the_log_refuses_new_events_rather_than_skip_leaves(
    ledger: AdviceLedger,
) -> None:
    register(ledger, 4)
    # A writer without the tree (an older version of the ledger) stores a fifth event.
    if ledger.location.backend == "sqlite":
        older_writer = (
            "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
            "SELECT lower(hex(randomblob(16))), 1, topic, state FROM stored_events "
            "WHERE rowid = 4"
        )
    else:
        table = ledger.location.events_table  # a constant of events/store.py
        older_writer = (
            f"INSERT INTO {table} (originator_id, originator_version, topic, state, "  # noqa: S608
            f"notification_id) SELECT gen_random_uuid(), 1, topic, state, 5 FROM {table} "
            "WHERE notification_id = 4"
        )
    with raw_sql(ledger.location) as sql:
        sql(older_writer)

    with pytest.raises(Exception, match="loopt achter"):
        register(ledger)
    assert ledger.last_position() == 5


@given(
    moment=st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))])),
    first=st.booleans(),
)
def test_the_recorded_moment_read_from_the_stored_bytes_is_the_leafs_moment(
    moment: datetime, first: bool
) -> None:
    import orjson

    from ledger.integrity import format_moment
    from ledger.tree import recorded_moment

    state = {"timestamp": moment, "x": "y"} if first else {"x": "y", "timestamp": moment}

    assert recorded_moment(orjson.dumps(state)) == format_moment(moment)
