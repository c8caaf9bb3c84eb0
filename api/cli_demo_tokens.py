"""`adviesspoor demo-tokens`: fresh tokens for every role of the demo, printed with how to use them.

The demo's earlier tokens (named `demo-…`) are revoked first, so `make run` never piles them up.
"""

import argparse
from typing import Any

from api.cli_events import CommandError, fail
from api.demo.loader import demo_id
from api.edge_store import EdgeStore
from api.vocabulary import ROLES
from events import Role
from events.store import StoreUrlError
from ledger import store_url_from_env

MUNICIPALITY = "groningen"
MEMBER_BODY = ("stadadviseert", "Stadadviseert")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo-tokens", help="maak nieuwe demo-tokens voor elke rol (oude demo-tokens vervallen)"
    )
    parser.add_argument("--adres", default="http://127.0.0.1:8080", help="waar de server draait")
    parser.set_defaults(handler=demo_tokens)


def demo_tokens(args: argparse.Namespace) -> int:
    try:
        store = store_url_from_env()
        edge = EdgeStore(store)
        try:
            edge.prepare()
            for token in edge.tokens():
                if token.municipality == MUNICIPALITY and token.name.startswith("demo-"):
                    edge.revoke_token(token.id)
            body_id = demo_id(MUNICIPALITY, "body", MEMBER_BODY[0])
            made = {
                role: edge.create_token(
                    MUNICIPALITY,
                    role,
                    body_id if role is Role.MEMBER else None,
                    f"demo-{ROLES.dutch(role)}",
                )[1]
                for role in (Role.ADMINISTRATOR, Role.SECRETARIAT, Role.MEMBER, Role.AUDITOR)
            }
        finally:
            edge.close()
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    print(f"\nAdviesspoor, gemeente {MUNICIPALITY}: {args.adres}/api/v1")
    print("Meld u aan met een van deze tokens (Authorization: Bearer <token>):\n")
    for role, secret in made.items():
        label = ROLES.dutch(role)
        if role is Role.MEMBER:
            label += f" ({MEMBER_BODY[1]})"
        print(f"  {label:<22} {secret}")
    print(
        "\nProbeer bijvoorbeeld:\n"
        f'  curl -H "Authorization: Bearer {made[Role.AUDITOR]}" '
        f"{args.adres}/api/v1/statistieken\n"
        f'  curl -H "Authorization: Bearer {made[Role.MEMBER]}" {args.adres}/api/v1/volglijst\n'
        f"De API-beschrijving: {args.adres}/api/v1/openapi.json\n"
    )
    return 0
