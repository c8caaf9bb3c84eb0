"""Every failure of the command line is one Dutch sentence on stderr, exit status 1 (2 for
usage), never a traceback; and what it prints carries no terminal control characters."""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.integration.cli_support import cli_process
from tests.integration.ledger_support import submit

ROOT = Path(__file__).resolve().parents[2]
MOUNT, UMOUNT = shutil.which("mount") or "/bin/mount", shutil.which("umount") or "/bin/umount"


def adviesspoor(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": f"sqlite:///{directory}"}
    env.pop("ADVIESSPOOR_DEBUG", None)
    return cli_process(env, *args)


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    assert adviesspoor(directory, "demo").returncode == 0
    return directory


@contextmanager
def read_only(directory: Path) -> Iterator[Path]:
    """The directory as a read-only mount (root ignores permission bits, so a mount it is)."""
    target = directory.parent / (directory.name + "-alleen-lezen")
    target.mkdir()
    bind = subprocess.run([MOUNT, "--bind", str(directory), str(target)], check=False)
    if bind.returncode != 0:
        pytest.skip("dit systeem staat geen bind-mount toe (alleen als root)")
    try:
        subprocess.run([MOUNT, "-o", "remount,ro,bind", str(target)], check=True)
        yield target
    finally:
        subprocess.run([UMOUNT, str(target)], check=False)


def test_a_read_only_data_directory_is_one_sentence_and_status_1(
    demo_dir: Path, tmp_path: Path
) -> None:
    with read_only(demo_dir) as frozen:
        for args in (("demo",), ("token", "create", "--gemeente", "groningen", "--rol", "lid")):
            result = adviesspoor(frozen, *args)
            assert result.returncode in (1, 2), result.stderr
        result = adviesspoor(
            frozen, "token", "create", "--gemeente", "groningen", "--rol", "auditor"
        )

    assert result.returncode == 1
    assert "schrijfbaar" in one_sentence(result) or "alleen-lezen" in one_sentence(result)


@pytest.mark.parametrize(
    "args",
    [
        ("serve", "--port", "99999"),
        ("serve", "--port", "http"),
        ("events", "--vanaf", "9" * 40),
        ("events", "--vanaf", "²"),
        ("token", "create", "--gemeente", "groningen", "--rol", "koning"),
    ],
)
def test_bad_arguments_are_a_usage_error(demo_dir: Path, args: tuple[str, ...]) -> None:
    result = adviesspoor(demo_dir, *args)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr


def test_a_damaged_events_file_is_named_and_serve_refuses_to_start(tmp_path: Path) -> None:
    assert adviesspoor(tmp_path, "demo").returncode == 0
    events = tmp_path / "midden-groningen.events.sqlite"
    for name in (events.name + "-wal", events.name + "-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    data = bytearray(events.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's b-tree, past the file header
    events.write_bytes(bytes(data))

    served = adviesspoor(tmp_path, "serve", "--port", "1")
    read = adviesspoor(tmp_path, "events", "--gemeente", "midden-groningen")

    assert served.returncode == 1
    assert "midden-groningen.events.sqlite" in one_sentence(served)
    assert "beschadigd" in one_sentence(served)
    assert read.returncode == 1
    one_sentence(read)


def test_a_rebuild_over_a_log_missing_an_event_says_so_and_keeps_the_views(
    tmp_path: Path,
) -> None:
    assert adviesspoor(tmp_path, "demo").returncode == 0
    before = adviesspoor(tmp_path, "overzicht", "--gemeente", "groningen")
    with sqlite3.connect(tmp_path / "groningen.events.sqlite") as conn:
        conn.execute("DELETE FROM stored_events WHERE rowid = 40")

    rebuilt = adviesspoor(tmp_path, "rebuild", "--gemeente", "groningen")
    after = adviesspoor(tmp_path, "overzicht", "--gemeente", "groningen")

    assert rebuilt.returncode == 1
    assert "positie 40 ontbreekt" in one_sentence(rebuilt)
    assert after.stdout == before.stdout


def test_overzicht_and_token_list_show_control_characters_written_out(tmp_path: Path) -> None:
    from events import BodyKind, Role
    from events.store import StoreUrl
    from ledger import Actor, Ledgers

    hostile = "\u001b[2J\u001b]0;pwned\u0007"
    store = StoreUrl.parse(f"sqlite:///{tmp_path}")
    ledgers = Ledgers(store)
    try:
        ledger = ledgers["groningen"]
        system = Actor("import", Role.SYSTEM, "req")
        body = ledger.register_body(system, name="Raad " + hostile, kind=BodyKind.OTHER).id
        submit(
            ledger,
            system,
            body,
            date.today() - timedelta(days=1),
            title="Titel " + hostile,
            points=["Punt " + hostile],
        )
    finally:
        ledgers.close_all()
    made = adviesspoor(tmp_path, "token", "create", "--gemeente", "groningen", "--rol", "auditor",
                       "--naam", "naam " + hostile)  # fmt: skip

    overview = adviesspoor(tmp_path, "overzicht", "--gemeente", "groningen")
    tokens = adviesspoor(tmp_path, "token", "list")

    assert made.returncode == 0
    for result in (overview, tokens, made):
        assert "\u001b" not in result.stdout + result.stderr
        assert "\u0007" not in result.stdout + result.stderr
    assert "\\x1b[2J" in overview.stdout
    assert "\\x1b]0;pwned\\x07" in tokens.stdout
