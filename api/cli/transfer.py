"""`adviesspoor export`, `verify` and `import`: the log as a file, checked offline or in the store,
and restored into an empty store (backup and restore, SQLite → PostgreSQL) in one command."""

import argparse
import os
import sys
from base64 import b64encode
from pathlib import Path
from typing import Any

from api.cli.common import CommandError, fail
from api.cli.integrity import text_of
from api.cli.log import FAILURES, add_municipality, chosen, failure, opened, progress_bar, store
from events.store import StoreUrlError
from ledger.integrity import NoteError, VerificationError, VerifierKey, verify_file
from ledger.integrity import verifier as offline
from ledger.log_transfer import export_log, import_log, read_export_head
from ledger.log_verify import verify_store
from ledger.personal_keys import dump, load
from ledger.personal_transfer import KeyFileError, open_keys, seal_keys
from ledger.signing_keys import SigningKeys
from projections.registry import municipalities

PASSPHRASE_SETTING = "ADVIESSPOOR_KEY_PASSPHRASE"  # noqa: S105 - the name of a setting


def register(subparsers: Any) -> None:
    export = subparsers.add_parser(
        "export",
        help="schrijf de log van een gemeente als JSON-regels (met bladen en controlepunten)",
        description="Schrijft de log zoals opgeslagen, met per gebeurtenis haar blad, en alle "
        "controlepunten, als JSON-regels (docs/verification.md §6). Controleer het bestand "
        "met adviesspoor verify; herstel het met adviesspoor import.",
    )
    export.add_argument("--out", required=True, metavar="BESTAND", help="het nieuwe bestand")
    add_municipality(export)
    export.add_argument(
        "--sleutels",
        metavar="BESTAND",
        help="schrijf ook de sleutels van de persoonsgegevens, versleuteld met het wachtwoord "
        f"in ${PASSPHRASE_SETTING} (voor herstel of overstap; nooit leesbaar)",
    )
    export.set_defaults(handler=export_file)

    verify = subparsers.add_parser(
        "verify",
        help="controleer een export (zonder database), of met --database de opgeslagen log",
        description="Controleert elk blad, de wortel en elk controlepunt. Print OK <grootte> "
        "<wortel> en stopt met 0, of noemt de eerste foute positie en stopt met 1.",
    )
    offline.add_arguments(verify, file_required=False)
    verify.add_argument(
        "--database",
        action="store_true",
        help="controleer de opgeslagen log in plaats van een export",
    )
    verify.add_argument("--gemeente", help="met --database: alleen deze gemeente (standaard: alle)")
    verify.set_defaults(handler=verify_log)

    restore = subparsers.add_parser(
        "import",
        help="herstel een export in een lege database (herstel, of overstap naar PostgreSQL)",
        description="Controleert de export zoals adviesspoor verify en zet haar dan in een LEGE "
        "log van de gemeente uit de export, in de database van ADVIESSPOOR_DATABASE_URL (of haar "
        "shard in ADVIESSPOOR_SHARDS): "
        "dezelfde posities, bladen, wortel en controlepunten.",
    )
    restore.add_argument("file", metavar="BESTAND", help="de export")
    restore.add_argument(
        "--public-key",
        action="append",
        default=[],
        metavar="SLEUTEL",
        help="controleer de handtekeningen van de controlepunten met deze sleutel; herhaalbaar",
    )
    restore.add_argument(
        "--sleutels",
        metavar="BESTAND",
        help=f"de sleutels van de persoonsgegevens (van export --sleutels; ${PASSPHRASE_SETTING})",
    )
    restore.set_defaults(handler=import_file)


def _passphrase(args: argparse.Namespace) -> str | None:
    if args.sleutels is None:
        return None
    passphrase = os.environ.get(PASSPHRASE_SETTING, "")
    if not passphrase:
        msg = f"Zet bij --sleutels een wachtwoord in ${PASSPHRASE_SETTING}."
        raise CommandError(msg, 2)
    return passphrase


