"""Who calls: the Bearer token, looked up on every request, and what its role may do."""

from dataclasses import dataclass
from typing import Final
from uuid import UUID

from api.edge_store import EdgeStore, TokenRecord
from api.http.problems import ProblemError
from api.vocabulary import ROLES
from events import Role
from ledger import Actor

# The roles a token can carry; `systeem` is the ledger's own and never a token's.
TOKEN_ROLES: Final = (Role.ADMINISTRATOR, Role.SECRETARIAT, Role.MEMBER, Role.AUDITOR)
CHALLENGE: Final = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Principal:
    """The holder of a valid token: which municipality, which role, for which body (a `lid`)."""

    token_id: str
    name: str
    role: Role
    municipality: str
    body_id: UUID | None

    @classmethod
    def of(cls, token: TokenRecord) -> "Principal":
        return cls(token.id, token.name, token.role, token.municipality, token.body_id)

    @property
    def role_word(self) -> str:
        return ROLES.dutch(self.role)

    def actor(self, request_id: str) -> Actor:
        return Actor(name=self.name, role=self.role, request_id=request_id, body_id=self.body_id)


def bearer_secret(header: str | None) -> str | None:
    """The token of `Authorization: Bearer <token>`; None when absent or another scheme."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    # Tokens are URL-safe ASCII; a header of other bytes (surrogate escapes) names no token.
    if not token.isascii() or not token.isprintable():
        return None
    return token


def unauthenticated(detail: str) -> ProblemError:
    return ProblemError(401, detail, headers=CHALLENGE)


def authenticate(secret: str, store: EdgeStore) -> Principal:
    """The principal of a token (blocking); 401 with `WWW-Authenticate: Bearer` for an unknown or
    revoked one.

    The store is asked on every request (on SQLite only whether its file changed, see
    `EdgeStore.find_token`), so tokens made or revoked on the command line, or by another server
    process, count at once, also while the server runs.
    """
    token = store.find_token(secret)
    if token is None:
        raise unauthenticated("Dit token is onbekend of ingetrokken.")
    return Principal.of(token)


def authorize(principal: Principal, roles: frozenset[Role]) -> None:
    """403 when the principal's role may not do this at all."""
    if principal.role not in roles:
        allowed = ", ".join(ROLES.dutch(role) for role in TOKEN_ROLES if role in roles)
        msg = f"De rol '{principal.role_word}' mag dit niet; dat mag: {allowed}."
        raise ProblemError(403, msg)
