"""Domain errors: what the ledger refuses, with Dutch sentences for the people who asked."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Invalid:
    """One offending input: a path in command terms (`points/1/text`) and a Dutch reason."""

    field: str
    reason: str


class LedgerError(Exception):
    """Base of every refusal; `message` is a Dutch sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(LedgerError):
    """The command breaks a rule; nothing was recorded."""

    def __init__(self, invalid: list[Invalid] | tuple[Invalid, ...]) -> None:
        self.invalid = tuple(invalid)
        super().__init__(" ".join(item.reason for item in self.invalid))


class NotFoundError(LedgerError):
    """The named record does not exist in this municipality."""


class ConflictError(LedgerError):
    """The command conflicts with the current state or with a concurrent write."""


class ForbiddenError(LedgerError):
    """The actor may not do this (role or body)."""


class PreconditionFailedError(LedgerError):
    """The caller expected another version of the record (If-Match)."""


class Refusals:
    """Collects every broken rule of one command, so the caller hears them all at once."""

    def __init__(self) -> None:
        self.items: list[Invalid] = []

    def add(self, field: str, reason: str) -> None:
        self.items.append(Invalid(field, reason))

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)
