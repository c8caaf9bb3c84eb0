"""The offline verifier: a generated export passes; any change, swap, deletion or cut is named."""

import ast
import dataclasses
import json
import random
import shutil
import subprocess
import sys
from base64 import b64encode
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.integrity import verifier
from ledger.integrity.checkpoint import (
    Checkpoint,
    cosign_checkpoint,
    read_checkpoint,
    sign_checkpoint,
)
from ledger.integrity.export import checkpoint_line, event_line, header_line
from ledger.integrity.leaf import Leaf, LeafError, format_moment
from ledger.integrity.lines import Loads, json_loads
from ledger.integrity.merkle import root_of
from ledger.integrity.note import VerifierKey, generate_key
from ledger.integrity.verifier import VerificationError, verify_export, verify_file

ORIGIN = "adviesspoor.nl/groningen"
AUDITOR = "rekenkamer.groningen.nl"
LOG_SIGNER, LOG_KEY = generate_key(ORIGIN)
AUDIT_SIGNER, AUDIT_KEY = generate_key(AUDITOR)
PACKAGE = Path(__file__).resolve().parents[2] / "ledger" / "integrity"
TOPICS = (
    "events.advice:AdviceSubmitted",
    "events.advice:ResponseRecorded",
    "events.body:Geüpdatet",
)
SIZE, EARLIER = 40, 17  # the log, and the size of an earlier checkpoint within it


@dataclass(frozen=True)
class Event:
    position: int
    aggregate_id: UUID
    version: int
    topic: str
    recorded_at: str
    state: bytes

    def leaf_hash(self) -> bytes:
        return Leaf(
            self.position,
            self.aggregate_id,
            self.version,
            self.topic,
            self.recorded_at,
            sha256(self.state).digest(),
        ).hash()

    def line(self, leaf_hash: bytes | None = None) -> bytes:
        return event_line(
            position=self.position,
            aggregate_id=self.aggregate_id,
            aggregate_version=self.version,
            topic=self.topic,
            recorded_at=self.recorded_at,
            state=self.state,
            leaf_hash=leaf_hash,
        )


def generate(count: int, seed: int = 11) -> list[Event]:
    rng = random.Random(seed)  # noqa: S311 - test data, not cryptography
    start = datetime(2025, 3, 14, 9, tzinfo=UTC)
    events = []
    for position in range(1, count + 1):
        text = "Het college neemt dit punt over; cliënten “doen mee”. " * rng.randint(0, 3)
        state = json.dumps({"n": position, "tekst": text}, ensure_ascii=False).encode()
        if position % 7 == 0:
            state = bytes(rng.randrange(256) for _ in range(24))  # not UTF-8: sent as gegevens64
        events.append(
            Event(
                position,
                UUID(int=rng.getrandbits(128)),
                rng.randint(1, 9),
                rng.choice(TOPICS),
                format_moment(start + timedelta(microseconds=rng.getrandbits(40))),
                state,
            )
        )
    return events


EVENTS = generate(SIZE)


def signed(events: Sequence[Event], size: int, cosign: bool = False) -> str:
    checkpoint = Checkpoint(ORIGIN, size, root_of(e.leaf_hash() for e in events[:size]))
    note = sign_checkpoint(checkpoint, LOG_SIGNER)
    if cosign:
        note = cosign_checkpoint(note, AUDIT_SIGNER, log_keys=[LOG_KEY], previous=None, proof=[])
    return note


NOTE_EARLIER, NOTE_ALL = signed(EVENTS, EARLIER), signed(EVENTS, SIZE)


def stored_leaf(event: Event) -> bytes | None:
    """The leaf hash in a tree rewritten along with the event; none if it has no leaf."""
    try:
        return event.leaf_hash()
    except LeafError:
        return None


def export(
    events: Sequence[Event],
    notes: Sequence[str] = (NOTE_EARLIER, NOTE_ALL),
    leaves: Sequence[bytes | None] | None = None,
) -> list[bytes]:
    """The export of these events; `leaves` are the stored leaf hashes (default: their own)."""
    if leaves is None:
        leaves = [stored_leaf(event) for event in events]
    return [
        header_line(ORIGIN, "groningen"),
        *(checkpoint_line(note) for note in notes),
        *(event.line(leaf) for event, leaf in zip(events, leaves, strict=True)),
    ]


