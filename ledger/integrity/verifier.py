"""The offline verifier, `adviesspoor verify FILE`: this package and `cryptography`, nothing else.

Every module of ledger/integrity imports only the standard library, `cryptography` and its
siblings (orjson, when installed, only speeds up parsing), so an auditor can copy the directory as
a package of its own and run `python -m integrity FILE`. docs/verification.md lists the checks.
"""

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from .checkpoint import Checkpoint, CheckpointError, open_checkpoint, read_checkpoint
from .export import FORMAT, VERSION
from .merkle import EMPTY_ROOT
from .note import NoteError, VerifierKey
from .stream import StreamError, verify_events

Loads = Callable[[bytes], Any]
READ_BUFFER = 1 << 20


def json_loads(parser: str = "auto") -> Loads:
    """orjson's parser when installed ("auto"), else the standard library's.

    Parsing is the largest part of the verifier's time and orjson does it 3-4x faster; both accept
    the same export and reject the same malformed lines, so the outcome does not depend on it.
    """
    if parser != "stdlib":
        try:
            from orjson import loads
        except ImportError:
            if parser == "orjson":
                raise
        else:
            return loads
    from json import loads as stdlib_loads

    return stdlib_loads


class VerificationError(Exception):
    """What is wrong and where: the first bad position (or range), or the line of the file."""

    def __init__(
        self, message: str, *, position: int | None = None, last: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.last = last

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        if self.last is not None and self.last != self.position:
            return f"posities {self.position} t/m {self.last}: {self.message}"
        return f"positie {self.position}: {self.message}"


@dataclass(frozen=True, slots=True)
class CheckedCheckpoint:
    """A checkpoint the log agrees with: where it came from, which keys' signatures held."""

    source: str
    checkpoint: Checkpoint
    signed_by: frozenset[str]


@dataclass(frozen=True, slots=True)
class Verified:
    """An export that passed: its size, its root, the checkpoints it agrees with."""

    size: int
    root: bytes
    checkpoints: tuple[CheckedCheckpoint, ...]
    signatures_checked: bool


def read_header(line: bytes, loads: Loads) -> str:
    """The origin (the log's name in its checkpoints) from the export's first line."""
    try:
        header = loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("formaat") != FORMAT:
        raise VerificationError(f'regel 1: geen export, de kopregel mist "formaat": "{FORMAT}"')
    version = header.get("versie")
    if version != VERSION or type(version) is not int:
        raise VerificationError(f"regel 1: exportversie {version!r} is onbekend (alleen {VERSION})")
    origin, municipality = header.get("oorsprong"), header.get("gemeente")
    if not isinstance(origin, str) or not origin or not isinstance(municipality, str):
        raise VerificationError("regel 1: de kopregel mist oorsprong of gemeente")
    return origin


def check_checkpoints(
    notes: Sequence[tuple[str, object, bool]],
    origin: str,
    keys: Sequence[VerifierKey],
    required: Sequence[str],
) -> list[CheckedCheckpoint]:
    """Each note's signatures (with keys), its origin, and that no two disagree about a size.

    `notes` are (source, note, given): `required` key names must have signed every given note,
    or, when none was given, at least one note from the export.
    """
    checked: list[CheckedCheckpoint] = []
    for source, note, given in notes:
        try:
            if not isinstance(note, str):
                raise CheckpointError("het controlepunt is geen tekst")
            if keys:
                checkpoint, verified = open_checkpoint(note, keys, required if given else ())
                signed_by = verified.signed_by()
            else:
                checkpoint, signed_by = read_checkpoint(note), frozenset()
        except (CheckpointError, NoteError) as error:
            raise VerificationError(f"controlepunt ({source}): {error}") from None
        if checkpoint.origin != origin:
            raise VerificationError(
                f"controlepunt ({source}) is van log {checkpoint.origin}, de export van {origin}"
            )
        if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
            raise VerificationError(
                f"controlepunt ({source}): de wortel van de lege log klopt niet"
            )
        for other in checked:
            if (
                other.checkpoint.size == checkpoint.size
                and other.checkpoint.root != checkpoint.root
            ):
                raise VerificationError(
                    f"controlepunten ({other.source}) en ({source}) noemen voor grootte "
                    f"{checkpoint.size} verschillende wortels: er bestaan twee versies van de log"
                )
        checked.append(CheckedCheckpoint(source, checkpoint, signed_by))
    if not any(given for _, _, given in notes):
        for name in required:
            if not any(name in entry.signed_by for entry in checked):
                raise VerificationError(
                    f"geen controlepunt draagt een geldige handtekening van {name}"
                )
    return checked


def verify_export(
    lines: Iterable[bytes],
    *,
    checkpoints: Sequence[str] = (),
    keys: Sequence[VerifierKey] = (),
    required: Sequence[str] = (),
    loads: Loads | None = None,
) -> Verified:
    """Check an export (its lines, in order); VerificationError names the first thing wrong.

    `checkpoints` are notes given besides those in the export. Without `keys` signatures are not
    checked, only that the log agrees with the checkpoints' sizes and roots.
    """
    loads = loads or json_loads()
    for name in required:
        if not any(key.name == name for key in keys):
            raise VerificationError(f"geen publieke sleutel van {name} opgegeven")
    stream = iter(lines)
    first = next(stream, None)
    if first is None:
        raise VerificationError("regel 1: het bestand is leeg")
    origin = read_header(first, loads)
    notes: list[tuple[str, object, bool]] = [
        (f"--checkpoint {number}", note, True) for number, note in enumerate(checkpoints, 1)
    ]
    first_event = None
    for line_number, raw in enumerate(stream, 2):
        try:
            value = loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, dict) or "controlepunt" not in value:
            first_event = raw
            break
        notes.append((f"regel {line_number}", value["controlepunt"], False))
    checked = check_checkpoints(notes, origin, keys, required)
    by_size = {entry.checkpoint.size: (entry.source, entry.checkpoint) for entry in checked}
    events = chain([first_event], stream) if first_event is not None else stream
    try:
        size, root = verify_events(events, by_size, loads)
    except StreamError as error:
        raise VerificationError(error.message, position=error.position, last=error.last) from None
    return Verified(size, root, tuple(checked), bool(keys))


