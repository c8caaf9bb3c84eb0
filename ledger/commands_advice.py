"""The commands on an advice: submit it, record the college's responses, move its due date,
promise and fulfil follow-up, the body's rejoinder, withdraw it."""

from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from events import Outcome, Verdict
from ledger.advice import Advice
from ledger.bodies import AdvisoryBody
from ledger.current import rerun_if_stale
from ledger.dossiers import AdviceRequest, Dossier
from ledger.errors import ConflictError, Invalid, Refusals, ValidationError
from ledger.ledger_save import SavingLedger
from ledger.recorded import Recorded, ResponseInput
from ledger.rules import Actor


class AdviceCommands(SavingLedger):
    """Commands on one advice (several, for an imported reaction table)."""

    def submit_advice(
        self,
        actor: Actor,
        *,
        body_id: UUID,
        title: str,
        submitted_on: date,
        solicited: bool,
        points: Sequence[str],
        dossier_id: UUID | None = None,
        request_id: UUID | None = None,
        reference: str | None = None,
        id: UUID | None = None,
    ) -> Recorded:
        actor.require_writer()
        body = self._reference(AdvisoryBody, body_id, "body_id")
        dossier = self._reference(Dossier, dossier_id, "dossier_id") if dossier_id else None
        request = self._reference(AdviceRequest, request_id, "request_id") if request_id else None
        advice = Advice.submit(
            actor,
            self._meta(actor),
            body=body,
            title=title,
            submitted_on=submitted_on,
            solicited=solicited,
            points=list(points),
            dossier=dossier,
            request=request,
            reference=reference,
            today=self.today(),
            id=id,
        )
        return self._save(advice)

    @rerun_if_stale
    def record_response(
        self,
        actor: Actor,
        *,
        advice_id: UUID,
        point: int,
        outcome: Outcome,
        text: str,
        given_on: date,
        reasons: str | None = None,
        consequence: str | None = None,
        decision: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        actor.require_office()
        with self._advice(advice_id, expected_version) as advice:
            advice.respond(
                self._meta(actor),
                point=point,
                outcome=outcome,
                text=text,
                reasons=reasons,
                consequence=consequence,
                given_on=given_on,
                decision=decision,
                today=self.today(),
            )
            return self._save(advice)

    @rerun_if_stale
    def record_responses(
        self, actor: Actor, rows: Sequence[ResponseInput], *, check_only: bool = False
    ) -> Recorded | None:
        """Several responses (an imported reaction table) in ONE transaction: all or none.

        Every row is checked before anything is saved; the refusals name `rows/<i>/<field>`.
        With `check_only` nothing is saved (a preview); else the last event stored is returned.
        Combined with `once`, the whole table is one idempotent batch.
        """
        actor.require_office()
        if not rows:
            raise ValidationError([Invalid("rows", "De tabel bevat geen reacties.")])
        with self._command_lock:
            loaded: dict[UUID, Advice] = {}
            refusals = Refusals()
            meta, today = self._meta(actor), self.today()
            for index, row in enumerate(rows):
                advice = loaded.get(row.advice_id) or self._find(Advice, row.advice_id)
                if advice is None:
                    refusals.add(f"rows/{index}/advice_id", "Dit advies bestaat niet.")
                    continue
                loaded[row.advice_id] = advice
                try:
                    advice.respond(
                        meta,
                        point=row.point,
                        outcome=row.outcome,
                        text=row.text,
                        reasons=row.reasons,
                        consequence=row.consequence,
                        given_on=row.given_on,
                        decision=None,
                        today=today,
                    )
                except ValidationError as error:
                    for item in error.invalid:
                        refusals.add(f"rows/{index}/{item.field}", item.reason)
                except ConflictError as error:
                    refusals.add(f"rows/{index}/advice_id", error.message)
            refusals.raise_if_any()
            if check_only:
                self._confirm_kept(set())  # a preview, too, is of the store's state
                return None
            return self._save_all(list(loaded.values()))

    @rerun_if_stale
    def move_due_date(
        self,
        actor: Actor,
        *,
        advice_id: UUID,
        new_due_on: date,
        reason: str,
        effective_on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Move the due date from `effective_on` (default today) on."""
        actor.require_office()
        with self._advice(advice_id, expected_version) as advice:
            today = self.today()
            advice.move_due_date(
                self._meta(actor),
                new_due_on=new_due_on,
                reason=reason,
                effective_on=effective_on or today,
                today=today,
            )
            return self._save(advice)

    @rerun_if_stale
    def promise_follow_up(
        self,
        actor: Actor,
        *,
        advice_id: UUID,
        point: int,
        description: str,
        due_on: date,
        promise_id: UUID | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        actor.require_office()
        with self._advice(advice_id, expected_version) as advice:
            advice.promise(
                self._meta(actor),
                promise_id=promise_id or uuid4(),
                point=point,
                description=description,
                due_on=due_on,
            )
            return self._save(advice)

    @rerun_if_stale
    def fulfil_promise(
        self,
        actor: Actor,
        *,
        advice_id: UUID,
        promise_id: UUID,
        fulfilled_on: date,
        note: str,
        expected_version: int | None = None,
    ) -> Recorded:
        actor.require_office()
        with self._advice(advice_id, expected_version) as advice:
            advice.fulfil(
                self._meta(actor),
                promise_id=promise_id,
                fulfilled_on=fulfilled_on,
                note=note,
                today=self.today(),
            )
            return self._save(advice)

    @rerun_if_stale
    def give_rejoinder(
        self,
        actor: Actor,
        *,
        advice_id: UUID,
        verdict: Verdict,
        text: str,
        point: int | None = None,
        given_on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """The body's rejoinder (a member of it, or the secretariat on its behalf)."""
        actor.require_writer()
        with self._advice(advice_id, expected_version) as advice:
            today = self.today()
            advice.give_rejoinder(
                actor,
                self._meta(actor),
                point=point,
                verdict=verdict,
                text=text,
                given_on=given_on or today,
                today=today,
                decided=self._index.decided_points(advice_id),
            )
            return self._save(advice)

    @rerun_if_stale
    def withdraw_advice(
        self, actor: Actor, *, advice_id: UUID, reason: str, expected_version: int | None = None
    ) -> Recorded:
        actor.require_writer()
        with self._advice(advice_id, expected_version) as advice:
            advice.withdraw(actor, self._meta(actor), reason=reason)
            return self._save(advice)
