"""What every `adviesspoor` command shares: its failures as one Dutch sentence, texts shown on a
terminal without their control characters, the store named without its password."""

import argparse
import os
import re
import sys
from typing import TYPE_CHECKING, Final

import psycopg

from events.store import StoreUrl, StoreUrlError
from projections.log import LogReader

# argparse's subparsers type is generic only to type checkers; at run time (typeguard) it is not.
if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = argparse._SubParsersAction


# C0 and C1 control characters and DEL: an ESC would let a stored text clear the screen of
# whoever runs `overzicht` (or set the terminal's title, or worse). Shown as \x1b and the like.
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class CommandError(Exception):
    """A command cannot go on; `message` is a Dutch sentence, `code` the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def shown(text: object, *, lines: bool = False) -> str:
    """A text as a terminal may show it: control characters written out (`\\x1b`); with `lines`,
    line ends and tabs are kept."""

    def escape(found: re.Match[str]) -> str:
        char = found.group()
        if lines and char in "\n\t":
            return char
        return f"\\x{ord(char):02x}"

    return _CONTROL.sub(escape, str(text))


def fail(error: CommandError) -> int:
    print(shown(error.message), file=sys.stderr)
    return error.code


def describe(store: StoreUrl) -> str:
    """The store for people to read, never with its password."""
    if store.server is None:
        return store.url
    server = store.server
    shown = f"postgresql://{server.user}@{server.host}:{server.port}/{server.dbname}"
    shards = len(store.databases()) - 1
    if shards:
        shown += f" en {shards} shard{'s' if shards > 1 else ''} (ADVIESSPOOR_SHARDS)"
    return shown


def silence_stdout() -> None:
    """The reader stopped listening (`| head`): not an error; keep Python quiet at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def open_log(store: StoreUrl, municipality: str) -> LogReader:
    """The reader of an existing municipality's log; an invalid or unknown one is exit code 2."""
    try:
        reader = LogReader(store.location(municipality))
    except StoreUrlError as error:
        raise CommandError(str(error), 2) from None
    try:
        empty = reader.last_position() == 0
    except psycopg.OperationalError as error:
        reader.close()
        msg = f"De database is niet bereikbaar: {error}"
        raise CommandError(msg, 1) from None
    if empty:
        reader.close()
        msg = (
            f"Onbekende gemeente '{municipality}': in {describe(store)} is daarvan niets "
            "vastgelegd. Laad de demo met: adviesspoor demo"
        )
        raise CommandError(msg, 2)
    return reader
