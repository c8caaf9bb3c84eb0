"""`adviesspoor events` prints a municipality's log as JSON lines, streamed page by page."""

import argparse
import sys

import orjson
import psycopg

from api.cli.common import CommandError, Subparsers, fail, open_log, shown, silence_stdout

PAGE_SIZE = 1000


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "events",
        help="print de gebeurtenissen van een gemeente als JSON-regels",
        description="Print de log van een gemeente, één JSON-object per regel: "
        "positie, type, id, versie en gegevens (de opgeslagen JSON).",
    )
    parser.add_argument("--gemeente", default="groningen", help="standaard: groningen")
    parser.add_argument(
        "--vanaf", type=_positive, default=1, help="eerste positie, inclusief (standaard 1)"
    )
    parser.add_argument(
        "--limiet", type=_positive, default=None, help="hoogstens zoveel regels (standaard alle)"
    )
    parser.set_defaults(handler=print_events)


def print_events(args: argparse.Namespace) -> int:
    try:
        reader = open_log(args.settings.store, args.gemeente)
    except CommandError as error:
        return fail(error)
    out = sys.stdout.buffer
    remaining: int | None = args.limiet
    try:
        page_size = min(PAGE_SIZE, remaining) if remaining is not None else PAGE_SIZE
        for page in reader.pages(after=args.vanaf - 1, page_size=page_size):
            rows = page if remaining is None else page[:remaining]
            out.write(
                b"".join(
                    orjson.dumps(
                        {
                            "positie": row.position,
                            "type": row.type,
                            "id": row.aggregate_id,
                            "versie": row.version,
                            "gegevens": row.state,
                        }
                    )
                    + b"\n"
                    for row in rows
                )
            )
            if remaining is not None:
                remaining -= len(rows)
                if remaining == 0:
                    break
        out.flush()
    except BrokenPipeError:
        silence_stdout()
    except psycopg.OperationalError as error:
        return fail(CommandError(f"De database is niet bereikbaar: {error}", 1))
    finally:
        reader.close()
    return 0


def _positive(value: str) -> int:
    """A position or a count: a whole number from 1, of at most 18 digits."""
    if not (value.isascii() and value.isdigit() and len(value) <= 18 and int(value) >= 1):
        msg = f"'{shown(value)}' is geen geheel getal van 1 of meer (hoogstens 18 cijfers)"
        raise argparse.ArgumentTypeError(msg)
    return int(value)
