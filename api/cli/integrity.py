"""`adviesspoor keys` and `adviesspoor checkpoint`: the log's signing key, its signed checkpoints,
and cosigning by an independent party (docs/verification.md §4–5)."""

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64decode
from pathlib import Path
from typing import Any

from api.cli.common import CommandError, fail
from api.cli.log import FAILURES, add_municipality, chosen, failure, opened, store
from ledger.integrity import (
    Checkpoint,
    SignerKey,
    VerifierKey,
    cosign_checkpoint,
    open_checkpoint,
    read_checkpoint,
)
from ledger.log_integrity import ORIGIN_PREFIX
from ledger.signing_keys import KeyExistsError, SigningKeys

TOKEN_SETTING = "ADVIESSPOOR_TOKEN"  # noqa: S105 - the name of a setting, not a token


def register(subparsers: Any) -> None:
    keys = subparsers.add_parser(
        "keys", help="de sleutel waarmee de log zijn controlepunten tekent"
    )
    actions = keys.add_subparsers(dest="action", required=True, metavar="actie")
    create = actions.add_parser(
        "create",
        help="maak een sleutel: die van de log (--gemeente) of van een medeondertekenaar",
        description="Met --gemeente: maakt de sleutel van de log van die gemeente en bewaart hem "
        "buiten de log (zie docs/verification.md). Met --naam en --bestand: maakt de sleutel "
        "van een medeondertekenaar (rekenkamer, accountant) in dat bestand. Op stdout komt "
        "alleen de publieke sleutel, om te publiceren.",
    )
    create.add_argument("--gemeente", help="de gemeente waarvan de log tekent")
    create.add_argument("--naam", help="naam van de medeondertekenaar, bv. rekenkamer.groningen.nl")
    create.add_argument("--bestand", help="waar de geheime sleutel van de medeondertekenaar komt")
    create.set_defaults(handler=create_key)
    show = actions.add_parser("show", help="print de publieke sleutel van de log")
    add_municipality(show)
    show.set_defaults(handler=show_key)

    checkpoint = subparsers.add_parser(
        "checkpoint",
        help="teken de huidige boom (een controlepunt) en print het",
        description="Tekent de huidige stand van de log (grootte en wortel) als controlepunt, "
        "bewaart het en print het; is de log sinds het laatste niet gegroeid, dan dat.",
    )
    add_municipality(checkpoint)
    checkpoint.set_defaults(handler=make_checkpoint)
    steps = checkpoint.add_subparsers(dest="action", metavar="actie")
    cosign = steps.add_parser(
        "cosign",
        help="onderteken een controlepunt mee, na controle tegen het vorige",
        description="Voor de onafhankelijke partij: controleert de handtekening van de log en, "
        "met een consistentiebewijs, dat het controlepunt volgt op het laatste dat u "
        "meeondertekende (in --staat), en zet dan uw handtekening eronder. Het bewijs komt van "
        "de API (--api, met een auditortoken) of uit de database (ADVIESSPOOR_DATABASE_URL).",
    )
    cosign.add_argument("note", metavar="CONTROLEPUNT", help="het controlepunt (tekst of bestand)")
    cosign.add_argument("--key", required=True, help="uw geheime sleutel (tekst of bestand)")
    cosign.add_argument("--log-key", required=True, help="de publieke sleutel van de log")
    cosign.add_argument(
        "--staat", required=True, help="uw staatbestand: het laatst meeondertekende controlepunt"
    )
    cosign.add_argument("--api", help="bv. https://adviesspoor.example.nl/api/v1")
    cosign.add_argument("--token", help=f"auditortoken voor --api (standaard: ${TOKEN_SETTING})")
    cosign.set_defaults(handler=cosign_note)
    keep = steps.add_parser(
        "store", help="bewaar een meeondertekend controlepunt bij de log (voor de export)"
    )
    keep.add_argument("note", metavar="CONTROLEPUNT", help="het controlepunt (tekst of bestand)")
    keep.set_defaults(handler=store_note)


def text_of(value: str) -> str:
    """A key or note given on the command line: the text itself, or a file holding it."""
    try:
        is_file = "\n" not in value and Path(value).is_file()
    except OSError:  # a text too long to be a file name
        is_file = False
    if is_file:
        return Path(value).read_text(encoding="utf-8").replace("\r\n", "\n")
    return value


def _note(value: str) -> str:
    text = text_of(value)
    return text if text.endswith("\n") else text + "\n"