def _argument_text(value: str) -> str:
    """A key or note given on the command line: the text itself, or a file holding it."""
    if "\n" not in value:
        try:
            path = Path(value)
            if path.is_file():
                return path.read_text(encoding="utf-8")
        except OSError:
            pass
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `adviesspoor verify`, for the project's command line to register too."""
    parser.add_argument("file", metavar="BESTAND", help="de export van `adviesspoor export`")
    parser.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="CONTROLEPUNT",
        help="een ondertekend controlepunt (de tekst, of een bestand ermee); herhaalbaar",
    )
    parser.add_argument(
        "--public-key",
        action="append",
        default=[],
        metavar="SLEUTEL",
        help="publieke sleutel naam+hash+sleutel (of een bestand ermee); herhaalbaar",
    )
    parser.add_argument(
        "--vereis-medeondertekening",
        action="append",
        default=[],
        metavar="NAAM",
        help="de sleutel NAAM moet elk gegeven controlepunt hebben ondertekend "
        "(zonder --checkpoint: minstens één in de export); herhaalbaar",
    )
    parser.add_argument(
        "--json-parser",
        choices=("auto", "orjson", "stdlib"),
        default="auto",
        help="auto: orjson als het er is (sneller), anders de standaardbibliotheek",
    )


def report(result: Verified) -> list[str]:
    """The lines printed for an export that passed: OK, size and root first."""
    from base64 import b64encode

    lines = [f"OK {result.size} {b64encode(result.root).decode()}"]
    for entry in result.checkpoints:
        signed = ", ".join(sorted(entry.signed_by)) or "niet gecontroleerd"
        lines.append(
            f"  controlepunt ({entry.source}): grootte {entry.checkpoint.size}, "
            f"ondertekend door {signed}"
        )
    if not result.checkpoints:
        lines.append(
            "  LET OP: geen controlepunt; alleen de samenhang van de export zelf is getoetst"
        )
    elif not result.signatures_checked:
        lines.append("  LET OP: geen --public-key; de handtekeningen zijn niet gecontroleerd")
    return lines


def run(args: argparse.Namespace) -> int:
    """Verify as the parsed arguments say; 0 when the export passed, 1 when not, 2 on bad input."""
    try:
        keys = [VerifierKey.parse(_argument_text(text)) for text in args.public_key]
        loads = json_loads(args.json_parser)
    except NoteError as error:
        print(f"FOUT: {error}", file=sys.stderr)
        return 2
    except ImportError:
        print("FOUT: orjson is niet geïnstalleerd; kies --json-parser stdlib", file=sys.stderr)
        return 2
    notes = [_argument_text(text) for text in args.checkpoint]
    notes = [note if note.endswith("\n") else note + "\n" for note in notes]
    try:
        with open(args.file, "rb", buffering=READ_BUFFER) as file:
            result = verify_export(
                file,
                checkpoints=notes,
                keys=keys,
                required=args.vereis_medeondertekening,
                loads=loads,
            )
    except OSError as error:
        print(f"FOUT: {args.file} is niet te lezen ({error.strerror})", file=sys.stderr)
        return 2
    except VerificationError as error:
        print(f"FOUT {error}")
        return 1
    print("\n".join(report(result)))
    return 0


def main(argv: Sequence[str] | None = None, prog: str = "adviesspoor verify") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Controleer een export van het logboek: elk blad, de wortel, en dat de log "
        "past bij elk controlepunt. Zonder database, zonder de rest van Adviesspoor.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
