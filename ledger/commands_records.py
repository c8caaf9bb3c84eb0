"""The commands that set the scene and close it: register a body, open a dossier, request
advice, take a decision on a dossier's advice."""

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from events import BodyKind, Deviation
from ledger.advice import Advice
from ledger.bodies import DEFAULT_RESPONSE_TERM_DAYS, AdvisoryBody
from ledger.decisions import Decision, DossierAdvice, ListedAdvice
from ledger.dossiers import AdviceRequest, Dossier
from ledger.ledger_save import SavingLedger
from ledger.recorded import Recorded
from ledger.rules import Actor


class RecordCommands(SavingLedger):
    """Bodies, dossiers, advice requests and decisions."""

    def register_body(
        self,
        actor: Actor,
        *,
        name: str,
        kind: BodyKind,
        response_term_days: int = DEFAULT_RESPONSE_TERM_DAYS,
        id: UUID | None = None,
    ) -> Recorded:
        actor.require_administrator()
        body = AdvisoryBody.register(
            self._meta(actor), name=name, kind=kind, response_term_days=response_term_days, id=id
        )
        return self._save(body)

    def open_dossier(
        self,
        actor: Actor,
        *,
        title: str,
        opened_on: date,
        reference: str | None = None,
        portfolio_holder: str | None = None,
        id: UUID | None = None,
    ) -> Recorded:
        actor.require_office()
        dossier = Dossier.open(
            self._meta(actor),
            title=title,
            reference=reference,
            portfolio_holder=portfolio_holder,
            opened_on=opened_on,
            today=self.today(),
            id=id,
        )
        return self._save(dossier)

    def request_advice(
        self,
        actor: Actor,
        *,
        dossier_id: UUID,
        body_id: UUID,
        question: str,
        requested_on: date,
        due_on: date,
        id: UUID | None = None,
    ) -> Recorded:
        actor.require_office()
        dossier = self._reference(Dossier, dossier_id, "dossier_id")
        body = self._reference(AdvisoryBody, body_id, "body_id")
        request = AdviceRequest.request(
            self._meta(actor),
            dossier=dossier,
            body=body,
            question=question,
            requested_on=requested_on,
            due_on=due_on,
            today=self.today(),
            id=id,
        )
        return self._save(request)

    def take_decision(
        self,
        actor: Actor,
        *,
        dossier_id: UUID,
        title: str,
        decided_on: date,
        advice_ids: Sequence[UUID],
        reference: str | None = None,
        deviations: Sequence[Deviation] = (),
        id: UUID | None = None,
    ) -> Recorded:
        actor.require_office()
        # Exclusive: it reads the index (advice on the dossier), which shows committed events.
        with self._command_lock.exclusive():
            dossier = self._reference(Dossier, dossier_id, "dossier_id")
            listed = [
                ListedAdvice(i, self._find(Advice, i), self._index.decided_points(i))
                for i in advice_ids
            ]
            decision = Decision.take(
                self._meta(actor),
                dossier=dossier,
                title=title,
                decided_on=decided_on,
                listed=listed,
                on_dossier=self._advice_on_dossier(dossier_id),
                reference=reference,
                deviations=deviations,
                today=self.today(),
                id=id,
            )
            return self._save(decision)

    def _advice_on_dossier(self, dossier_id: UUID) -> list[DossierAdvice]:
        found = (self._find(Advice, i) for i in self._index.advice_on(dossier_id))
        return [DossierAdvice(a.id, a.title, a.withdrawn) for a in found if a is not None]
