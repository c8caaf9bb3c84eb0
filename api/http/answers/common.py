"""What the answers share: how a field names the view's English key, the outcome and status
words, the municipality asked about, and the count per outcome."""

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo

from api.http.fields import Answer, Count
from api.http.words import DutchOut
from api.vocabulary import ADVICE_STATUSES, OUTCOMES

OutcomeWord = Annotated[str, DutchOut.of(OUTCOMES)]
StatusWord = Annotated[str, DutchOut.of(ADVICE_STATUSES)]
Titles = Annotated[
    list[str | None], Field(description="De titels, in dezelfde volgorde als de ids ernaast.")
]


def _municipality(_given: object, info: ValidationInfo) -> str:
    context: dict[str, str] = info.context or {}
    return context["municipality"]


# The municipality asked about (validation context), not a field of the view.
Municipality = Annotated[str, BeforeValidator(_municipality), Field("", validate_default=True)]


def alias(english: str, **more: Any) -> Any:
    """A field read from the view's `english` key."""
    return Field(validation_alias=english, **more)


def dutch_key(english: str, dutch: str) -> Any:
    return Field(validation_alias=english, serialization_alias=dutch)


class PerUitkomst(Answer):
    """A count per outcome (keys are the outcome words themselves)."""

    model_config = ConfigDict(alias_generator=None)

    openstaand: Count = dutch_key("pending", "openstaand")
    overgenomen: Count = dutch_key("followed", "overgenomen")
    deels_overgenomen: Count = dutch_key("partially_followed", "deels_overgenomen")
    niet_overgenomen: Count = dutch_key("not_followed", "niet_overgenomen")
    meegenomen: Count = dutch_key("deferred", "meegenomen")
    kennisgenomen: Count = dutch_key("noted", "kennisgenomen")