def create_key(args: argparse.Namespace) -> int:
    try:
        if args.gemeente is not None:
            if args.naam or args.bestand:
                raise CommandError("Geef --gemeente, of --naam met --bestand, niet allebei.", 2)
            where = store()
            municipality = chosen(where, args.gemeente)
            keys = SigningKeys(where)
            try:
                public = keys.create(municipality)
            except KeyExistsError:
                msg = f"Gemeente {municipality} heeft al een sleutel ({keys.where(municipality)})."
                raise CommandError(msg, 1) from None
            print(public.text())
            print(f"Sleutel bewaard in {keys.where(municipality)}.", file=sys.stderr)
            return 0
        if not args.naam or not args.bestand:
            raise CommandError("Geef --gemeente, of --naam en --bestand.", 2)
        signer = SignerKey.generate(args.naam)
        try:
            handle = os.open(args.bestand, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{args.bestand} bestaat al; kies een ander bestand.", 1) from None
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(signer.text() + "\n")
        print(signer.verifier().text())
        return 0
    except CommandError as error:
        return fail(error)
    except FAILURES as error:
        return fail(CommandError(failure(error), 1))


def _signer(where: Any, municipality: str) -> SignerKey:
    key = SigningKeys(where).signer(municipality)
    if key is None:
        msg = (
            f"Gemeente {municipality} heeft nog geen sleutel; maak er een met "
            f"adviesspoor keys create --gemeente {municipality}."
        )
        raise CommandError(msg, 1)
    return key


def show_key(args: argparse.Namespace) -> int:
    try:
        where = store()
        municipality = chosen(where, args.gemeente)
        print(_signer(where, municipality).verifier().text())
        return 0
    except CommandError as error:
        return fail(error)
    except FAILURES as error:
        return fail(CommandError(failure(error), 1))


def make_checkpoint(args: argparse.Namespace) -> int:
    try:
        where = store()
        municipality = chosen(where, args.gemeente)
        key = _signer(where, municipality)
        with opened(where, municipality) as ledger:
            stored, new = ledger.integrity.make_checkpoint(key)
    except CommandError as error:
        return fail(error)
    except FAILURES as error:
        return fail(CommandError(failure(error), 1))
    print(stored.note, end="")
    state = "nieuw" if new else "ongewijzigd sinds het vorige"
    print(f"Controlepunt van grootte {stored.size} ({state}).", file=sys.stderr)
    return 0


def _proof_from_api(api: str, token: str, old: int, new: int) -> list[bytes]:
    query = urllib.parse.urlencode({"van": old, "tot": new})
    request = urllib.request.Request(  # noqa: S310 - the auditor names the server to ask
        f"{api.rstrip('/')}/bewijzen/consistentie?{query}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - see above
            body = json.loads(answer.read())
    except urllib.error.HTTPError as error:
        raise CommandError(
            f"De API antwoordde {error.code} op de vraag om een bewijs.", 1
        ) from None
    except (urllib.error.URLError, TimeoutError) as error:
        raise CommandError(f"De API is niet bereikbaar: {error}.", 1) from None
    return [b64decode(value) for value in body["bewijs"]]


def _proof(args: argparse.Namespace, previous: Checkpoint, new: Checkpoint) -> list[bytes]:
    if args.api:
        token = args.token or os.environ.get(TOKEN_SETTING)
        if not token:
            raise CommandError(f"Geef bij --api een auditortoken: --token of ${TOKEN_SETTING}.", 2)
        return _proof_from_api(args.api, token, previous.size, new.size)
    where = store()
    municipality = chosen(where, new.origin.removeprefix(ORIGIN_PREFIX))
    with opened(where, municipality) as ledger:
        return ledger.integrity.consistency(previous.size, new.size).path


def cosign_note(args: argparse.Namespace) -> int:
    try:
        note = _note(args.note)
        key = SignerKey.parse(text_of(args.key))
        log_key = VerifierKey.parse(text_of(args.log_key))
        state = Path(args.staat)
        checkpoint, _ = open_checkpoint(note, [log_key])
        previous = read_checkpoint(_note(state.read_text("utf-8"))) if state.exists() else None
        proof: list[bytes] = []
        if previous is not None:
            if previous.origin != checkpoint.origin or previous.size > checkpoint.size:
                msg = (
                    f"Dit controlepunt ({checkpoint.origin}, grootte {checkpoint.size}) volgt "
                    f"niet op het vorige in {state} ({previous.origin}, grootte {previous.size})."
                )
                raise CommandError(msg, 1)
            proof = _proof(args, previous, checkpoint)
        cosigned = cosign_checkpoint(note, key, log_keys=[log_key], previous=previous, proof=proof)
        temporary = state.with_name(state.name + ".nieuw")
        temporary.write_text(cosigned, encoding="utf-8")
        temporary.replace(state)
    except CommandError as error:
        return fail(error)
    except FAILURES as error:
        return fail(CommandError(failure(error), 1))
    print(cosigned, end="")
    return 0


def store_note(args: argparse.Namespace) -> int:
    try:
        note = _note(args.note)
        where = store()
        municipality = chosen(where, read_checkpoint(note).origin.removeprefix(ORIGIN_PREFIX))
        log_key = _signer(where, municipality).verifier()
        with opened(where, municipality) as ledger:
            stored = ledger.integrity.store_cosigned(note, log_key)
    except CommandError as error:
        return fail(error)
    except FAILURES as error:
        return fail(CommandError(failure(error), 1))
    print(f"Controlepunt van grootte {stored.size} bewaard met zijn medeondertekeningen.")
    return 0
