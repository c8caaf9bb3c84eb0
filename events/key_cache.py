"""When the keys of data subjects held in memory must go: the key table keeps a counter of
forgettings, raised by every process that forgets anything; a copy of the keys lives until that
counter moves, read at most once per `TTL_SECONDS`. The ledger (ledger/personal_keys.py) and the
views (projections/keys.py) each read the counter from the table; this only keeps the time."""

import time
from collections.abc import Sequence
from typing import Any, Final

TTL_SECONDS: Final = 1.0


class Generation:
    """The counter of forgettings last read, and when."""

    def __init__(self) -> None:
        self.value = -1
        self._checked = 0.0

    def due(self) -> bool:
        """Whether the counter is to be read again (once a TTL, or at once after `recheck`)."""
        return time.monotonic() - self._checked >= TTL_SECONDS

    def recheck(self) -> None:
        self._checked = 0.0

    def moved(self, rows: Sequence[Sequence[Any]]) -> bool:
        """Note the counter as just read (the rows of its SELECT; none: 0); True when it moved,
        and every key held since must be dropped."""
        value = int(rows[0][0]) if rows else 0
        moved = value != self.value
        self.value = value
        self._checked = time.monotonic()
        return moved
