"""The timeline of one advice: every event (its own, and the decisions that list it), oldest
first, each with who recorded it, when, what it says and what it changed."""

from typing import Any

from api.pages.words import (
    actor_label,
    dutch_date,
    dutch_moment,
    outcome_label,
    verdict_label,
)

Entry = dict[str, Any]


def timeline(
    history: list[dict[str, Any]], decisions: list[dict[str, Any]], advice_id: str
) -> list[Entry]:
    """History items (ReadModel.history) and decision documents, merged by log position."""
    items: list[tuple[int, str, dict[str, Any]]] = [(h["position"], h["type"], h) for h in history]
    items.extend((d["position"], "DecisionTaken", d) for d in decisions)
    items.sort(key=lambda item: item[0])
    last_answer: dict[int, str] = {}
    entries = []
    for position, kind, item in items:
        if kind == "DecisionTaken":
            entries.append(_decision(position, item, advice_id, last_answer))
        else:
            entries.append(_event(position, kind, item, last_answer))
    return entries


def _entry(position: int, moment: str, who: str, title: str, lines: list[str]) -> Entry:
    return {
        "position": position,
        "moment": dutch_moment(moment),
        "who": who,
        "title": title,
        "lines": [line for line in lines if line],
    }


def _event(position: int, kind: str, item: dict[str, Any], last: dict[int, str]) -> Entry:
    data, meta = item["data"], item["actor"]
    who = actor_label(meta)
    at = item["recorded_at"]
    if kind == "AdviceSubmitted":
        count = len(data["points"])
        return _entry(
            position,
            at,
            who,
            "Advies vastgelegd",
            [
                f"Uitgebracht op {dutch_date(data['submitted_on'])}, "
                f"{count} {'punt' if count == 1 else 'punten'}.",
                f"Het college reageert uiterlijk op {dutch_date(data['due_on'])}.",
            ],
        )
    if kind == "ResponseRecorded":
        point, outcome = data["point"], outcome_label(data["outcome"])
        before = last.get(point)
        last[point] = outcome
        changed = (
            f"Dit vervangt de eerdere reactie ({before})."
            if before is not None and before != outcome
            else ("Dit vervangt de eerdere reactie (de uitkomst blijft gelijk)." if before else "")
        )
        return _entry(
            position,
            at,
            who,
            f"Reactie op punt {point}: {outcome}",
            [
                f"Gegeven op {dutch_date(data['given_on'])}.",
                data["text"],
                f"Motivering: {data['reasons']}" if data.get("reasons") else "",
                f"Gevolg voor de nota: {data['consequence']}" if data.get("consequence") else "",
                changed,
            ],
        )
    if kind == "DueDateMoved":
        return _entry(
            position,
            at,
            who,
            "Termijn gewijzigd",
            [
                f"Nieuwe uiterste datum: {dutch_date(data['new_due_on'])} "
                f"(was {dutch_date(data['previous_due_on'])}), "
                f"geldt vanaf {dutch_date(data.get('effective_on'))}.",
                f"Reden: {data['reason']}",
            ],
        )
    if kind == "FollowUpPromised":
        return _entry(
            position,
            at,
            who,
            f"Toezegging bij punt {data['point']}",
            [data["description"], f"Uiterlijk op {dutch_date(data['due_on'])}."],
        )
    if kind == "FollowUpFulfilled":
        return _entry(
            position,
            at,
            who,
            "Toezegging nagekomen",
            [f"Nagekomen op {dutch_date(data['fulfilled_on'])}.", data["note"]],
        )
    if kind == "RejoinderGiven":
        verdict = verdict_label(data["verdict"])
        where = f"op punt {data['point']}" if data.get("point") else "op alle beantwoorde punten"
        behalf = " (vastgelegd door het secretariaat)" if data.get("on_behalf") else ""
        return _entry(
            position,
            at,
            who,
            f"Wederwoord {where}: {verdict}",
            [
                f"Gegeven op {dutch_date(data.get('given_on'))}{behalf}.",
                data["text"],
            ],
        )
    if kind == "AdviceWithdrawn":
        return _entry(position, at, who, "Advies ingetrokken", [f"Reden: {data['reason']}"])
    return _entry(position, at, who, kind, [])


def _decision(position: int, doc: dict[str, Any], advice_id: str, last: dict[int, str]) -> Entry:
    lines = [f"Besluit van {dutch_date(doc['decided_on'])}: {doc['title']}."]
    for deviation in doc["deviations"]:
        if deviation["advice_id"] != advice_id:
            continue
        outcome = outcome_label(deviation["outcome"])
        last[deviation["point"]] = outcome
        lines.append(f"Punt {deviation['point']}: {outcome}. Motivering: {deviation['reasons']}")
    who = actor_label(doc["actor"]) if doc.get("actor") else "het college"
    return _entry(position, doc["created_at"], who, "Besluit genomen", lines)
