"""The `adviesspoor` command line: one subcommand module per job, registered here."""

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from api.cli import (
    demo,
    demo_tokens,
    events,
    forget,
    import_table,
    integrity,
    project,
    serve,
    tokens,
    transfer,
)
from api.cli.common import CommandError, fail
from api.settings import Settings
from events.store import StoreUrlError
from ledger.storage import is_storage_failure
from projections import swap
from projections.read_model import LogDamagedError

Handler = Callable[[argparse.Namespace], int]
# Each command group's `register(subparsers)` adds its parsers and sets their `handler`.
COMMAND_GROUPS = (
    demo,
    demo_tokens,
    events,
    import_table,
    project,
    serve,
    tokens,
    integrity,
    transfer,
    forget,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adviesspoor",
        description="Adviesspoor: wat er van elk adviespunt terechtkwam.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="opdracht")
    for group in COMMAND_GROUPS:
        group.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Whatever goes wrong ends as one Dutch sentence on stderr and exit status
    1 (2 for a usage error, from argparse), never a traceback; `ADVIESSPOOR_DEBUG=1` shows it."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        args.settings = Settings.from_env()
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return 130
    except CommandError as error:
        return fail(error)
    except Exception as error:
        if os.environ.get("ADVIESSPOOR_DEBUG"):
            raise
        return fail(CommandError(explain(error), 1))


def explain(error: Exception) -> str:
    """A failure a command did not foresee, in one Dutch sentence."""
    if isinstance(error, StoreUrlError | LogDamagedError):
        return str(error)
    if swap.is_damaged(error):
        return f"Een databasebestand is beschadigd ({error}); zet een reservekopie terug."
    if isinstance(error, PermissionError):
        return f"Geen toegang tot {error.filename or 'een bestand'}: {error.strerror}."
    if is_storage_failure(error):
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "geen reden"
        if "readonly" in reason or "read-only" in reason:
            return f"De gegevensmap is alleen-lezen; er is niets vastgelegd ({reason})."
        if "disk is full" in reason or "No space" in reason:
            return f"De schijf is vol; er is niets vastgelegd ({reason})."
        hint = "; is de gegevensmap er en schrijfbaar?" if "unable to open" in reason else ""
        return f"De database is niet bereikbaar of niet te gebruiken ({reason}{hint})."
    if isinstance(error, OSError):
        return f"Bestand of map niet te gebruiken: {error.strerror or error} ({error.filename})."
    return (
        f"Onverwachte fout ({type(error).__name__}: {error}); zet ADVIESSPOOR_DEBUG=1 voor details."
    )