KEYS = [VerifierKey.parse(LOG_KEY), VerifierKey.parse(AUDIT_KEY)]
GOOD = export(EVENTS)
GOOD_LEAVES = [event.leaf_hash() for event in EVENTS]


def failure(
    lines: Sequence[bytes],
    *,
    checkpoints: Sequence[str] = (),
    keys: Sequence[VerifierKey] = KEYS,
    required: Sequence[str] = (),
    loads: Loads | None = None,
) -> VerificationError:
    with pytest.raises(VerificationError) as raised:
        verify_export(lines, checkpoints=checkpoints, keys=keys, required=required, loads=loads)
    return raised.value


def test_a_generated_export_passes_with_its_size_and_root() -> None:
    result = verify_export(GOOD, keys=KEYS)

    assert (result.size, result.root) == (SIZE, root_of(GOOD_LEAVES))
    assert [c.checkpoint.size for c in result.checkpoints] == [EARLIER, SIZE]
    assert all(c.signed_by == {ORIGIN} for c in result.checkpoints)


def test_the_standard_librarys_json_parser_gives_the_same_outcome() -> None:
    broken = [*GOOD[:9], GOOD[9].replace(b'"versie":', b'"versie":1', 1), *GOOD[10:]]

    assert verify_export(GOOD, keys=KEYS, loads=json_loads("stdlib")).root == root_of(GOOD_LEAVES)
    assert str(failure(broken, loads=json_loads("stdlib"))) == str(failure(broken))


FIELDS = ("position", "aggregate_id", "version", "topic", "recorded_at", "state")


def flip(event: Event, field: str, index: int, bit: int) -> Event:
    """The event with one bit of one field's stored form flipped."""
    if field in ("position", "version"):
        value = getattr(event, field) ^ 1 << (index * 8 + bit) % 64
        return dataclasses.replace(event, **{field: value})
    if field == "aggregate_id":
        raw = bytearray(event.aggregate_id.bytes)
        raw[index % 16] ^= 1 << bit
        return dataclasses.replace(event, aggregate_id=UUID(bytes=bytes(raw)))
    if field == "state":
        raw = bytearray(event.state)
        raw[index % len(raw)] ^= 1 << bit
        return dataclasses.replace(event, state=bytes(raw))
    text = getattr(event, field)
    char = index % len(text)
    changed = text[:char] + chr(ord(text[char]) ^ 1 << bit % 7) + text[char + 1 :]
    return dataclasses.replace(event, **{field: changed})


def flipped(position: int, field: str, index: int, bit: int) -> list[Event]:
    """EVENTS with one bit of one field of the event at `position` flipped (see `flip`)."""
    events = list(EVENTS)
    events[position - 1] = flip(EVENTS[position - 1], field, index, bit)
    return events


tampering = st.tuples(
    st.integers(1, SIZE), st.sampled_from(FIELDS), st.integers(0, 200), st.integers(0, 7)
)


@settings(deadline=None)
@given(tampering)
def test_any_flipped_field_is_named_at_its_position_by_the_stored_leaf(
    case: tuple[int, str, int, int],
) -> None:
    position = case[0]
    events = flipped(*case)

    error = failure(export(events, leaves=GOOD_LEAVES))

    assert error.position == position


@settings(deadline=None)
@given(tampering)
def test_any_flipped_field_with_its_leaf_recomputed_fails_against_the_checkpoint_over_it(
    case: tuple[int, str, int, int],
) -> None:
    position = case[0]
    events = flipped(*case)

    error = failure(export(events))

    assert error.position is not None
    assert error.position <= position <= (error.last or error.position)


@settings(deadline=None)
@given(st.integers(1, EARLIER), st.sampled_from(FIELDS), st.integers(0, 200), st.integers(0, 7))
def test_a_change_before_an_earlier_checkpoint_fails_against_that_checkpoint_alone(
    position: int, field: str, index: int, bit: int
) -> None:
    events = flipped(position, field, index, bit)
    lines = export(events, notes=[])

    error = failure(lines, checkpoints=[NOTE_EARLIER])

    # the range 1..EARLIER the checkpoint vouches for, or the position itself if it was renumbered
    assert (error.position, error.last) in ((1, EARLIER), (position, None))


