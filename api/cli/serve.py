"""`adviesspoor serve`: the HTTP API; SIGTERM or Ctrl-C lets running requests finish, then stops."""

import argparse
import sys
from typing import Any

from api.cli.common import CommandError, describe, fail
from api.http import server
from api.http.app import create_app
from api.http.fields import BASE_PATH
from api.logging import configure_logging
from events.store import StoreUrlError
from ledger.storage import damaged_logs


def port_number(value: str) -> int:
    """A TCP port: 1 to 65535 (argparse turns the refusal into a usage error, exit code 2)."""
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 65535:
        msg = f"'{value}' is geen poortnummer (1 tot en met 65535)"
        raise argparse.ArgumentTypeError(msg)
    return int(value)


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="start de HTTP-API (/api/v1); SIGTERM of Ctrl-C stopt netjes",
        description="Start de HTTP-API op de database van ADVIESSPOOR_DATABASE_URL. Bij SIGTERM "
        "of Ctrl-C worden lopende verzoeken afgemaakt en stopt de server met code 0.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="standaard: 127.0.0.1")
    serve.add_argument("--port", type=port_number, default=8080, help="standaard: 8080")
    serve.set_defaults(handler=serve_api)


def serve_api(args: argparse.Namespace) -> int:
    try:
        store = args.settings.store
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    damaged = damaged_logs(store)
    if damaged:
        msg = "De server start niet: " + " ".join(damaged) + " Zet een reservekopie terug."
        return fail(CommandError(msg, 1))
    configure_logging()
    app = create_app(store, settings=args.settings)

    def announce() -> None:
        print(
            f"Adviesspoor luistert op http://{args.host}:{args.port}{BASE_PATH} "
            f"(gegevens: {describe(store)}). Stoppen: Ctrl-C of SIGTERM.",
            flush=True,
        )

    try:
        server.run(
            app,
            args.host,
            args.port,
            shutdown_timeout=args.settings.shutdown_seconds,
            announce=announce,
        )
    except OSError as error:
        reason = error.strerror or str(error)
        return fail(CommandError(f"Kan niet luisteren op {args.host}:{args.port}: {reason}.", 1))
    print("Adviesspoor is gestopt.", file=sys.stderr, flush=True)
    return 0
