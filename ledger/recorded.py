"""What a command answers with (`Recorded`), and the shapes some commands take."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events import Outcome, Role


@dataclass(frozen=True)
class IssuedToken:
    """A token as the edge store knows it, to record its issue after the fact (a token made
    before tokens were recorded in the log) when it is revoked."""

    role: Role
    body_id: UUID | None
    name: str
    issued_at: datetime


@dataclass(frozen=True)
class Recorded:
    """What a command stored: which record, at which log position, when, and its new version;
    and the last event exactly as stored (its topic and bytes), to answer from what was stored."""

    id: UUID
    position: int
    recorded_at: datetime
    version: int
    topic: str
    state: bytes
    # The stored state decoded, its personal texts opened: what the answer shows.
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ResponseInput:
    """One row of a reaction table: the college's answer to one point (see `record_responses`)."""

    advice_id: UUID
    point: int
    outcome: Outcome
    text: str
    given_on: date
    reasons: str | None = None
    consequence: str | None = None
