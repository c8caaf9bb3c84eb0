"""The access token aggregate: a token's life in the log, from issue to revocation."""

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from events import Meta, Role
from events.tokens import TokenIssued, TokenRevoked
from ledger.errors import ConflictError, Refusals
from ledger.rules import check_text

TOKEN_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECRETARIAT, Role.MEMBER, Role.AUDITOR})


class AccessToken(Aggregate):
    """Who could act with one token (role, body, name), and whether it still can."""

    if TYPE_CHECKING:  # set by apply(); not constructor arguments of the library
        role: Role
        body_id: UUID | None
        name: str
        revoked: bool

    @classmethod
    def issue(
        cls,
        meta: Meta,
        token_id: UUID,
        role: Role,
        body_id: UUID | None,
        name: str,
        issued_at: datetime,
    ) -> "AccessToken":
        refusals = Refusals()
        check_text(refusals, "name", name, "De naam")
        if role not in TOKEN_ROLES:
            refusals.add("role", "Een token heeft de rol beheerder, secretariaat, lid of auditor.")
        if (role is Role.MEMBER) != (body_id is not None):
            refusals.add("body_id", "Alleen een token met rol lid hoort bij een adviesorgaan.")
        refusals.raise_if_any()
        return cls._create(
            TokenIssued,
            id=token_id,
            meta=meta,
            role=role,
            body_id=body_id,
            name=name,
            issued_at=issued_at,
        )

    def revoke(self, meta: Meta) -> None:
        if self.revoked:
            raise ConflictError("Dit token is al ingetrokken.")
        self.trigger_event(TokenRevoked, meta=meta)

    def apply(self, event: Any) -> None:
        if isinstance(event, TokenIssued):
            self.role, self.body_id, self.name = event.role, event.body_id, event.name
            self.revoked = False
        elif isinstance(event, TokenRevoked):
            self.revoked = True
