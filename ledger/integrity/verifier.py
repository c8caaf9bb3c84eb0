"""The offline verifier, `adviesspoor verify FILE`: this package and `cryptography`, nothing else.

Every module of ledger/integrity imports only the standard library, `cryptography` and its
siblings (orjson, when installed, only speeds up parsing), so an auditor can copy the directory as
a package of its own and run `python -m integrity FILE`. docs/verification.md lists the checks.
"""

import argparse
import os
import sys
from base64 import b64encode
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from .head import (
    CheckedCheckpoint,
    VerificationError,
    checked_checkpoints,
    read_head,
)
from .lines import Loads, json_loads
from .note import NoteError, VerifierKey
from .stream import CHUNK, StreamError, verify_events, verify_file_events

__all__ = [
    "CheckedCheckpoint",
    "VerificationError",
    "Verified",
    "main",
    "verify_export",
    "verify_file",
]

READ_BUFFER = 1 << 20
PARALLEL_FROM = 32 << 20  # smaller files are checked in one process: starting workers costs more
MAX_PROCESSES = 8


@dataclass(frozen=True, slots=True)
class Verified:
    """An export that passed: its size, its root, the checkpoints it agrees with."""

    size: int
    root: bytes
    checkpoints: tuple[CheckedCheckpoint, ...]
    signatures_checked: bool


def verify_export(
    lines: Iterable[bytes],
    *,
    checkpoints: Sequence[str] = (),
    keys: Sequence[VerifierKey] = (),
    required: Sequence[str] = (),
    loads: Loads | None = None,
) -> Verified:
    """Check an export (its lines, in order); VerificationError names the first thing wrong.

    `checkpoints` are notes given besides those in the export; `required` key names must have
    signed each of them (or, when none is given, one in the export). Without `keys` signatures are
    not checked, only that the log agrees with the checkpoints' sizes and roots.
    """
    loads = loads or json_loads()
    stream = iter(lines)
    head = read_head(stream, loads, checkpoints)
    checked, by_size = checked_checkpoints(head, keys, required)
    events = chain([head.first_event], stream) if head.first_event is not None else stream
    try:
        size, root = verify_events(events, by_size, loads, head.version)
    except StreamError as error:
        raise VerificationError(error.message, position=error.position, last=error.last) from None
    return Verified(size, root, tuple(checked), bool(keys))


def verify_file(
    path: Path,
    *,
    checkpoints: Sequence[str] = (),
    keys: Sequence[VerifierKey] = (),
    required: Sequence[str] = (),
    parser: str = "auto",
    processes: int = 1,
    chunk: int = CHUNK,
) -> Verified:
    """As verify_export, for an export file, in one process or several with the same outcome.

    The file is read in buffers of about `chunk` bytes; with processes > 1 worker processes compute
    the leaves over byte ranges of that size and this process folds them in log order.
    """
    loads = json_loads(parser)
    with path.open("rb", buffering=READ_BUFFER) as file:
        head = read_head(iter(file), loads, checkpoints)
    checked, by_size = checked_checkpoints(head, keys, required)
    try:
        size, root = verify_file_events(
            path,
            head.offset,
            by_size,
            parser=parser,
            version=head.version,
            processes=processes if head.first_event is not None else 1,
            chunk=chunk,
        )
    except StreamError as error:
        raise VerificationError(error.message, position=error.position, last=error.last) from None
    return Verified(size, root, tuple(checked), bool(keys))


def _argument_text(value: str) -> str:
    """A key or note given on the command line: the text itself, or a file holding it."""
    if "\n" not in value:
        try:
            path = Path(value)
            if path.is_file():
                # a note saved on Windows has CRLF line ends; a note itself never holds a CR
                return path.read_text(encoding="utf-8").replace("\r\n", "\n")
        except OSError:
            pass
    return value


def add_arguments(parser: argparse.ArgumentParser, *, file_required: bool = True) -> None:
    """The options of `adviesspoor verify`, for the project's command line to register too
    (which also checks the live store, without a file)."""
    parser.add_argument(
        "file",
        metavar="BESTAND",
        nargs=None if file_required else "?",
        help="de export van `adviesspoor export`",
    )
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
    parser.add_argument(
        "--processen",
        type=_processes,
        default=0,
        metavar="N",
        help="rekenen in N processen (standaard: een per processor bij bestanden vanaf 32 MiB)",
    )


def _processes(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("een positief geheel getal")
    return int(text)


def report(result: Verified) -> list[str]:
    """The lines printed for an export that passed: OK, size and root first."""
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
        json_loads(args.json_parser)
    except NoteError as error:
        print(f"FOUT: {error}", file=sys.stderr)
        return 2
    except ImportError:
        print("FOUT: orjson is niet geïnstalleerd; kies --json-parser stdlib", file=sys.stderr)
        return 2
    notes = [_argument_text(text) for text in args.checkpoint]
    notes = [note if note.endswith("\n") else note + "\n" for note in notes]
    path = Path(args.file)
    try:
        processes = args.processen
        if not processes:
            large = path.stat().st_size >= PARALLEL_FROM
            processes = min(os.cpu_count() or 1, MAX_PROCESSES) if large else 1
        result = verify_file(
            path,
            checkpoints=notes,
            keys=keys,
            required=args.vereis_medeondertekening,
            parser=args.json_parser,
            processes=processes,
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
