"""The advisory body aggregate (adviesorgaan)."""

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from events import AdvisoryBodyRegistered, BodyKind, Meta
from ledger.errors import Refusals
from ledger.rules import check_text

DEFAULT_RESPONSE_TERM_DAYS = 42


class AdvisoryBody(Aggregate):
    """Who gives advice; its response term sets the college's due date."""

    if TYPE_CHECKING:  # set by apply(); not constructor arguments of the library
        name: str
        kind: BodyKind
        response_term_days: int

    @classmethod
    def register(
        cls, meta: Meta, *, name: str, kind: BodyKind, response_term_days: int, id: UUID | None
    ) -> "AdvisoryBody":
        refusals = Refusals()
        check_text(refusals, "name", name, "De naam")
        if not 1 <= response_term_days <= 366:
            refusals.add(
                "response_term_days", "De reactietermijn moet tussen 1 en 366 dagen liggen."
            )
        refusals.raise_if_any()
        return cls._create(
            AdvisoryBodyRegistered,
            id=id,
            meta=meta,
            name=name.strip(),
            kind=kind,
            response_term_days=response_term_days,
        )

    def apply(self, event: Any) -> None:
        if isinstance(event, AdvisoryBodyRegistered):
            self.municipality = event.meta.municipality
            self.name = event.name
            self.kind = event.kind
            self.response_term_days = event.response_term_days
