"""Events of an access token of the HTTP API: who could act, in which role, from when until when.

The token itself (its secret) is never recorded; only its id, the role and body it carries and
the name recorded with every event made with it.
"""

from datetime import datetime
from uuid import UUID

from events.base import LedgerCreated, LedgerEvent
from events.vocabulary import Role


class TokenIssued(LedgerCreated):
    """A token was made (its id is the record's id). `issued_at` is when it was made: the
    recorded moment, or earlier for a token made before tokens were recorded in the log."""

    role: Role
    body_id: UUID | None
    name: str
    issued_at: datetime


class TokenRevoked(LedgerEvent):
    """The token was revoked: from this recorded moment on it works nowhere."""
