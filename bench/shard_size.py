"""What one municipality's log takes on a PostgreSQL shard, per event (docs/scaling.md).

The generated log of `bench.projections` (the ledger's own events, ≈ 700 bytes of JSON each) is
copied into a throwaway municipality through the ledger's recorder (so every event gets its
Merkle leaf and nodes, as in production), its views are built with `rebuild()`, and the size
PostgreSQL reports for each table of the schema (`pg_total_relation_size`: heap, TOAST and
indexes) is divided by the number of events. Baseline, same run: the bytes of stored JSON
(`octet_length(state)`) of the same events. The schema is dropped afterwards.

```
.venv/bin/python -m bench.shard_size                  # 100,000 events (generated once, cached)
.venv/bin/python -m bench.shard_size --events 5000    # smoke run
```
"""

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from uuid import uuid4

import psycopg
from psycopg import sql

from bench.projections.common import DEFAULT_POSTGRES_URL
from bench.projections.logs import cached_sqlite_log, copy_into_postgres
from events.store import POSTGRES_EVENTS_TABLE, StoreUrl
from ledger import AdviceLedger
from projections import ReadModel

MIB = 1024 * 1024


def _sizes(conn: psycopg.Connection[tuple[object, ...]], schema: str) -> dict[str, int]:
    rows = conn.execute(
        "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
        (schema,),
    ).fetchall()
    return {str(name): int(str(size)) for name, size in rows}


def run(args: argparse.Namespace) -> None:
    store = StoreUrl.parse(args.postgres_url)
    assert store.server is not None
    cache, _ = cached_sqlite_log(args.events, Path(args.out))
    location = store.location(f"bench-size-{uuid4().hex[:8]}")
    admin = psycopg.connect(store.server.conninfo(), autocommit=True)
    try:
        ledger = AdviceLedger(location)
        wall = time.perf_counter()
        copy_into_postgres(cache, ledger)
        copied = time.perf_counter() - wall
        ledger.close()
        model = ReadModel(location)
        wall = time.perf_counter()
        model.rebuild()
        rebuilt = time.perf_counter() - wall
        model.close()
        admin.execute("VACUUM ANALYZE")
        table = sql.Identifier(location.schema, POSTGRES_EVENTS_TABLE)
        row = admin.execute(
            sql.SQL("SELECT count(*), sum(octet_length(state)) FROM {}").format(table)
        ).fetchone()
        assert row is not None
        events, json_bytes = int(str(row[0])), int(str(row[1]))
        sizes = _sizes(admin, location.schema)
    finally:
        admin.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(location.schema))
        )
        admin.close()
    log = sizes.pop(POSTGRES_EVENTS_TABLE, 0)
    views = sum(size for name, size in sizes.items() if name.startswith("views_"))
    other = sum(size for name, size in sizes.items() if not name.startswith("views_"))
    total = log + views + other
    per = json_bytes / events
    print(f"{events:,} events on PostgreSQL ({args.postgres_url}), schema {location.schema}")
    print(f"  copy through the recorder (with leaves): {copied:.1f} s, {events / copied:,.0f} ev/s")
    print(f"  rebuild of the views: {rebuilt:.1f} s, {events / rebuilt:,.0f} ev/s")
    print("| part | MiB | bytes/event | × stored JSON |")
    print("|---|---:|---:|---:|")
    for name, size in [
        ("stored JSON (`octet_length(state)`, baseline)", json_bytes),
        ("log table (heap, TOAST, indexes)", log),
        ("Merkle tree and other tables of the log", other),
        ("views (`views_*`)", views),
        ("whole schema", total),
    ]:
        print(f"| {name} | {size / MIB:,.1f} | {size / events:,.0f} | {size / events / per:.2f}× |")
    for name, size in sorted(sizes.items()):
        print(f"    {name}: {size / MIB:,.1f} MiB")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.shard_size", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--out", default="bench/out/projections", help="where the log is cached")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    run(parse(argv))


if __name__ == "__main__":
    main()
