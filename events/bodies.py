"""Events of an advisory body (adviesorgaan)."""

from typing import Any

from events.base import LedgerCreated
from events.vocabulary import BodyKind


class AdvisoryBodyRegistered(LedgerCreated):
    """An advisory body was registered in a municipality.

    Version 1 had no response term; every body then had the default of 42 calendar days.
    """

    class_version = 2

    name: str
    kind: BodyKind
    response_term_days: int

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["response_term_days"] = 42
