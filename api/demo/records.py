"""The demo data's records, as typed and checked by reading.py: municipalities with their bodies,
dossiers, advice (points, responses, promises) and decisions (deviations)."""

from dataclasses import dataclass
from datetime import date

from events import BodyKind, Outcome


class DemoError(Exception):
    """The demo data cannot be read, or disagrees with what the ledger already holds."""


@dataclass(frozen=True)
class Body:
    key: str
    name: str
    kind: BodyKind
    response_term_days: int


@dataclass(frozen=True)
class Dossier:
    key: str
    title: str
    reference: str | None
    portfolio_holder: str | None
    opened_on: date


@dataclass(frozen=True)
class Response:
    point: int
    outcome: Outcome
    text: str
    reasons: str | None
    consequence: str | None
    given_on: date


@dataclass(frozen=True)
class Promise:
    point: int
    description: str
    due_on: date


@dataclass(frozen=True)
class Advice:
    key: str
    body: str
    dossier: str | None
    title: str
    submitted_on: date
    solicited: bool
    reference: str | None
    points: tuple[str, ...]
    responses: tuple[Response, ...]
    promises: tuple[Promise, ...]


@dataclass(frozen=True)
class Deviation:
    advice: str
    point: int
    reasons: str
    outcome: Outcome


@dataclass(frozen=True)
class Decision:
    key: str
    dossier: str
    title: str
    decided_on: date
    reference: str | None
    advice: tuple[str, ...]
    deviations: tuple[Deviation, ...]


@dataclass(frozen=True)
class Municipality:
    slug: str
    name: str
    bodies: tuple[Body, ...]
    dossiers: tuple[Dossier, ...]
    advice: tuple[Advice, ...]
    decisions: tuple[Decision, ...]
