"""Views derived from documents at a business date (peildatum): advice, the follow-up board, the
points view, statistics (overall and per body and year), the dossier overview and advice requests.
Pure functions; English keys (the API translates to Dutch).
"""

import statistics as stats
from collections.abc import Iterable
from datetime import date

from events import Outcome
from projections.answers import Context, Item, due_on_at, point_view
from projections.fold import Doc
from projections.records import (
    AdviceStatus,
    AdviceView,
    FollowUpItem,
    FollowUpReason,
    PointRow,
    PointView,
    PromiseView,
    Statistics,
    StatisticsRow,
)


def advice_status(points: list[PointView], withdrawn: bool) -> AdviceStatus:
    if withdrawn:
        return AdviceStatus.WITHDRAWN
    answered = sum(1 for p in points if p["outcome"] != Outcome.PENDING)
    if answered == 0:
        return AdviceStatus.OPEN
    return AdviceStatus.ANSWERED if answered == len(points) else AdviceStatus.PARTIALLY_ANSWERED


def advice_view(doc: Doc, as_of: date, ctx: Context) -> AdviceView:
    """The advice as users see it at business date `as_of`."""
    day = as_of.isoformat()
    points = [point_view(doc, p, day, ctx) for p in doc["points"]]
    withdrawn = doc["withdrawal"] is not None
    return {
        "id": doc["id"],
        "body_id": doc["body_id"],
        "body_name": ctx.name(doc["body_id"]),
        "dossier_id": doc["dossier_id"],
        "dossier_title": ctx.name(doc["dossier_id"]),
        "request_id": doc["request_id"],
        "title": doc["title"],
        "reference": doc["reference"],
        "submitted_on": doc["submitted_on"],
        "solicited": doc["solicited"],
        "status": advice_status(points, withdrawn),
        "due_on": due_on_at(doc, day),
        "original_due_on": doc["due_on"],
        "due_date_moves": doc["due_date_moves"],
        "overdue": not withdrawn and any(p["overdue"] for p in points),
        "withdrawal": doc["withdrawal"],
        "decisions": ctx.decisions_of.get(doc["id"], []),
        "version": doc["version"],
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
        "points": points,
    }


def follow_up_board(advice: Iterable[AdviceView], body_id: str | None = None) -> list[FollowUpItem]:
    """What must still be followed up: one item per point and reason; withdrawn left out."""
    items: list[FollowUpItem] = []
    for view in advice:
        if view["status"] == AdviceStatus.WITHDRAWN or body_id not in (None, view["body_id"]):
            continue
        for point in view["points"]:
            for reason, promise in _reasons(point):
                items.append(
                    {
                        "advice_id": view["id"],
                        "advice_title": view["title"],
                        "body_id": view["body_id"],
                        "body_name": view["body_name"],
                        "point": point["number"],
                        "title": view["title"],
                        "text": point["text"],
                        "outcome": point["outcome"],
                        "reasons": point["reasons"],
                        "reason": reason,
                        "due_on": point["due_on"],
                        "promise": None
                        if promise is None
                        else {
                            "id": promise["id"],
                            "description": promise["description"],
                            "due_on": promise["due_on"],
                        },
                    }
                )
    return items


def _reasons(point: PointView) -> list[tuple[FollowUpReason, PromiseView | None]]:
    reasons: list[tuple[FollowUpReason, PromiseView | None]] = []
    if point["pending"]:
        overdue = point["overdue"]
        reasons.append((FollowUpReason.OVERDUE if overdue else FollowUpReason.PENDING, None))
    if point["outcome"] == Outcome.DEFERRED:
        reasons.append((FollowUpReason.DEFERRED, None))
    for promise in point["promises"]:
        if promise["open"]:
            late = promise["overdue"]
            reason = FollowUpReason.PROMISE_OVERDUE if late else FollowUpReason.PROMISE_OPEN
            reasons.append((reason, promise))
    if point["outcome"] != Outcome.PENDING and not point["rejoinder_after_response"]:
        reasons.append((FollowUpReason.RESPONSE_WITHOUT_REJOINDER, None))
    if point["rejoinder_unsatisfied"]:
        reasons.append((FollowUpReason.REJOINDER_UNSATISFIED, None))
    return reasons


def points_view(advice: Iterable[AdviceView]) -> list[PointRow]:
    """Every point of the non-withdrawn advice, newest advice first, points by number."""
    listed = [v for v in advice if v["status"] != AdviceStatus.WITHDRAWN]
    listed.sort(key=lambda v: (v["submitted_on"], v["created_at"]), reverse=True)
    return [point_row(view, point) for view in listed for point in view["points"]]


