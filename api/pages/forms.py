"""Forms as people fill them in: values kept as typed, one Dutch message per field, the ledger's
refusals put next to the fields they are about (NL Design System error pattern)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from api.http.problems import api_field
from api.http.requests import NieuweReactie
from ledger import LedgerError, ValidationError

GENERAL: Final = ""  # an error about the whole form: in the summary only
_DUTCH_DAY: Final = re.compile(r"([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})")


# A ledger command's own words where they differ from the common ones (a reactie's `text`).
_OWN_WORDS: Final = {"record_response": NieuweReactie.LEDGER_FIELDS}


@dataclass
class Form:
    """What was posted (as text) and what is wrong with it, field by field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, posted: Mapping[str, Any], names: list[str]) -> "Form":
        return cls(
            {n: str(posted.get(n, "")).strip() for n in names if isinstance(posted.get(n, ""), str)}
        )

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str, message: str) -> None:
        if name in self.errors:
            self.errors[name] = f"{self.errors[name]} {message}"
        else:
            self.errors[name] = message

    @property
    def ok(self) -> bool:
        return not self.errors

    def required(self, name: str, label: str) -> str | None:
        value = self.get(name)
        if not value:
            self.error(name, f"Vul {label} in.")
            return None
        return value

    def day(self, name: str, label: str, *, required: bool = True) -> date | None:
        """A date as a date field sends it (2016-12-05) or as people type it (5-12-2016)."""
        value = self.get(name)
        if not value:
            if required:
                self.error(name, f"Vul {label} in.")
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.error(
                name,
                f"{label.capitalize()} is geen bestaande datum; schrijf bijvoorbeeld 5-12-2016.",
            )
        return parsed

    def number(self, name: str, label: str) -> int | None:
        value = self.get(name)
        if not value.isdigit() or not 0 < int(value) < 10_000:
            self.error(name, f"Kies {label}.")
            return None
        return int(value)

    def refused(self, error: LedgerError, command: str, fields: Mapping[str, str]) -> None:
        """Put the ledger's refusals next to the fields: `fields` maps the API's field names (or
        their first part) to this form's; anything else goes to the summary."""
        if not isinstance(error, ValidationError):
            self.error(GENERAL, error.message)
            return
        for item in error.invalid:
            name = api_field(item.field, _OWN_WORDS.get(command, {}))
            target = fields.get(name, fields.get(name.split("/")[0], GENERAL))
            self.error(target, item.reason)


def parse_day(value: str) -> date | None:
    value = value.strip()
    try:
        found = _DUTCH_DAY.fullmatch(value)
        if found:
            day, month, year = (int(g) for g in found.groups())
            return date(year, month, day)
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None
