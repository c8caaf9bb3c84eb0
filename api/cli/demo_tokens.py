"""`adviesspoor demo-tokens`: fresh tokens for every role of the demo, printed with how to use them.

The demo's earlier tokens (named `demo-…`) are revoked first, so `make run` never piles them up.
"""

import argparse
from typing import Any

from api.cli.common import CommandError, fail
from api.demo.loader import demo_id
from api.edge_store import EdgeStore
from api.vocabulary import ROLES
from events import Role
from events.store import StoreUrlError

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
        edge = EdgeStore(store)
        try:
            edge.prepare()
            for token in edge.tokens():
                if token.municipality == MUNICIPALITY and token.name.startswith("demo-"):
                    edge.revoke_token(token.id)
            made: list[tuple[str, str]] = []
            for role in (Role.ADMINISTRATOR, Role.SECRETARIAT, Role.MEMBER, Role.AUDITOR):
                label = ROLES.dutch(role)
                if role is not Role.MEMBER:
                    secret = edge.create_token(MUNICIPALITY, role, None, f"demo-{label}")[1]
                    made.append((label, secret))
                    continue
                for key, name in MEMBER_BODIES:
                    body_id = demo_id(MUNICIPALITY, "body", key)
                    secret = edge.create_token(MUNICIPALITY, role, body_id, f"demo-{label}-{key}")[
                        1
                    ]
                    made.append((f"{label} ({name})", secret))
        finally:
            edge.close()
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    print(f"\nAdviesspoor, gemeente {MUNICIPALITY}: {args.adres}/api/v1")
    print("Meld u aan met een van deze tokens (Authorization: Bearer <token>):\n")
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
