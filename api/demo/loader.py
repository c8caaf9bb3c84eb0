"""Loading the demo data into a ledger through its commands, recording only what is missing.

Every demo record has a fixed id (uuid5 of its municipality, kind and key), and every command is
preceded by a look at what the ledger already holds, so a second run records nothing and a run
after a crash halfway completes what is missing, adding nothing twice.
"""

from collections import defaultdict
from dataclasses import dataclass, fields
from uuid import UUID, uuid5

import events
from api.demo.records import Advice, DemoError, Municipality, Response
from ledger import Actor, AdviceLedger

# Fixed for good: demo ids derive from it, so every run on every machine names a record alike.
NAMESPACE = UUID("6f1c2d3e-8a47-5b90-9c21-4d5e6f708192")
ACTOR = Actor(name="demo", role=events.Role.SYSTEM, request_id="demo")


def demo_id(municipality: str, kind: str, key: str) -> UUID:
    return uuid5(NAMESPACE, f"{municipality}/{kind}/{key}")


@dataclass
class Tally:
    """What one run recorded in one municipality."""

    bodies: int = 0
    dossiers: int = 0
    advice: int = 0
    points: int = 0
    responses: int = 0
    promises: int = 0
    decisions: int = 0

    def describe(self) -> str:
        """`12 adviesorganen, 1 dossier, … vastgelegd`, or `niets nieuw vastgelegd`."""
        words = {
            "bodies": ("adviesorgaan", "adviesorganen"),
            "dossiers": ("dossier", "dossiers"),
            "advice": ("advies", "adviezen"),
            "points": ("punt", "punten"),
            "responses": ("reactie", "reacties"),
            "promises": ("toezegging", "toezeggingen"),
            "decisions": ("besluit", "besluiten"),
        }
        parts = []
        for field in fields(self):
            count: int = getattr(self, field.name)
            one, many = words[field.name]
            if count:
                parts.append(f"{count} {one if count == 1 else many}")
        return ", ".join(parts) + " vastgelegd" if parts else "niets nieuw vastgelegd"


def load_municipality(ledger: AdviceLedger, data: Municipality) -> Tally:
    """Record what the ledger lacks of one municipality's demo data."""
    if ledger.municipality != data.slug:
        msg = f"De demogegevens van {data.name} horen niet in gemeente '{ledger.municipality}'."
        raise DemoError(msg)
    return _Loader(ledger, data).load()


class _Loader:
    def __init__(self, ledger: AdviceLedger, data: Municipality) -> None:
        self.ledger = ledger
        self.data = data
        self.tally = Tally()

    def id(self, kind: str, key: str) -> UUID:
        return demo_id(self.data.slug, kind, key)

    def load(self) -> Tally:
        # Order matters: advice names its body and dossier, a decision its advice (and checks
        # which points are still pending, so responses come first).
        for body in self.data.bodies:
            body_id = self.id("body", body.key)
            if not self.ledger.exists(body_id):
                self.ledger.register_body(
                    ACTOR,
                    name=body.name,
                    kind=body.kind,
                    response_term_days=body.response_term_days,
                    id=body_id,
                )
                self.tally.bodies += 1
        for dossier in self.data.dossiers:
            dossier_id = self.id("dossier", dossier.key)
            if not self.ledger.exists(dossier_id):
                self.ledger.open_dossier(
                    ACTOR,
                    title=dossier.title,
                    opened_on=dossier.opened_on,
                    reference=dossier.reference,
                    portfolio_holder=dossier.portfolio_holder,
                    id=dossier_id,
                )
                self.tally.dossiers += 1
        for advice in self.data.advice:
            self.load_advice(advice)
        for decision in self.data.decisions:
            decision_id = self.id("decision", decision.key)
            if not self.ledger.exists(decision_id):
                self.ledger.take_decision(
                    ACTOR,
                    dossier_id=self.id("dossier", decision.dossier),
                    title=decision.title,
                    decided_on=decision.decided_on,
                    advice_ids=[self.id("advice", key) for key in decision.advice],
                    reference=decision.reference,
                    deviations=[
                        events.Deviation(self.id("advice", d.advice), d.point, d.reasons, d.outcome)
                        for d in decision.deviations
                    ],
                    id=decision_id,
                )
                self.tally.decisions += 1
        return self.tally

    def load_advice(self, advice: Advice) -> None:
        advice_id = self.id("advice", advice.key)
        if not self.ledger.exists(advice_id):
            self.ledger.submit_advice(
                ACTOR,
                body_id=self.id("body", advice.body),
                title=advice.title,
                submitted_on=advice.submitted_on,
                solicited=advice.solicited,
                points=advice.points,
                dossier_id=self.id("dossier", advice.dossier) if advice.dossier else None,
                reference=advice.reference,
                id=advice_id,
            )
            self.tally.advice += 1
            self.tally.points += len(advice.points)
        recorded = self.ledger.get_advice(advice_id)
        seen: defaultdict[int, int] = defaultdict(int)
        for response in advice.responses:
            # The n-th response to a point in the data is the n-th one the ledger holds for it.
            nth = seen[response.point]
            seen[response.point] += 1
            held = recorded.points[response.point - 1].responses
            if nth < len(held):
                self.check_same(advice, response, held[nth])
                continue
            self.ledger.record_response(
                ACTOR,
                advice_id=advice_id,
                point=response.point,
                outcome=response.outcome,
                text=response.text,
                given_on=response.given_on,
                reasons=response.reasons,
                consequence=response.consequence,
            )
            self.tally.responses += 1
        for number, promise in enumerate(advice.promises, start=1):
            promise_id = self.id("promise", f"{advice.key}/{number}")
            if promise_id not in recorded.promises:
                self.ledger.promise_follow_up(
                    ACTOR,
                    advice_id=advice_id,
                    point=promise.point,
                    description=promise.description,
                    due_on=promise.due_on,
                    promise_id=promise_id,
                )
                self.tally.promises += 1

    def check_same(self, advice: Advice, wanted: Response, held: events.ResponseRecorded) -> None:
        # The ledger stores texts stripped; compare the way it stored them.
        if (held.outcome, held.given_on, held.text) != (
            wanted.outcome,
            wanted.given_on,
            wanted.text.strip(),
        ):
            msg = (
                f"{self.data.name}: advies '{advice.key}' punt {wanted.point} heeft in de database "
                "al een andere reactie dan in de demogegevens. Wat vastligt verandert niet "
                "meer; laad de demo in een lege database."
            )
            raise DemoError(msg)
