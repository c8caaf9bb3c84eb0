"""`adviesspoor token create|list|revoke`: the access tokens of the HTTP API.

`create` prints the token, and nothing else, on stdout; only its SHA-256 is stored, so it cannot
be shown again. Tokens count at once, also for a server that is already running. Making and
revoking a token is recorded in the municipality's log (api/token_log.py).
"""

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import PersistenceError

from api.cli import token_log
from api.cli.common import CommandError, describe, fail, shown
from api.edge_store import EdgeStore
from api.http.auth import TOKEN_ROLES
from api.vocabulary import ROLES
from events import Role
from events.store import StoreUrl, StoreUrlError, check_municipality
from ledger import LedgerError, Ledgers, NotFoundError


def register(subparsers: Any) -> None:
    token = subparsers.add_parser("token", help="maak, toon of trek tokens voor de API in")
    actions = token.add_subparsers(dest="action", required=True, metavar="actie")
    create = actions.add_parser(
        "create",
        help="maak een token; alleen het token komt op stdout",
        description="Maakt een token voor de API en print alleen dat token. Bewaar het goed: "
        "het is later niet meer op te vragen.",
    )
    create.add_argument("--gemeente", required=True, help="de gemeente (slug), bv. groningen")
    create.add_argument("--rol", required=True, choices=[ROLES.dutch(role) for role in TOKEN_ROLES])
    create.add_argument("--adviesorgaan", help="id van het adviesorgaan; verplicht bij rol lid")
    create.add_argument("--naam", help="naam die bij elke vastlegging wordt bewaard")
    create.set_defaults(handler=create_token)
    listing = actions.add_parser("list", help="toon de geldige tokens (zonder geheimen)")
    listing.add_argument("--gemeente", help="alleen deze gemeente")
    listing.set_defaults(handler=list_tokens)
    revoke = actions.add_parser("revoke", help="trek een token in; het werkt meteen niet meer")
    revoke.add_argument("id", help="het id uit `adviesspoor token list`")
    revoke.set_defaults(handler=revoke_token)


def create_token(args: argparse.Namespace) -> int:
    try:
        store = args.settings.store
        municipality = check_municipality(args.gemeente)
        role = ROLES.english(args.rol)
        body_id = _body(store, municipality, role, args.adviesorgaan)
        with _edge_store(store) as edge, _ledgers(store) as ledgers:
            record, secret = token_log.issue(
                ledgers,
                edge,
                municipality,
                role,
                body_id,
                args.naam or args.rol,
                token_log.command_line_actor(),
            )
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    except CommandError as error:
        return fail(error)
    print(secret, flush=True)
    print(
        f"Token {record.id} gemaakt: gemeente {municipality}, rol {args.rol}, "
        f"naam '{shown(record.name)}'. Het wordt niet nog eens getoond.",
        file=sys.stderr,
    )
    return 0


def list_tokens(args: argparse.Namespace) -> int:
    try:
        with _edge_store(args.settings.store) as edge:
            tokens = edge.tokens()
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    except CommandError as error:
        return fail(error)
    print("id\tgemeente\trol\tadviesorgaan\tnaam\taangemaakt")
    for token in tokens:
        if args.gemeente and token.municipality != args.gemeente:
            continue
        body = str(token.body_id) if token.body_id else "-"
        created = token.created.isoformat(timespec="seconds")
        role = ROLES.dutch(token.role)
        print(f"{token.id}\t{token.municipality}\t{role}\t{body}\t{shown(token.name)}\t{created}")
    return 0


def revoke_token(args: argparse.Namespace) -> int:
    try:
        store = args.settings.store
        with _edge_store(store) as edge, _ledgers(store) as ledgers:
            revoked = token_log.revoke(ledgers, edge, args.id, token_log.command_line_actor())
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    except CommandError as error:
        return fail(error)
    if revoked is None:
        return fail(CommandError(f"Er is geen geldig token met id '{args.id}'.", 1))
    print(f"Token {args.id} ingetrokken.")
    return 0


def _body(store: StoreUrl, municipality: str, role: Role, given: str | None) -> UUID | None:
    """The body a `lid` speaks for: required for a lid, refused for any other role."""
    if role is not Role.MEMBER:
        if given:
            raise CommandError("--adviesorgaan hoort alleen bij de rol lid.", 2)
        return None
    if not given:
        raise CommandError("Een token met rol lid hoort bij een adviesorgaan: --adviesorgaan.", 2)
    try:
        body_id = UUID(given)
    except ValueError:
        raise CommandError(f"'{given}' is geen id van een adviesorgaan (een UUID).", 2) from None
    ledgers = Ledgers(store)
    try:
        ledgers[municipality].get_body(body_id)
    except NotFoundError:
        msg = f"Adviesorgaan {body_id} bestaat niet in gemeente {municipality}."
        raise CommandError(msg, 2) from None
    except psycopg.OperationalError as error:
        raise CommandError(f"De database is niet bereikbaar: {error}", 1) from None
    finally:
        ledgers.close_all()
    return body_id


@contextmanager
def _ledgers(store: StoreUrl) -> Iterator[Ledgers]:
    """The ledgers the token's issue or revocation is recorded in; a refusal is one sentence."""
    ledgers = Ledgers(store)
    try:
        yield ledgers
    except LedgerError as error:
        raise CommandError(f"Niet vastgelegd: {error.message}", 1) from None
    except (psycopg.OperationalError, PersistenceError) as error:
        raise CommandError(f"De database is niet bereikbaar: {error}", 1) from None
    finally:
        ledgers.close_all()


@contextmanager
def _edge_store(store: StoreUrl) -> Iterator[EdgeStore]:
    """The edge store, prepared, and closed afterwards; an unreachable database is exit code 1."""
    edge = EdgeStore(store)
    try:
        edge.prepare()
        yield edge
    except psycopg.OperationalError as error:
        msg = f"De database van {describe(store)} is niet bereikbaar: {error}"
        raise CommandError(msg, 1) from None
    finally:
        edge.close()