def point_row(view: AdviceView, point: PointView) -> PointRow:
    """One point of the points view: the point with its advice's id, title, body and dossier."""
    return {
        "advice_id": view["id"],
        "advice_title": view["title"],
        "body_id": view["body_id"],
        "body_name": view["body_name"],
        "dossier_id": view["dossier_id"],
        "submitted_on": view["submitted_on"],
        **point,
    }


def median(days: list[int]) -> int | float | None:
    """The median as a number with one decimal at most: 45, never 45.0; 44.5 may be."""
    if not days:
        return None
    middle = stats.median(days)
    return int(middle) if middle == int(middle) else round(float(middle), 1)


def statistics(advice: Iterable[AdviceView]) -> Statistics:
    """Points, count per outcome, overdue, late, follow rate, median response days, promises."""
    per_outcome = dict.fromkeys(Outcome, 0)
    overdue = late = promises_open = promises_overdue = 0
    days: list[int] = []
    for view in advice:
        if view["status"] == AdviceStatus.WITHDRAWN:
            continue
        submitted = date.fromisoformat(view["submitted_on"])
        for point in view["points"]:
            per_outcome[Outcome(point["outcome"])] += 1
            overdue += int(point["overdue"])
            late += int(point["late"])
            has_answer = point["outcome"] != Outcome.PENDING
            if point["first_answered_on"] is not None and has_answer:
                days.append((date.fromisoformat(point["first_answered_on"]) - submitted).days)
            for promise in point["promises"]:
                promises_overdue += int(promise["overdue"])
                promises_open += int(promise["open"] and not promise["overdue"])
    answered = sum(per_outcome.values()) - per_outcome[Outcome.PENDING]
    followed = per_outcome[Outcome.FOLLOWED] + per_outcome[Outcome.PARTIALLY_FOLLOWED]
    return {
        "points": sum(per_outcome.values()),
        "per_outcome": per_outcome,
        "overdue": overdue,
        "late": late,
        "follow_rate": followed / answered if answered else None,
        "median_response_days": median(days),
        "promises_open": promises_open,
        "promises_overdue": promises_overdue,
    }


def year_of(view: AdviceView) -> int:
    return int(view["submitted_on"][:4])


def statistics_table(
    advice: Iterable[AdviceView], first_year: int | None = None, last_year: int | None = None
) -> list[StatisticsRow]:
    """The statistics per body and year that has (non-withdrawn) advice, by body name and year."""
    groups: dict[tuple[str, int], list[AdviceView]] = {}
    names: dict[str, str] = {}
    for view in advice:
        year = year_of(view)
        if view["status"] == AdviceStatus.WITHDRAWN:
            continue
        if (first_year is not None and year < first_year) or (
            last_year is not None and year > last_year
        ):
            continue
        groups.setdefault((view["body_id"], year), []).append(view)
        names[view["body_id"]] = view["body_name"] or ""
    rows = [
        StatisticsRow(body_id=body_id, body_name=names[body_id], year=year, **statistics(views))
        for (body_id, year), views in groups.items()
    ]
    return sorted(rows, key=lambda r: (r["body_name"].casefold(), r["body_id"], r["year"]))


def dossier_overview(
    dossier: Doc, advice: Iterable[AdviceView], decisions: Iterable[Doc], ctx: Context
) -> Item:
    """A dossier with its advice (and their outcomes) and the decisions taken on it."""
    listed = [view for view in advice if view["dossier_id"] == dossier["id"]]
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
                "body_name": view["body_name"],
                "status": view["status"],
                "overdue": view["overdue"],
                "outcomes": {o: sum(p["outcome"] == o for p in view["points"]) for o in Outcome},
            }
            for view in listed
        ],
        "decisions": [decision_view(d, ctx) for d in decisions if d["dossier_id"] == dossier["id"]],
    }


def decision_view(doc: Doc, ctx: Context) -> Item:
    """A decision with the names of its dossier and advice beside their ids."""
    return {
        **doc,
        "dossier_title": ctx.name(doc["dossier_id"]),
        "advice_titles": [ctx.name(a) for a in doc["advice_ids"]],
        "deviations": [{**d, "advice_title": ctx.name(d["advice_id"])} for d in doc["deviations"]],
    }


def request_view(doc: Doc, advice: Iterable[Doc], ctx: Context) -> Item:
    """An advice request with the advice given on it and whether the first came in time."""
    given = sorted(
        (a for a in advice if a["request_id"] == doc["id"]),
        key=lambda a: (a["submitted_on"], a["position"]),
    )
    return {
        **doc,
        "body_name": ctx.name(doc["body_id"]),
        "dossier_title": ctx.name(doc["dossier_id"]),
        "advice_ids": [a["id"] for a in given],
        "advice_titles": [a["title"] for a in given],
        "in_time": given[0]["submitted_on"] <= doc["due_on"] if given else None,
    }
