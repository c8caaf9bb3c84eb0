"""Who could act when, and forgetting: tokens issued and revoked, a resident or an actor
forgotten (their key destroyed after the event that records it)."""

from datetime import datetime
from uuid import UUID

from events import BodyKind, Role, SubjectKind
from events.base import RECORDING_CLOCK
from ledger.bodies import AdvisoryBody
from ledger.errors import ConflictError, ForbiddenError, Invalid, NotFoundError, ValidationError
from ledger.forgetting import Forgetting
from ledger.ledger_save import SavingLedger
from ledger.recorded import IssuedToken, Recorded
from ledger.rules import ADMINISTRATOR_ROLES, Actor
from ledger.tokens import AccessToken


class AccessCommands(SavingLedger):
    """Tokens in the log, and the right to be forgotten."""

    def issue_token(
        self,
        actor: Actor,
        *,
        token_id: UUID,
        role: Role,
        name: str,
        body_id: UUID | None = None,
        issued_at: datetime | None = None,
    ) -> Recorded:
        """Record that a token was made (never its secret): before it is handed out."""
        _require_token_keeper(actor)
        if body_id is not None:
            self._reference(AdvisoryBody, body_id, "body_id")
        meta = self._meta(actor)
        with self._command_lock:
            token = AccessToken.issue(
                meta, token_id, role, body_id, name, issued_at or RECORDING_CLOCK.now()
            )
            return self._save(token)

    def revoke_token(
        self, actor: Actor, *, token_id: UUID, issued: IssuedToken | None = None
    ) -> Recorded:
        """Record that a token was revoked; a token the log never saw issued (`issued`: as the
        edge store knows it) gets its issue recorded first, in the same transaction."""
        _require_token_keeper(actor)
        meta = self._meta(actor)
        with self._command_lock:
            token = self._find(AccessToken, token_id)
            if token is None:
                if issued is None:
                    raise NotFoundError("Het token bestaat niet in deze gemeente.")
                token = AccessToken.issue(
                    meta, token_id, issued.role, issued.body_id, issued.name, issued.issued_at
                )
            token.revoke(meta)
            return self._save(token)

    # Personal data ---------------------------------------------------------------------------

    def forget_body(self, actor: Actor, body_id: UUID) -> Recorded:
        """Forget a resident: record that, then destroy its key (its name and texts read
        `[verwijderd]` everywhere from then on; the views must be rebuilt to drop their copy)."""
        _require_token_keeper(actor)
        # Exclusive until the key is destroyed: nothing is sealed with it after the forgetting.
        with self._command_lock.exclusive():
            body = self._load(AdvisoryBody, body_id)
            subject = self.personal.body(str(body_id))
            if body.kind is not BodyKind.RESIDENT or subject is None:
                msg = "Alleen van een inwoner (soort inwoner) zijn de gegevens persoonsgegevens."
                raise ValidationError([Invalid("body_id", msg)])
            if subject.key is None:
                raise ConflictError("De gegevens van dit adviesorgaan zijn al vergeten.")
            recorded = self._save(
                Forgetting.record(self._meta(actor), SubjectKind.BODY, str(body_id))
            )
            self.personal.forget_body(str(body_id))
            return recorded

    def forget_actor(self, actor: Actor, name: str) -> Recorded:
        """Forget the actor of this name: record that (with its opaque id, never the name), then
        destroy its key and name."""
        _require_token_keeper(actor)
        with self._command_lock.exclusive():
            subject_id = self.personal.actor_id(name)
            if subject_id is None:
                raise NotFoundError(
                    f"Onder deze naam is in gemeente {self.municipality} niets vastgelegd."
                )
            recorded = self._save(
                Forgetting.record(self._meta(actor), SubjectKind.ACTOR, subject_id)
            )
            self.personal.forget_actor(name)
            return recorded


def _require_token_keeper(actor: Actor) -> None:
    if actor.role not in ADMINISTRATOR_ROLES:
        raise ForbiddenError("Alleen de beheerder mag tokens uitgeven of intrekken.")
