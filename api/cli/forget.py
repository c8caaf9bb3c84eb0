"""`adviesspoor forget`: erase a resident's or an actor's personal data without breaking the proof.

In this order: the forgetting is recorded in the municipality's log (whose, by whom, when; never
the data); the subject's key is destroyed (ledger/personal_keys.py), so its sealed texts read
`[verwijderd]` everywhere; an actor's name is wiped from the token table; after every process's
copy of the keys has expired, all views of the municipality are rebuilt from the log (they held
the texts opened) and every SQLite file that held them is rewritten (VACUUM, WAL emptied), so no
file keeps the plaintext. The stored events never held it: the proofs and the exports still
verify. Best run while the server is quiet: a rebuild may make it answer 503 for a moment.
"""

import argparse
import sqlite3
import sys
import time
from typing import Any
from uuid import UUID

import psycopg

from api.cli import token_log
from api.cli.common import CommandError, describe, fail
from api.cli.log import FAILURES, add_municipality, chosen, failure, opened, progress_bar, store
from api.edge_store import EdgeStore
from events.store import LogLocation
from ledger import LedgerError
from ledger.personal_keys import TTL_SECONDS
from projections.read_model import ReadModel
from projections.store import ViewTables

# SQLite: a rewrite may find a reader between two statements; it is tried again.
COMPACT_TRIES = 20


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "forget",
        help="vergeet de persoonsgegevens van een inwoner of een actor (het bewijs blijft kloppen)",
        description="Vernietigt de sleutel van een inwoner (--adviesorgaan) of van een actor "
        "(--actor, de naam bij de vastleggingen): hun namen en teksten worden overal "
        "[verwijderd]. Het vergeten zelf wordt vastgelegd (van wie, door wie, wanneer). De "
        "overzichten worden daarna opnieuw opgebouwd; adviesspoor verify blijft slagen.",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--adviesorgaan", metavar="ID", help="het id van een adviesorgaan (inwoner)")
    who.add_argument("--actor", metavar="NAAM", help="de naam van een actor (van een token)")
    add_municipality(parser)
    parser.set_defaults(handler=forget)


def forget(args: argparse.Namespace) -> int:
    try:
        where = store()
        municipality = chosen(where, args.gemeente)
        edge = EdgeStore(where)
        try:
            edge.prepare()
            if args.actor is not None:
                _no_valid_token(edge, municipality, args.actor)
            with opened(where, municipality) as ledger:
                actor = token_log.command_line_actor()
                if args.adviesorgaan is not None:
                    recorded = ledger.forget_body(actor, _uuid(args.adviesorgaan))
                else:
                    recorded = ledger.forget_actor(actor, args.actor)
                    edge.forget_name(municipality, args.actor)
                ledger.personal.compact()
        finally:
            edge.close()
        # Every process's copy of the keys expires within TTL_SECONDS: only then do the views
        # rebuilt below stay without the texts.
        time.sleep(TTL_SECONDS + 0.5)
        _rebuild_views(where.location(municipality))
    except LedgerError as error:
        return fail(CommandError(f"Niet vergeten: {error.message}", 1))
    except CommandError as error:
        return fail(error)
    except FAILURES as error:
        return fail(CommandError(failure(error), 1))
    print(
        f"Vergeten in {municipality} (vastgelegd op positie {recorded.position}); de "
        f"overzichten in {describe(where)} zijn opnieuw opgebouwd."
    )
    return 0


def _uuid(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise CommandError(f"'{text}' is geen id van een adviesorgaan (een UUID).", 2) from None


def _no_valid_token(edge: EdgeStore, municipality: str, name: str) -> None:
    valid = [t for t in edge.tokens() if t.municipality == municipality and t.name == name]
    if valid:
        ids = ", ".join(token.id for token in valid)
        msg = f"Er is nog een geldig token met deze naam ({ids}); trek het eerst in."
        raise CommandError(msg, 1)


def _rebuild_views(location: LogLocation) -> None:
    """Every view of the municipality built again from the log, and the old copies gone."""
    model = ReadModel(location)
    bar = progress_bar(f"{location.municipality}: overzichten opnieuw opbouwen")
    try:
        model.rebuild(progress=bar)
    finally:
        bar.end()
        model.close()
    compact_views(location)


def compact_views(location: LogLocation) -> None:
    """Rewrite what held the views, so no deleted page keeps an old text: the SQLite file (and
    an emptied WAL), or every view table on PostgreSQL (VACUUM FULL writes them anew)."""
    if location.backend == "sqlite":
        compact_sqlite(location.views_file)
        return
    assert location.server is not None
    # Every view table: texts are in the documents, the points and their search words, the
    # answers and the lists (the names are ours, quoted by ViewTables).
    with psycopg.connect(location.server.conninfo(), autocommit=True) as conn:
        for table in ViewTables(location).views:
            conn.execute(f"VACUUM FULL {table}".encode())


def compact_sqlite(path: Any) -> None:
    """VACUUM a SQLite file and empty its WAL (retried while another connection reads)."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        conn.execute("VACUUM")
        for _ in range(COMPACT_TRIES):
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            time.sleep(0.1)
        print(f"Let op: het WAL-bestand van {path} kon niet worden geleegd.", file=sys.stderr)
    finally:
        conn.close()
