"""What the log commands share: which municipality, its ledger opened with a progress bar, and
the store's failures as one Dutch sentence (exit status 1) instead of a traceback."""

import argparse
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from eventsourcing.persistence import PersistenceError

from api.cli.common import CommandError, describe
from api.cli.project import ProgressBar
from api.settings import Settings
from events.store import StoreUrl, StoreUrlError, check_municipality
from ledger import AdviceLedger
from ledger.integrity import (
    CheckpointError,
    LeafError,
    MissingNodeError,
    NoteError,
    VerificationError,
)
from ledger.log_integrity import SizeError
from ledger.tree import TreeError
from projections.registry import municipalities

# What the store or the files can raise while a log command runs: said in one sentence.
FAILURES = (
    psycopg.Error,
    sqlite3.Error,
    PersistenceError,
    OSError,
    TreeError,
    CheckpointError,
    NoteError,
    VerificationError,
    SizeError,
    LeafError,
    MissingNodeError,
)


def store() -> StoreUrl:
    """The store the settings name (read once per command, as `api/cli/main.py` reads them)."""
    try:
        return Settings.from_env().store
    except StoreUrlError as error:
        raise CommandError(str(error), 2) from None


def add_municipality(parser: argparse.ArgumentParser) -> None:
    """`--gemeente`, as `chosen` reads it: without it, the only municipality there is."""
    parser.add_argument("--gemeente", help="standaard: de enige gemeente in de database")


def chosen(store: StoreUrl, given: str | None) -> str:
    """The municipality named, which must have a log; without a name, the only one there is."""
    try:
        known = municipalities(store)
    except (psycopg.Error, OSError) as error:
        raise CommandError(
            f"De database van {describe(store)} is niet bereikbaar: {error}", 1
        ) from None
    if given is not None:
        try:
            check_municipality(given)
        except StoreUrlError as error:
            raise CommandError(str(error), 2) from None
        if given not in known:
            msg = f"Onbekende gemeente '{given}': in {describe(store)} is daarvan niets vastgelegd."
            raise CommandError(msg, 2)
        return given
    if len(known) == 1:
        return known[0]
    if not known:
        raise CommandError(f"In {describe(store)} is nog geen gemeente vastgelegd.", 2)
    raise CommandError(f"Kies een gemeente met --gemeente: {', '.join(known)}.", 2)


class Bar:
    """A progress bar on stderr (api/cli_project.py) that ends its line when it was drawn."""

    def __init__(self, label: str) -> None:
        self.bar = ProgressBar(label, time.perf_counter())
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        self.drawn = True
        self.bar(done, total)

    def end(self) -> None:
        if self.drawn and self.bar.tty:
            print(file=sys.stderr)
            self.drawn = False


def progress_bar(label: str) -> Bar:
    return Bar(label)


@contextmanager
def opened(store: StoreUrl, municipality: str) -> Iterator[AdviceLedger]:
    """The municipality's ledger; a log written before the Merkle tree gets its leaves here,
    with a progress bar on stderr."""
    bar = progress_bar(f"{municipality}: bladen berekenen")
    try:
        ledger = AdviceLedger(store.location(municipality), tree_progress=bar)
    except FAILURES as error:
        raise CommandError(failure(error), 1) from None
    finally:
        bar.end()
    try:
        yield ledger
    finally:
        ledger.close()


def failure(error: BaseException) -> str:
    """A failure of the store, a file or a check, as one Dutch sentence."""
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"Lezen of schrijven lukt niet{where}: {error.strerror}."
    if isinstance(error, psycopg.Error | sqlite3.Error | PersistenceError):
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"De database is niet bereikbaar of weigert: {first}."
    text = str(error).rstrip(".")
    return text[:1].upper() + text[1:] + "."
