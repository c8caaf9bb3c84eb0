"""`adviesspoor serve`: the HTTP API; SIGTERM or Ctrl-C lets running requests finish, then stops."""

import argparse
import sys
from typing import Any

from api.cli.common import CommandError, describe, fail
from api.cli.log_start import verify_at_start
from api.cli.shards import check_shards
from api.http import server
from api.http.app import create_app
from api.http.fields import BASE_PATH
from api.http.workers import workers_run
from api.logging import configure_logging
from api.settings import Settings
from events.store import StoreUrlError
from ledger.storage import damaged_logs


def port_number(value: str) -> int:
    """A TCP port: 1 to 65535 (argparse turns the refusal into a usage error, exit code 2)."""
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 65535:
        msg = f"'{value}' is geen poortnummer (1 tot en met 65535)"
        raise argparse.ArgumentTypeError(msg)
    return int(value)


def worker_count(value: str) -> int:
    """A number of server processes: 1 to 64."""
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 64:
        raise argparse.ArgumentTypeError(f"'{value}' is geen aantal processen (1 tot en met 64)")
    return int(value)


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="start de HTTP-API (/api/v1); SIGTERM of Ctrl-C stopt netjes",
        description="Start de HTTP-API op de database van ADVIESSPOOR_DATABASE_URL (en de shards "
        "van ADVIESSPOOR_SHARDS). Bij SIGTERM of Ctrl-C worden lopende verzoeken afgemaakt en "
        "stopt de server met code 0.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="standaard: 127.0.0.1")
    serve.add_argument("--port", type=port_number, default=8080, help="standaard: 8080")
    serve.add_argument(
        "--workers",
        type=worker_count,
        default=None,
        help="zoveel serverprocessen op één poort (standaard: ADVIESSPOOR_WORKERS, anders het "
        "aantal CPU's)",
    )
    serve.set_defaults(handler=serve_api)


def serve_api(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    try:
        store = settings.store
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    damaged = damaged_logs(store)
    if damaged:
        msg = "De server start niet: " + " ".join(damaged) + " Zet een reservekopie terug."
        return fail(CommandError(msg, 1))
    try:
        check_shards(store, "De server")
        verify_at_start(store)
    except CommandError as error:
        return fail(error)
    workers = args.workers or settings.workers
    where = f"http://{args.host}:{args.port}{BASE_PATH}"
    processes = f"{workers} processen" if workers > 1 else "1 proces"
    announcement = (
        f"Adviesspoor luistert op {where} (gegevens: {describe(store)}, {processes}). "
        "Stoppen: Ctrl-C of SIGTERM."
    )
    try:
        if workers == 1:
            configure_logging(fast=True)
            app = create_app(store, settings=settings)
            server.run(
                app,
                args.host,
                args.port,
                shutdown_timeout=settings.shutdown_seconds,
                announce=lambda: print(announcement, flush=True),
            )
        else:
            code = workers_run(settings, args.host, args.port, workers, announcement)
            if code != 0:
                return fail(CommandError(f"Een serverproces stopte met code {code}.", 1))
    except OSError as error:
        reason = error.strerror or str(error)
        return fail(CommandError(f"Kan niet luisteren op {args.host}:{args.port}: {reason}.", 1))
    print("Adviesspoor is gestopt.", file=sys.stderr, flush=True)
    return 0
