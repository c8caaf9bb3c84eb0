"""The advice ledger: one Application per municipality; its methods are the commands.

Where each part lives: the commands on an advice in ledger/commands_advice.py; bodies, dossiers,
requests and decisions in ledger/commands_records.py; tokens and forgetting in
ledger/commands_access.py; saving and idempotency keys in ledger/ledger_save.py; the store and
loading records in ledger/ledger_base.py; what commands answer with in ledger/recorded.py.
"""

from events.store import LEDGER_NAME
from ledger.commands_access import AccessCommands
from ledger.commands_advice import AdviceCommands
from ledger.commands_records import RecordCommands
from ledger.recorded import IssuedToken, Recorded, ResponseInput

__all__ = ["AdviceLedger", "IssuedToken", "Recorded", "ResponseInput"]


class AdviceLedger(AdviceCommands, RecordCommands, AccessCommands):
    """All writes of one municipality go through here, and nowhere else."""

    name = LEDGER_NAME
