"""`adviesspoor demo-tokens`: fresh tokens for every role of the demo, printed with how to use them.

The demo's earlier tokens (named `demo-…`) are revoked first, so `make run` never piles them up.
"""

import argparse
from typing import Any
from uuid import UUID

from api.cli import token_log
from api.cli.common import CommandError, fail
from api.demo.loader import demo_id
from api.edge_store import EdgeStore
from api.vocabulary import ROLES
from events import Role
from events.store import StoreUrlError
from ledger import Ledgers

MUNICIPALITY = "groningen"
# The bodies whose members get a token: (key in the demo data, name for people).
MEMBER_BODIES = (("stadadviseert", "Stadadviseert"), ("wij-raad", "WIJ-raad"))


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo-tokens", help="maak nieuwe demo-tokens voor elke rol (oude demo-tokens vervallen)"
    )
    parser.add_argument("--adres", default="http://127.0.0.1:8080", help="waar de server draait")
    parser.set_defaults(handler=demo_tokens)


def demo_tokens(args: argparse.Namespace) -> int:
    try:
        store = args.settings.store
        edge, ledgers = EdgeStore(store), Ledgers(store)
        actor = token_log.command_line_actor()

        def issue(role: Role, body_id: UUID | None, name: str) -> str:
            return token_log.issue(ledgers, edge, MUNICIPALITY, role, body_id, name, actor)[1]

        try:
            edge.prepare()
            for token in edge.tokens():
                if token.municipality == MUNICIPALITY and token.name.startswith("demo-"):
                    token_log.revoke(ledgers, edge, token.id, actor)
            made: list[tuple[str, str]] = []
            for role in (Role.ADMINISTRATOR, Role.SECRETARIAT, Role.MEMBER, Role.AUDITOR):
                label = ROLES.dutch(role)
                if role is not Role.MEMBER:
                    made.append((label, issue(role, None, f"demo-{label}")))
                    continue
                for key, name in MEMBER_BODIES:
                    body_id = demo_id(MUNICIPALITY, "body", key)
                    made.append((f"{label} ({name})", issue(role, body_id, f"demo-{label}-{key}")))
        finally:
            edge.close()
            ledgers.close_all()
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    print(f"\nAdviesspoor, de pagina's: {args.adres}/{MUNICIPALITY}")
    print(f"Meld u aan op {args.adres}/aanmelden met een van deze tokens")
    print(f"(de API, {args.adres}/api/v1: Authorization: Bearer <token>):\n")
    for label, secret in made:
        print(f"  {label:<22} {secret}")
    tokens = dict(made)
    print(
        "\nProbeer bijvoorbeeld:\n"
        f'  curl -H "Authorization: Bearer {tokens["auditor"]}" '
        f"{args.adres}/api/v1/statistieken\n"
        f'  curl -H "Authorization: Bearer {tokens["lid (Stadadviseert)"]}" '
        f"{args.adres}/api/v1/volglijst\n"
        f"De API-beschrijving: {args.adres}/api/v1/openapi.json\n"
    )
    return 0