@given(st.integers(1, SIZE), st.integers(1, SIZE))
def test_two_swapped_rows_are_named_at_the_first_of_them(first: int, second: int) -> None:
    if first == second:
        return
    lines = list(GOOD)
    offset = 2  # the header and the two checkpoint lines come first
    lines[first + offset], lines[second + offset] = lines[second + offset], lines[first + offset]

    assert failure(lines).position == min(first, second)


@settings(deadline=None)
@given(st.integers(1, SIZE), st.integers(1, SIZE))
def test_two_swapped_events_renumbered_and_rehashed_fail_against_a_checkpoint(
    first: int, second: int
) -> None:
    if first == second:
        return
    a, b = EVENTS[first - 1], EVENTS[second - 1]
    events = list(EVENTS)
    events[first - 1] = dataclasses.replace(b, position=first)
    events[second - 1] = dataclasses.replace(a, position=second)

    error = failure(export(events))

    assert error.position is not None
    assert error.position <= min(first, second) <= (error.last or error.position)


@given(st.integers(1, SIZE - 1))  # deleting the last row is cutting off the tail, below
def test_a_deleted_row_is_named_as_missing(position: int) -> None:
    lines = [line for number, line in enumerate(GOOD, -2) if number != position]

    error = failure(lines)

    assert error.position == position
    assert "ontbreekt" in error.message


@settings(deadline=None)
@given(st.integers(1, SIZE))
def test_a_deleted_event_with_the_rest_renumbered_and_rehashed_fails(position: int) -> None:
    events = [
        dataclasses.replace(event, position=number)
        for number, event in enumerate(EVENTS[: position - 1] + EVENTS[position:], 1)
    ]

    error = failure(export(events))

    assert error.position is not None
    assert error.position <= position <= (error.last or error.position)


@given(st.integers(0, SIZE - 1))
def test_a_cut_off_tail_is_named_from_the_last_checkpoint_that_held(kept: int) -> None:
    error = failure(export(EVENTS[:kept]))

    vouched = EARLIER if kept >= EARLIER else 0
    assert (error.position, error.last) == (vouched + 1, SIZE if vouched else EARLIER)
    assert f"eerste ontbrekende positie {kept + 1})" in error.message


def test_a_cut_off_tail_after_an_earlier_checkpoint_fails_against_that_one_too() -> None:
    lines = export(EVENTS[: EARLIER - 3], notes=[])

    error = failure(lines, checkpoints=[NOTE_EARLIER])

    assert (error.position, error.last) == (1, EARLIER)
    assert f"eerste ontbrekende positie {EARLIER - 2})" in error.message


def test_the_first_of_two_bad_positions_is_the_one_named() -> None:
    events = list(EVENTS)
    for position in (31, 12):
        events[position - 1] = flip(EVENTS[position - 1], "state", 0, 0)

    assert failure(export(events, leaves=GOOD_LEAVES)).position == 12


def test_a_checkpoint_signed_by_an_unknown_key_fails() -> None:
    other_signer, _ = generate_key(ORIGIN)
    forged = sign_checkpoint(Checkpoint(ORIGIN, SIZE, root_of(GOOD_LEAVES)), other_signer)

    error = failure(export(EVENTS, notes=[forged]))

    assert "bekende sleutel" in error.message
    assert error.position is None


def test_a_checkpoint_with_a_wrong_signature_fails_even_when_its_root_is_right() -> None:
    # the last base64 characters before the padding belong to the signature, not the key ID
    changed = "A" if NOTE_ALL[-5] != "A" else "B"
    broken = NOTE_ALL[:-5] + changed + NOTE_ALL[-4:]

    assert "ongeldige handtekening" in failure(export(EVENTS, notes=[broken])).message


def test_two_checkpoints_with_different_roots_for_one_size_are_a_split_log() -> None:
    other = list(EVENTS)
    other[3] = flip(EVENTS[3], "state", 1, 1)
    split = signed(other, SIZE)

    assert "twee versies van de log" in failure(GOOD, checkpoints=[split]).message


