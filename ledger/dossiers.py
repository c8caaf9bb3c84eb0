"""The dossier aggregate and the advice request aggregate."""

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from events import AdviceRequested, DossierOpened, Meta
from ledger.bodies import AdvisoryBody
from ledger.errors import Refusals
from ledger.rules import check_not_future, check_text


class Dossier(Aggregate):
    """A policy matter; advice and decisions hang on it."""

    if TYPE_CHECKING:  # set by apply(); not constructor arguments of the library
        title: str
        opened_on: date

    @classmethod
    def open(
        cls,
        meta: Meta,
        *,
        title: str,
        reference: str | None,
        portfolio_holder: str | None,
        opened_on: date,
        today: date,
        id: UUID | None,
    ) -> "Dossier":
        refusals = Refusals()
        check_text(refusals, "title", title, "De titel")
        check_not_future(refusals, "opened_on", opened_on, today)
        refusals.raise_if_any()
        return cls._create(
            DossierOpened,
            id=id,
            meta=meta,
            title=title.strip(),
            reference=reference,
            portfolio_holder=portfolio_holder,
            opened_on=opened_on,
        )

    def apply(self, event: Any) -> None:
        if isinstance(event, DossierOpened):
            self.title = event.title
            self.opened_on = event.opened_on


class AdviceRequest(Aggregate):
    """The college asked a body for advice on a dossier, by a date of its own."""

    if TYPE_CHECKING:  # set by apply(); not constructor arguments of the library
        dossier_id: UUID
        body_id: UUID
        due_on: date

    @classmethod
    def request(
        cls,
        meta: Meta,
        *,
        dossier: Dossier,
        body: AdvisoryBody,
        question: str,
        requested_on: date,
        due_on: date,
        today: date,
        id: UUID | None,
    ) -> "AdviceRequest":
        refusals = Refusals()
        check_text(refusals, "question", question, "De vraag")
        check_not_future(refusals, "requested_on", requested_on, today)
        if due_on < requested_on:
            refusals.add("due_on", "De uiterste datum ligt vóór de datum van de aanvraag.")
        refusals.raise_if_any()
        return cls._create(
            AdviceRequested,
            id=id,
            meta=meta,
            dossier_id=dossier.id,
            body_id=body.id,
            question=question.strip(),
            requested_on=requested_on,
            due_on=due_on,
        )

    def apply(self, event: Any) -> None:
        if isinstance(event, AdviceRequested):
            self.dossier_id = event.dossier_id
            self.body_id = event.body_id
            self.due_on = event.due_on
