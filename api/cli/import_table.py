"""`adviesspoor import-tabel FILE`: read in a reaction table (CSV) as the pages do: every row is
checked first and nothing is stored when one is wrong; then all rows in one transaction, once per
file (a second run with the same file records nothing)."""

import argparse
import sys
from pathlib import Path
from typing import Any
from uuid import uuid4

from api.cli.common import CommandError, fail
from api.pages import table
from events import Role
from events.store import StoreUrlError, check_municipality
from ledger import Actor, Ledgers, amsterdam_today
from projections import ReadModels


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import-tabel",
        help="lees een reactietabel (CSV) in: alle regels of geen",
        description="Leest een reactietabel in (kolommen adviesorgaan, advies, punt, opmerking, "
        "reactie, uitkomst, motivering, consequentie, datum; ';' of ','; UTF-8 of Windows-1252). "
        "Klopt één regel niet, dan wordt niets vastgelegd. Hetzelfde bestand nog eens inlezen "
        "legt niets dubbel vast.",
    )
    parser.add_argument("bestand", type=Path, help="het CSV-bestand")
    parser.add_argument("--gemeente", default="groningen", help="standaard: groningen")
    parser.add_argument(
        "--naam", default="import-tabel", help="wie het vastlegt (standaard: import-tabel)"
    )
    parser.add_argument(
        "--controleer", action="store_true", help="alleen controleren, niets vastleggen"
    )
    parser.set_defaults(handler=import_table)


def import_table(args: argparse.Namespace) -> int:
    try:
        store = args.settings.store
        municipality = check_municipality(args.gemeente)
        data = args.bestand.read_bytes()
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    except OSError as error:
        return fail(CommandError(f"Kan {args.bestand} niet lezen: {error.strerror}.", 2))
    actor = Actor(args.naam, Role.SECRETARIAT, f"import-tabel-{uuid4()}")
    ledgers, models = Ledgers(store), ReadModels(store)
    try:
        model = models[municipality]
        model.ensure_current(timeout=60)
        plan = table.check(model, data, amsterdam_today())
        ledger = ledgers[municipality]
        table.preview(ledger, actor, plan)
        for row in plan.rows:
            what = (
                "; ".join(row.errors)
                if row.errors
                else {
                    "nieuw": "wordt vastgelegd",
                    "ongewijzigd": "staat er al",
                }[row.status]
            )
            print(f"regel {row.line}: {row.cells['advies'][:50]}, punt {row.cells['punt']}: {what}")
        if not plan.ok:
            for message in plan.errors:
                print(message, file=sys.stderr)
            print(f"Niets vastgelegd: {plan.error_count} fout(en).", file=sys.stderr)
            return 1
        if args.controleer:
            print(f"Klopt: {len(plan.inputs)} reactie(s) zouden worden vastgelegd.")
            return 0
        stored = table.record(ledger, actor, plan)
    finally:
        ledgers.close_all()
        models.close_all()
    if stored is None:
        print("Dit bestand is al eerder ingelezen; niets nieuws vastgelegd.")
    elif stored == 0:
        print("Alles stond er al; niets nieuws vastgelegd.")
    else:
        print(f"{stored} reactie(s) vastgelegd, in één keer.")
    return 0