def test_a_checkpoint_of_another_municipality_fails() -> None:
    signer, key = generate_key("adviesspoor.nl/zwolle")
    note = sign_checkpoint(Checkpoint("adviesspoor.nl/zwolle", 1, GOOD_LEAVES[0]), signer)

    error = failure(GOOD, checkpoints=[note], keys=[*KEYS, VerifierKey.parse(key)])

    assert "adviesspoor.nl/zwolle" in error.message


def test_a_demanded_cosignature_must_be_on_the_checkpoint_given() -> None:
    cosigned = signed(EVENTS, SIZE, cosign=True)

    passed = verify_export(GOOD, keys=KEYS, checkpoints=[cosigned], required=[AUDITOR])

    assert passed.checkpoints[0].signed_by == {ORIGIN, AUDITOR}
    assert AUDITOR in failure(GOOD, checkpoints=[NOTE_ALL], required=[AUDITOR]).message


def test_without_a_given_checkpoint_one_in_the_export_must_carry_the_cosignature() -> None:
    cosigned = export(EVENTS, notes=[NOTE_EARLIER, signed(EVENTS, 30, cosign=True)])

    assert verify_export(cosigned, keys=KEYS, required=[AUDITOR]).size == SIZE
    assert AUDITOR in failure(GOOD, required=[AUDITOR]).message


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ([], "leeg"),
        ([b"{}\n"], "formaat"),
        ([GOOD[0].replace(b'"versie":2', b'"versie":3')], "exportversie"),
        ([GOOD[0], GOOD[3], GOOD[1]], "controlepunt tussen de gebeurtenissen"),
        ([GOOD[0], b"niet eens json\n"], "geen geldige JSON"),
        ([GOOD[0], GOOD[3].replace(b'"positie":1', b'"positie":true')], "positie"),
    ],
)
def test_a_malformed_export_is_named(lines: list[bytes], reason: str) -> None:
    assert reason in str(failure(lines))


def write(tmp_path: Path, lines: Sequence[bytes]) -> Path:
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def test_the_command_prints_ok_size_and_root_and_exits_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, note = write(tmp_path, GOOD), tmp_path / "controlepunt.txt"
    note.write_text(NOTE_ALL)

    code = verifier.main([str(path), "--checkpoint", str(note), "--public-key", LOG_KEY])

    first = capsys.readouterr().out.splitlines()[0]
    assert (code, first) == (0, f"OK {SIZE} {b64encode(root_of(GOOD_LEAVES)).decode()}")


def test_the_command_names_the_first_bad_position_and_exits_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = list(EVENTS)
    events[22] = flip(EVENTS[22], "state", 3, 2)
    path = write(tmp_path, export(events, leaves=GOOD_LEAVES))

    code = verifier.main([str(path), "--public-key", LOG_KEY, "--checkpoint", NOTE_ALL.rstrip()])

    assert code == 1
    assert capsys.readouterr().out.startswith("FOUT positie 23: het blad in de export")


def test_the_command_warns_when_no_key_checked_the_signatures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = verifier.main([str(write(tmp_path, GOOD)), "--json-parser", "stdlib"])

    assert code == 0
    assert "handtekeningen zijn niet gecontroleerd" in capsys.readouterr().out


@pytest.mark.parametrize(
    "arguments",
    [["--public-key", "geen-sleutel"], ["--vereis-medeondertekening", AUDITOR]],
)
def test_the_command_exits_two_on_bad_arguments_or_one_on_a_missing_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    code = verifier.main([str(write(tmp_path, GOOD)), *arguments])

    printed = capsys.readouterr()
    assert code == (2 if arguments[0] == "--public-key" else 1)
    assert "FOUT" in printed.out + printed.err


def imported(tree: ast.AST) -> set[str]:
    """The top-level names of the absolute imports in a syntax tree (relative ones are ours)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def optional(tree: ast.AST) -> set[str]:
    """What is imported inside `try:` blocks that catch ImportError: may be absent."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(handler.type, ast.Name) and handler.type.id == "ImportError"
            for handler in node.handlers
        ):
            names |= set().union(*(imported(statement) for statement in node.body))
    return names


