"""The advice aggregate: its points, the college's responses, promises, rejoinders, withdrawal."""

from datetime import date, timedelta
from uuid import UUID

from events import (
    AdviceSubmitted,
    AdviceWithdrawn,
    DueDateMoved,
    FollowUpFulfilled,
    FollowUpPromised,
    Meta,
    Outcome,
    RejoinderGiven,
    ResponseRecorded,
    Role,
    Verdict,
)
from ledger.advice_state import AdviceState, DueDateChange, Point, Promise
from ledger.bodies import AdvisoryBody
from ledger.dossiers import AdviceRequest, Dossier
from ledger.errors import ConflictError, ForbiddenError, NotFoundError, Refusals
from ledger.rules import OFFICE_ROLES, Actor, check_not_future, check_text


class Advice(AdviceState):
    """One advice document; the rules of responding to it live here."""

    @classmethod
    def submit(
        cls,
        actor: Actor,
        meta: Meta,
        *,
        body: AdvisoryBody,
        title: str,
        submitted_on: date,
        solicited: bool,
        points: list[str],
        dossier: Dossier | None,
        request: AdviceRequest | None,
        reference: str | None,
        today: date,
        id: UUID | None,
    ) -> "Advice":
        if actor.role is Role.MEMBER and not actor.speaks_for(body.id):
            msg = "Een lid mag alleen advies uitbrengen namens het eigen adviesorgaan."
            raise ForbiddenError(msg)
        refusals = Refusals()
        check_text(refusals, "title", title, "De titel")
        check_not_future(refusals, "submitted_on", submitted_on, today)
        if not points:
            refusals.add("points", "Een advies heeft minstens één punt.")
        for index, text in enumerate(points):
            check_text(refusals, f"points/{index}/text", text, f"De tekst van punt {index + 1}")
        if request is not None:
            if not solicited:
                refusals.add("solicited", "Een advies op een adviesaanvraag is gevraagd (true).")
            if request.body_id != body.id:
                refusals.add(
                    "request_id", "De adviesaanvraag is aan een ander adviesorgaan gericht."
                )
            if dossier is not None and request.dossier_id != dossier.id:
                refusals.add("request_id", "De adviesaanvraag hoort bij een ander dossier.")
        refusals.raise_if_any()
        return cls._create(
            AdviceSubmitted,
            id=id,
            meta=meta,
            body_id=body.id,
            title=title.strip(),
            submitted_on=submitted_on,
            solicited=solicited,
            points=tuple(text.strip() for text in points),
            dossier_id=dossier.id if dossier else (request.dossier_id if request else None),
            request_id=request.id if request else None,
            reference=reference,
            response_term_days=body.response_term_days,
            due_on=submitted_on + timedelta(days=body.response_term_days),
        )

    def respond(
        self,
        meta: Meta,
        *,
        point: int,
        outcome: Outcome,
        text: str,
        reasons: str | None,
        consequence: str | None,
        given_on: date,
        decision: str | None,
        today: date,
    ) -> None:
        self._refuse_if_withdrawn("Op een ingetrokken advies wordt niet meer gereageerd.")
        refusals = Refusals()
        self._check_point(refusals, point)
        if outcome is Outcome.PENDING:
            refusals.add("outcome", "Een reactie heeft een uitkomst; ‘openstaand’ kan niet.")
        check_text(refusals, "text", text, "De reactie")
        if outcome.needs_reasons:
            check_text(refusals, "reasons", reasons, "De motivering (Awb 3:50)")
        if given_on < self.submitted_on:
            refusals.add("given_on", "De reactie is gedateerd vóór het advies werd uitgebracht.")
        check_not_future(refusals, "given_on", given_on, today)
        refusals.raise_if_any()
        self.trigger_event(
            ResponseRecorded,
            meta=meta,
            point=point,
            outcome=outcome,
            text=text.strip(),
            reasons=reasons.strip() if reasons and reasons.strip() else None,
            consequence=consequence,
            given_on=given_on,
            decision=decision,
        )

    def move_due_date(
        self, meta: Meta, *, new_due_on: date, reason: str, effective_on: date, today: date
    ) -> None:
        self._refuse_if_withdrawn("De termijn van een ingetrokken advies verandert niet meer.")
        refusals = Refusals()
        check_text(refusals, "reason", reason, "De reden")
        previous = self.due_on_at(effective_on)
        if new_due_on == previous:
            refusals.add("new_due_on", "De nieuwe datum is gelijk aan de datum die dan geldt.")
        self._check_not_before(refusals, "new_due_on", new_due_on, "De nieuwe datum")
        self._check_not_before(refusals, "effective_on", effective_on, "De ingangsdatum")
        check_not_future(refusals, "effective_on", effective_on, today)
        refusals.raise_if_any()
        self.trigger_event(
            DueDateMoved,
            meta=meta,
            previous_due_on=previous,
            new_due_on=new_due_on,
            reason=reason.strip(),
            effective_on=effective_on,
        )

    def promise(
        self, meta: Meta, *, promise_id: UUID, point: int, description: str, due_on: date
    ) -> None:
        self._refuse_if_withdrawn("Bij een ingetrokken advies worden geen toezeggingen gedaan.")
        refusals = Refusals()
        self._check_point(refusals, point)
        check_text(refusals, "description", description, "De omschrijving")
        self._check_not_before(refusals, "due_on", due_on, "De uiterste datum")
        refusals.raise_if_any()
        self.trigger_event(
            FollowUpPromised,
            meta=meta,
            promise_id=promise_id,
            point=point,
            description=description.strip(),
            due_on=due_on,
        )

    def fulfil(
        self, meta: Meta, *, promise_id: UUID, fulfilled_on: date, note: str, today: date
    ) -> None:
        self._refuse_if_withdrawn("Bij een ingetrokken advies wordt niets meer nagekomen.")
        promise = self.promises.get(promise_id)
        if promise is None:
            msg = "Deze toezegging bestaat niet bij dit advies."
            raise NotFoundError(msg)
        if promise.fulfilled_on is not None:
            msg = "Deze toezegging is al nagekomen."
            raise ConflictError(msg)
        refusals = Refusals()
        check_text(refusals, "note", note, "De toelichting")
        check_not_future(refusals, "fulfilled_on", fulfilled_on, today)
        self._check_not_before(refusals, "fulfilled_on", fulfilled_on, "De datum")
        refusals.raise_if_any()
        self.trigger_event(
            FollowUpFulfilled,
            meta=meta,
            promise_id=promise_id,
            fulfilled_on=fulfilled_on,
            note=note.strip(),
        )

    def give_rejoinder(
        self,
        actor: Actor,
        meta: Meta,
        *,
        point: int | None,
        verdict: Verdict,
        text: str,
        given_on: date,
        today: date,
        decided: frozenset[int] = frozenset(),
    ) -> None:
        """The body's rejoinder to the answer on one point, or (without a point) to every answered
        point; the secretariat may record one on the body's behalf. `decided` are the points a
        decision's deviation answered."""
        on_behalf = actor.role in OFFICE_ROLES
        if not (actor.speaks_for(self.body_id) or on_behalf):
            msg = (
                "Alleen het adviesorgaan dat het advies gaf geeft een wederwoord "
                "(of het secretariaat namens dat adviesorgaan)."
            )
            raise ForbiddenError(msg)
        self._refuse_if_withdrawn("Op een ingetrokken advies wordt geen wederwoord gegeven.")
        refusals = Refusals()
        check_text(refusals, "text", text, "De tekst")
        answered = set(self.answered_points(decided))
        if point is not None:
            self._check_point(refusals, point)
            if 1 <= point <= len(self.points) and point not in answered:
                refusals.add("point", f"Punt {point} heeft nog geen reactie.")
        elif not answered:
            refusals.add("point", "Er is nog geen punt beantwoord.")
        if given_on < self.submitted_on:
            refusals.add("given_on", "Het wederwoord is gedateerd vóór het advies.")
        check_not_future(refusals, "given_on", given_on, today)
        refusals.raise_if_any()
        self.trigger_event(
            RejoinderGiven,
            meta=meta,
            point=point,
            verdict=verdict,
            text=text.strip(),
            given_on=given_on,
            on_behalf=on_behalf,
        )

    def withdraw(self, actor: Actor, meta: Meta, *, reason: str) -> None:
        if not (actor.speaks_for(self.body_id) or actor.role in OFFICE_ROLES):
            msg = "Alleen het adviesorgaan zelf of het secretariaat trekt dit advies in."
            raise ForbiddenError(msg)
        self._refuse_if_withdrawn("Dit advies is al ingetrokken.")
        refusals = Refusals()
        check_text(refusals, "reason", reason, "De reden")
        refusals.raise_if_any()
        self.trigger_event(AdviceWithdrawn, meta=meta, reason=reason.strip())

    def _check_point(self, refusals: Refusals, point: int) -> None:
        if not 1 <= point <= len(self.points):
            refusals.add("point", f"Dit advies heeft geen punt {point}.")

    def _check_not_before(self, refusals: Refusals, field: str, day: date, label: str) -> None:
        if day < self.submitted_on:
            refusals.add(field, f"{label} ligt vóór de datum van het advies.")

    def _refuse_if_withdrawn(self, message: str) -> None:
        if self.withdrawn:
            raise ConflictError(message)


__all__ = ["Advice", "DueDateChange", "Point", "Promise"]
