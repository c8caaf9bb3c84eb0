"""What became of one point at a business date: its answers (responses and decisions'
deviations, in log order), the due date in force, and the body's rejoinders. Pure functions on the
fold's documents; English keys.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from events import Outcome, Verdict
from projections.fold import Doc
from projections.records import PointView, PromiseView, RejoinderDoc

Item = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """What an advice view needs beyond its own document: names and titles by id, the answers
    decisions gave per advice (deviations), and which decisions list each advice."""

    names: dict[str, str] = field(default_factory=dict)
    deviations: dict[str, list[Item]] = field(default_factory=dict)
    decisions_of: dict[str, list[str]] = field(default_factory=dict)

    def name(self, record_id: str | None) -> str | None:
        return None if record_id is None else self.names.get(record_id)


def context(records: Iterable[Doc]) -> Context:
    """The context from documents of any kind (bodies, dossiers, advice, decisions)."""
    ctx = Context()
    decisions: list[Doc] = []
    for doc in records:
        kind = doc["kind"]
        if kind == "body":
            ctx.names[doc["id"]] = doc["name"]
        elif kind in ("dossier", "advice"):
            ctx.names[doc["id"]] = doc["title"]
        elif kind == "decision":
            decisions.append(doc)
    for decision in sorted(decisions, key=lambda d: d["position"]):
        for advice_id in decision["advice_ids"]:
            ctx.decisions_of.setdefault(advice_id, []).append(decision["id"])
        for deviation in decision["deviations"]:
            ctx.deviations.setdefault(deviation["advice_id"], []).append(
                {
                    "kind": "deviation",
                    "point": deviation["point"],
                    "outcome": deviation["outcome"],
                    "text": None,
                    "reasons": deviation["reasons"],
                    "consequence": None,
                    "given_on": decision["decided_on"],
                    "decision": decision["id"],
                    "position": decision["position"],
                    "recorded_at": decision["created_at"],
                }
            )
    return ctx


def due_on_at(doc: Doc, day: str) -> str:
    """The due date in force on `day`: that of the term change with the latest effective date on
    or before it (ties: the later recorded), else the original one."""
    in_force = [m for m in doc["due_date_moves"] if m["effective_on"] <= day]
    if not in_force:
        return str(doc["due_on"])
    latest = max(m["effective_on"] for m in in_force)
    return str([m for m in in_force if m["effective_on"] == latest][-1]["new_due_on"])


def answers(point: Doc, deviations: Iterable[Item]) -> list[Item]:
    """Every answer of a point, oldest recorded first: its responses and decisions' deviations."""
    own = [{"kind": "response", **r} for r in point["responses"]]
    decided = [d for d in deviations if d["point"] == point["number"]]
    return sorted([*own, *decided], key=lambda a: a["position"])


def rejoinders(point: Doc, given: list[Item], generals: Iterable[Item]) -> list[Item]:
    """The point's rejoinders, oldest first: its own, and each general one that covers it.

    A general rejoinder covers a point answered before it that has no rejoinder of its own after
    its latest answer then, so a general "dank u" never overwrites a point's own verdict.
    """
    own = point["rejoinders"]
    covering = []
    for general in generals:
        before = [a["position"] for a in given if a["position"] < general["position"]]
        if not before:
            continue
        latest = before[-1]
        if not any(latest < r["position"] < general["position"] for r in own):
            covering.append(general)
    return sorted([*own, *covering], key=lambda r: r["position"])


def point_view(doc: Doc, point: Doc, day: str, ctx: Context) -> PointView:
    """One point at business date `day`: latest answer (uitkomst), pending, overdue, late."""
    given = answers(point, ctx.deviations.get(doc["id"], ()))
    latest = given[-1] if given else None
    first_on = min((a["given_on"] for a in given), default=None)
    pending = not any(a["given_on"] <= day for a in given)
    due_on = due_on_at(doc, day)
    said = cast(list[RejoinderDoc], rejoinders(point, given, doc["general_rejoinders"]))
    rejoinder = said[-1] if said else None
    return {
        "number": point["number"],
        "text": point["text"],
        "outcome": Outcome(latest["outcome"]) if latest else Outcome.PENDING,
        "response": latest["text"] if latest else None,
        "reasons": latest["reasons"] if latest else None,
        "consequence": latest["consequence"] if latest else None,
        "decision": latest["decision"] if latest else None,
        "answered_by": latest["kind"] if latest else None,
        "answered_on": latest["given_on"] if latest else None,
        "first_answered_on": first_on,
        "responses": point["responses"],
        "pending": pending,
        "due_on": due_on,
        "overdue": pending and day > due_on,
        "late": first_on is not None and first_on <= day and first_on > due_on_at(doc, first_on),
        "promises": [promise_view(p, day) for p in point["promises"]],
        "rejoinders": said,
        "rejoinder": rejoinder,
        "rejoinder_after_response": bool(
            rejoinder and latest and rejoinder["position"] > latest["position"]
        ),
        "rejoinder_unsatisfied": bool(
            rejoinder
            and rejoinder["verdict"] == Verdict.NOT_SATISFIED
            and not any(a["position"] > rejoinder["position"] for a in given)
        ),
    }


def promise_view(promise: Doc, day: str) -> PromiseView:
    """A promise at business date `day`: open until it was fulfilled on or before that date."""
    fulfilled = promise["fulfilled_on"]
    open_ = fulfilled is None or fulfilled > day
    return {
        "id": promise["id"],
        "description": promise["description"],
        "due_on": promise["due_on"],
        "fulfilled_on": fulfilled,
        "note": promise["note"],
        "position": promise["position"],
        "recorded_at": promise["recorded_at"],
        "open": open_,
        "overdue": open_ and day > promise["due_on"],
    }
