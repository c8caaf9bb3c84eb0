"""Making and revoking a token, recorded in the municipality's log (who could act when).

The log records first and the edge store follows: making a token records `TokenIssued` before the
token exists, revoking one stops the token before `TokenRevoked` is recorded. Whatever fails in
between, the log never shows fewer people able to act than could.
"""

import getpass
from uuid import UUID, uuid4

from api.edge_store import EdgeStore, TokenRecord
from events import Role
from ledger import Actor, Ledgers
from ledger.application import IssuedToken


def command_line_actor() -> Actor:
    """Who acts on the command line: the operating-system user, in the system role."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "onbekend"
    return Actor(f"opdrachtregel ({user})", Role.SYSTEM, f"cli-{uuid4()}")


def issue(
    ledgers: Ledgers,
    edge: EdgeStore,
    municipality: str,
    role: Role,
    body_id: UUID | None,
    name: str,
    actor: Actor,
) -> tuple[TokenRecord, str]:
    """Record the token's issue in the municipality's log, then make it; (record, secret)."""
    token_id = uuid4()
    ledgers[municipality].issue_token(
        actor, token_id=token_id, role=role, name=name, body_id=body_id
    )
    return edge.create_token(municipality, role, body_id, name, token_id)


def revoke(ledgers: Ledgers, edge: EdgeStore, token_id: str, actor: Actor) -> TokenRecord | None:
    """Stop the token, then record that in its municipality's log; None when no valid token
    has this id."""
    token = next((t for t in edge.tokens() if t.id == token_id), None)
    if token is None or not edge.revoke_token(token_id):
        return None
    issued = IssuedToken(token.role, token.body_id, token.name, token.created)
    ledgers[token.municipality].revoke_token(actor, token_id=UUID(token_id), issued=issued)
    return token