def test_the_verifier_imports_only_the_standard_library_cryptography_and_itself() -> None:
    allowed = set(sys.stdlib_module_names) | {"cryptography"}
    outside, maybe = set(), set()
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text())
        outside |= imported(tree) - allowed
        maybe |= optional(tree)

    assert outside == maybe == {"orjson"}


def test_a_copy_of_the_package_verifies_on_its_own(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "integrity", ignore=shutil.ignore_patterns("__pycache__"))
    path = write(tmp_path, GOOD)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); from integrity.verifier import main; "
        "code = main(sys.argv[2:]); "
        "ours = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'ledger', 'events', 'projections', 'api', 'eventsourcing', 'psycopg', 'aiohttp'}); "
        "print('modules', ours); sys.exit(code)"
    )

    done = subprocess.run(
        [sys.executable, "-I", "-c", script, str(tmp_path), str(path), "--public-key", LOG_KEY],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"OK {SIZE} ")
    assert done.stdout.splitlines()[-1] == "modules []"


def verify_both_ways(path: Path) -> tuple[str, str]:
    """The outcome in one process and in two workers over ranges of about 2 KiB (many)."""
    outcomes = []
    for processes in (1, 2):
        try:
            result = verify_file(path, keys=KEYS, processes=processes, chunk=2048)
        except VerificationError as error:
            outcomes.append(f"FOUT {error}")
        else:
            outcomes.append(f"OK {result.size} {result.root.hex()}")
    return outcomes[0], outcomes[1]


def test_worker_processes_find_the_same_size_and_root(tmp_path: Path) -> None:
    one, two = verify_both_ways(write(tmp_path, GOOD))

    assert one == two == f"OK {SIZE} {root_of(GOOD_LEAVES).hex()}"


@settings(deadline=None, max_examples=15)  # each example starts two worker processes
@given(tampering, st.booleans())
def test_worker_processes_name_the_same_first_bad_position(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[int, str, int, int], rehashed: bool
) -> None:
    events = flipped(*case)
    lines = export(events) if rehashed else export(events, leaves=GOOD_LEAVES)

    one, two = verify_both_ways(write(tmp_path_factory.mktemp("export"), lines))

    assert one == two
    assert one.startswith("FOUT posit")


@settings(deadline=None, max_examples=10)
@given(st.integers(1, SIZE - 1))
def test_worker_processes_name_a_deleted_row_like_one_process(
    tmp_path_factory: pytest.TempPathFactory, position: int
) -> None:
    lines = [line for number, line in enumerate(GOOD, -2) if number != position]

    one, two = verify_both_ways(write(tmp_path_factory.mktemp("export"), lines))

    assert (
        one
        == two
        == f"FOUT positie {position}: ontbreekt: de regel op deze plaats heeft "
        + (f"positie {position + 1}")
    )


DOCUMENTATION = Path(__file__).resolve().parents[2] / "docs" / "verification.md"


def block_after(marker: str) -> list[str]:
    """The lines of the fenced block that follows an HTML comment marker in the documentation."""
    text = DOCUMENTATION.read_text(encoding="utf-8")
    block = text[text.index(f"<!-- {marker} -->") :].split("```")[1]
    return block.split("\n")[1:-1]


def test_the_worked_example_of_the_documentation_verifies_as_printed_there() -> None:
    signer_text, public_text = block_after("example-key")
    lines = [line.encode() + b"\n" for line in block_after("example-export")]

    result = verify_export(lines, keys=[VerifierKey.parse(public_text)])

    assert f"OK 3 {b64encode(result.root).decode()}" in DOCUMENTATION.read_text(encoding="utf-8")
    note = json.loads(lines[1])["controlepunt"]
    assert sign_checkpoint(read_checkpoint(note), signer_text) == note


def test_a_checkpoint_file_saved_with_windows_line_ends_is_read_as_the_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    note = tmp_path / "controlepunt.txt"
    note.write_bytes(NOTE_ALL.replace("\n", "\r\n").encode())

    code = verifier.main(
        [str(write(tmp_path, GOOD)), "--checkpoint", str(note), "--public-key", LOG_KEY]
    )

    assert code == 0, capsys.readouterr().out
