"""The `adviesspoor` command line: one subcommand module per job, registered here."""

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

Handler = Callable[[argparse.Namespace], int]


def _subcommand_modules() -> list[ModuleType]:
    # Each module has `register(subparsers)` that adds its parsers and sets `handler`.
    from api import (
        cli_demo,
        cli_demo_tokens,
        cli_events,
        cli_forget,
        cli_integrity,
        cli_project,
        cli_serve,
        cli_tokens,
        cli_transfer,
    )

    return [
        cli_demo,
        cli_demo_tokens,
        cli_events,
        cli_project,
        cli_serve,
        cli_tokens,
        cli_integrity,
        cli_transfer,
        cli_forget,
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adviesspoor",
        description="Adviesspoor: wat er van elk adviespunt terechtkwam.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="opdracht")
    for module in _subcommand_modules():
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return 130
