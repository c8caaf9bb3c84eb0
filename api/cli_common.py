"""What every `adviesspoor` command shares: its failures as one Dutch sentence, texts shown on a
terminal without their control characters, the store named without its password."""

import os
import re
import sys
from typing import Final

from events.store import StoreUrl

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
    return f"postgresql://{server.user}@{server.host}:{server.port}/{server.dbname}"


def silence_stdout() -> None:
    """The reader stopped listening (`| head`): not an error; keep Python quiet at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
