"""One ledger per municipality, opened on first use and shared by the whole process."""

import threading
from collections.abc import Callable
from datetime import date

from eventsourcing import persistence

from events.store import StoreUrl
from ledger.application import AdviceLedger
from ledger.rules import amsterdam_today


class Ledgers:
    """The ledgers of every municipality in one store."""

    def __init__(self, store: StoreUrl, today: Callable[[], date] = amsterdam_today) -> None:
        self.store = store
        self.today = today
        self._ledgers: dict[str, AdviceLedger] = {}
        self._lock = threading.Lock()

    def __getitem__(self, municipality: str) -> AdviceLedger:
        with self._lock:
            ledger = self._ledgers.get(municipality)
            if ledger is None:
                ledger = self._open(municipality)
                self._ledgers[municipality] = ledger
            return ledger

    def _open(self, municipality: str) -> AdviceLedger:
        location = self.store.location(municipality)
        for attempt in range(1, 4):
            try:
                return AdviceLedger(location, self.today)
            except (persistence.IntegrityError, persistence.InternalError):
                # Another process (a second server) created the same tables at the same moment
                # (on PostgreSQL: "tuple concurrently updated"); they are there now.
                if attempt == 3:
                    raise
        raise AssertionError("unreachable")

    def close_all(self) -> None:
        with self._lock:
            for ledger in self._ledgers.values():
                ledger.close()
            self._ledgers.clear()
