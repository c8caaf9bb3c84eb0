"""What every page of a projection checks and how it runs: the log dense in positions and in
each record's versions (else `LogDamagedError`, and nothing is changed), and the cycle collector
paused while a page folds."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from projections.fold import Doc


class LogDamagedError(Exception):
    """The log cannot be projected: an event is missing or out of order. Nothing was changed."""


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector off for a while; on again after, unless it was off before.

    A page allocates about a million short-lived dicts and lists (decoded events, documents)
    without reference cycles. The cycle collector, started by allocation counts, scanned them
    again and again: a fifth of a rebuild's time. Reference counting frees all of it when the
    page returns, and the collector runs again right after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_dense(after: int, positions: list[int]) -> None:
    """Positions count 1, 2, 3, …: a gap is an event missing from the log."""
    for expected, found in enumerate(positions, start=after + 1):
        if found != expected:
            msg = (
                f"De log is beschadigd: positie {expected} ontbreekt (na {expected - 1} volgt "
                f"{found}). De overzichten zijn niet gewijzigd."
            )
            raise LogDamagedError(msg)


def check_version(position: int, aggregate_id: str, version: int, doc: Doc | None) -> None:
    """Each record's events count 1, 2, 3, … too: one that skips lost an event."""
    expected = 1 if doc is None else int(doc["version"]) + 1
    if version != expected:
        msg = (
            f"De log is beschadigd: positie {position} is versie {version} van record "
            f"{aggregate_id}, maar versie {expected} werd verwacht. De overzichten zijn niet "
            "gewijzigd."
        )
        raise LogDamagedError(msg)
