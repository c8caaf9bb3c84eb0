"""What comes before the events in an export: the header line, the checkpoints, their checks."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .checkpoint import Checkpoint, CheckpointError, open_checkpoint, read_checkpoint
from .export import FORMAT, VERSIONS
from .lines import Loads
from .merkle import EMPTY_ROOT
from .note import NoteError, VerifierKey


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


def read_header(line: bytes, loads: Loads) -> tuple[str, int]:
    """The origin (the log's name in its checkpoints) and the format's version, from the
    export's first line."""
    try:
        header = loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("formaat") != FORMAT:
        raise VerificationError(f'regel 1: geen export, de kopregel mist "formaat": "{FORMAT}"')
    version = header.get("versie")
    if version not in VERSIONS or type(version) is not int:
        known = " en ".join(map(str, VERSIONS))
        raise VerificationError(f"regel 1: exportversie {version!r} is onbekend (alleen {known})")
    origin, municipality = header.get("oorsprong"), header.get("gemeente")
    if not isinstance(origin, str) or not origin or not isinstance(municipality, str):
        raise VerificationError("regel 1: de kopregel mist oorsprong of gemeente")
    return origin, version


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


@dataclass(frozen=True, slots=True)
class Head:
    """What comes before the events: the log's name, the checkpoints, where the events begin."""

    origin: str
    version: int
    notes: list[tuple[str, object, bool]]
    first_event: bytes | None
    offset: int


def read_head(lines: Iterator[bytes], loads: Loads, given: Sequence[str]) -> Head:
    """The header and checkpoint lines, up to and including the first event line."""
    first = next(lines, None)
    if first is None:
        raise VerificationError("regel 1: het bestand is leeg")
    (origin, version), offset = read_header(first, loads), len(first)
    notes: list[tuple[str, object, bool]] = [
        (f"--checkpoint {number}", note, True) for number, note in enumerate(given, 1)
    ]
    for line_number, raw in enumerate(lines, 2):
        try:
            value = loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, dict) or "controlepunt" not in value:
            return Head(origin, version, notes, raw, offset)
        notes.append((f"regel {line_number}", value["controlepunt"], False))
        offset += len(raw)
    return Head(origin, version, notes, None, offset)


def checked_checkpoints(
    head: Head, keys: Sequence[VerifierKey], required: Sequence[str]
) -> tuple[list[CheckedCheckpoint], dict[int, tuple[str, Checkpoint]]]:
    for name in required:
        if not any(key.name == name for key in keys):
            raise VerificationError(f"geen publieke sleutel van {name} opgegeven")
    checked = check_checkpoints(head.notes, head.origin, keys, required)
    return checked, {entry.checkpoint.size: (entry.source, entry.checkpoint) for entry in checked}
