"""Actors the tests need beyond the fixtures; our packages imported inside, for typeguard."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger import Actor


def administrator() -> "Actor":
    """The administrator (beheerder), who registers advisory bodies."""
    from events import Role
    from ledger import Actor

    return Actor("beheerder", Role.ADMINISTRATOR, "req-admin")
