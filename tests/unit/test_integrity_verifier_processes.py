"""The verifier on its own: standard library imports only, a bare copy, worker processes."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.integrity.merkle import root_of
from tests.unit.integrity_verifier_support import (
    GOOD,
    GOOD_LEAVES,
    LOG_KEY,
    SIZE,
    export,
    flipped,
    tampering,
    verify_both_ways,
    write,
)

PACKAGE = Path(__file__).resolve().parents[2] / "ledger" / "integrity"


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