def export_file(args: argparse.Namespace) -> int:
    out = Path(args.out)
    partial = out.with_name(out.name + ".deels")
    try:
        passphrase = _passphrase(args)
        where = store()
        municipality = chosen(where, args.gemeente)
        with opened(where, municipality) as ledger, partial.open("wb") as file:
            size, root = export_log(ledger.integrity, file)
            file.flush()
            os.fsync(file.fileno())
            if passphrase is not None:
                sealed = seal_keys(dump(ledger.personal), municipality, passphrase)
                Path(args.sleutels).write_bytes(sealed)
        partial.replace(out)
    except CommandError as error:
        partial.unlink(missing_ok=True)
        return fail(error)
    except FAILURES as error:
        partial.unlink(missing_ok=True)
        return fail(CommandError(failure(error), 1))
    print(
        f"Export van {municipality}: {size} gebeurtenissen, wortel {b64encode(root).decode()}, "
        f"in {out}.",
        file=sys.stderr,
    )
    return 0


def _keys(texts: list[str]) -> list[VerifierKey]:
    try:
        return [VerifierKey.parse(text_of(text)) for text in texts]
    except NoteError as error:
        raise CommandError(f"Onbruikbare publieke sleutel: {error}.", 2) from None


def verify_log(args: argparse.Namespace) -> int:
    if not args.database:
        if args.file is None:
            return fail(CommandError("Geef een export (BESTAND) of --database.", 2))
        if args.gemeente:
            return fail(CommandError("--gemeente hoort bij --database.", 2))
        return offline.run(args)
    if args.file is not None:
        return fail(CommandError("Geef een export (BESTAND) of --database, niet allebei.", 2))
    try:
        where = store()
        chosen_ones = [chosen(where, args.gemeente)] if args.gemeente else municipalities(where)
        given = _keys(args.public_key)
        for municipality in chosen_ones:
            own = SigningKeys(where).public(municipality)
            keys = given or ([own] if own else [])
            bar = progress_bar(f"{municipality}: controleren")
            with opened(where, municipality) as ledger:
                try:
                    result = verify_store(
                        ledger.integrity.transaction,
                        ledger.integrity.origin,
                        keys=keys,
                        required=args.vereis_medeondertekening,
                        progress=bar,
                    )
                except VerificationError as error:
                    bar.end()
                    print(f"FOUT {municipality} {error}")
                    return 1
            bar.end()
            print(f"OK {result.size} {b64encode(result.root).decode()} ({municipality})")
            for size, signed_by in result.checkpoints:
                names = ", ".join(sorted(signed_by)) or "niet gecontroleerd"
                print(f"  controlepunt grootte {size}, ondertekend door {names}")
            if not keys and result.checkpoints:
                print("  LET OP: geen sleutel; de handtekeningen zijn niet gecontroleerd")
    except CommandError as error:
        return fail(error)
    except FAILURES as error:
        return fail(CommandError(failure(error), 1))
    return 0


def import_file(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        keys = _keys(args.public_key)
        passphrase = _passphrase(args)
        where = store()
        # Checked before anything is made in the store: a bad file leaves no empty log behind.
        verified = verify_file(path, keys=keys)
        head = read_export_head(path)
        location = where.location(head.municipality)
        personal = None
        if passphrase is not None:
            raw = Path(args.sleutels).read_bytes()
            personal = open_keys(raw, location.municipality, passphrase)
        bar = progress_bar(f"{location.municipality}: herstellen")
        with opened(where, location.municipality) as ledger:
            size, root = import_log(ledger.integrity, path, verified=verified, progress=bar)
            if personal is not None:
                load(ledger.personal, personal)
        bar.end()
    except (StoreUrlError, KeyFileError, ValueError) as error:
        return fail(CommandError(f"Niet hersteld: {error}", 1))
    except CommandError as error:
        return fail(error)
    except FAILURES as error:
        return fail(CommandError(f"Niet hersteld: {failure(error)}", 1))
    print(
        f"Hersteld: {location.municipality}, {size} gebeurtenissen, wortel "
        f"{b64encode(root).decode()}."
    )
    return 0
