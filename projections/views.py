"""Views derived from documents at a business date (peildatum): status, overdue, follow-up board,
statistics, dossier overview. Pure functions; English keys (the API translates to Dutch).
"""

import statistics as stats
from collections.abc import Iterable
from datetime import date
from typing import Any

from projections.fold import Doc

OUTCOMES = ("pending", "followed", "partially_followed", "not_followed", "deferred", "noted")
FOLLOWED = ("followed", "partially_followed")


def _latest(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    return items[-1] if items else None


def point_view(point: Doc, due_on: str, as_of: str) -> dict[str, Any]:
    """One point: its latest response (uitkomst), whether it is pending and overdue at `as_of`."""
    latest = _latest(point["responses"])
    pending = not any(r["given_on"] <= as_of for r in point["responses"])
    rejoinder = _latest(point["rejoinders"])
    return {
        "number": point["number"],
        "text": point["text"],
        "outcome": latest["outcome"] if latest else "pending",
        "response": latest["text"] if latest else None,
        "reasons": latest["reasons"] if latest else None,
        "consequence": latest["consequence"] if latest else None,
        "decision": latest["decision"] if latest else None,
        "answered_on": latest["given_on"] if latest else None,
        "first_answered_on": point["responses"][0]["given_on"] if latest else None,
        "responses": point["responses"],
        "pending": pending,
        "overdue": pending and as_of > due_on,
        "promises": [promise_view(p, as_of) for p in point["promises"]],
        "rejoinder": rejoinder,
        "rejoinder_after_response": bool(
            rejoinder and latest and rejoinder["position"] > latest["position"]
        ),
    }


def promise_view(promise: Doc, as_of: str) -> dict[str, Any]:
    open_ = promise["fulfilled_on"] is None
    return {**promise, "open": open_, "overdue": open_ and as_of > promise["due_on"]}


def advice_status(points: list[dict[str, Any]], withdrawn: bool) -> str:
    if withdrawn:
        return "withdrawn"
    answered = sum(1 for p in points if p["outcome"] != "pending")
    if answered == 0:
        return "open"
    return "answered" if answered == len(points) else "partially_answered"


def advice_view(doc: Doc, as_of: date) -> dict[str, Any]:
    """The advice as users see it at business date `as_of`."""
    day = as_of.isoformat()
    points = [point_view(p, doc["due_on"], day) for p in doc["points"]]
    withdrawn = doc["withdrawal"] is not None
    return {
        "id": doc["id"],
        "body_id": doc["body_id"],
        "dossier_id": doc["dossier_id"],
        "request_id": doc["request_id"],
        "title": doc["title"],
        "reference": doc["reference"],
        "submitted_on": doc["submitted_on"],
        "solicited": doc["solicited"],
        "status": advice_status(points, withdrawn),
        "due_on": doc["due_on"],
        "due_date_moves": doc["due_date_moves"],
        "overdue": not withdrawn and any(p["overdue"] for p in points),
        "withdrawal": doc["withdrawal"],
        "version": doc["version"],
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
        "points": points,
    }


def follow_up_board(advice: Iterable[Doc], body_id: str, as_of: date) -> list[dict[str, Any]]:
    """What the body must still follow up: one item per point and reason; withdrawn left out."""
    items: list[dict[str, Any]] = []
    for doc in advice:
        if doc["body_id"] != body_id or doc["withdrawal"] is not None:
            continue
        view = advice_view(doc, as_of)
        for point in view["points"]:
            for reason in _reasons(point):
                items.append(
                    {
                        "advice_id": doc["id"],
                        "point": point["number"],
                        "title": doc["title"],
                        "text": point["text"],
                        "outcome": point["outcome"],
                        "reason": reason,
                        "due_on": doc["due_on"],
                    }
                )
    return items


def _reasons(point: dict[str, Any]) -> list[str]:
    reasons = []
    if point["pending"]:
        reasons.append("overdue" if point["overdue"] else "pending")
    if point["outcome"] == "deferred":
        reasons.append("deferred")
    for promise in point["promises"]:
        if promise["open"]:
            reasons.append("promise_overdue" if promise["overdue"] else "promise_open")
    if point["outcome"] != "pending" and not point["rejoinder_after_response"]:
        reasons.append("response_without_rejoinder")
    return reasons


def statistics(
    advice: Iterable[Doc], as_of: date, body_id: str | None = None, year: int | None = None
) -> dict[str, Any]:
    """Points, count per outcome, overdue, follow rate and median response days."""
    per_outcome = dict.fromkeys(OUTCOMES, 0)
    overdue = 0
    days: list[int] = []
    for doc in advice:
        if doc["withdrawal"] is not None:
            continue
        if body_id is not None and doc["body_id"] != body_id:
            continue
        if year is not None and int(doc["submitted_on"][:4]) != year:
            continue
        submitted = date.fromisoformat(doc["submitted_on"])
        for point in advice_view(doc, as_of)["points"]:
            per_outcome[point["outcome"]] += 1
            overdue += point["overdue"]
            if point["first_answered_on"] is not None:
                days.append((date.fromisoformat(point["first_answered_on"]) - submitted).days)
    answered = sum(per_outcome.values()) - per_outcome["pending"]
    followed = per_outcome["followed"] + per_outcome["partially_followed"]
    return {
        "points": sum(per_outcome.values()),
        "per_outcome": per_outcome,
        "overdue": overdue,
        "follow_rate": followed / answered if answered else None,
        "median_response_days": stats.median(days) if days else None,
    }


def dossier_overview(
    dossier: Doc, advice: Iterable[Doc], decisions: Iterable[Doc], as_of: date
) -> dict[str, Any]:
    """A dossier with its advice (and their outcomes) and the decisions taken on it."""
    listed = [advice_view(doc, as_of) for doc in advice if doc["dossier_id"] == dossier["id"]]
    return {
        **{
            k: dossier[k]
            for k in ("id", "title", "reference", "portfolio_holder", "opened_on", "created_at")
        },
        "version": dossier["version"],
        "advice": [
            {
                "id": view["id"],
                "title": view["title"],
                "body_id": view["body_id"],
                "status": view["status"],
                "overdue": view["overdue"],
                "outcomes": {o: sum(p["outcome"] == o for p in view["points"]) for o in OUTCOMES},
            }
            for view in listed
        ],
        "decisions": [d for d in decisions if d["dossier_id"] == dossier["id"]],
    }
