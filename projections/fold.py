"""The pure fold: plain-JSON log rows in, one plain document per record out; no I/O.

Every view is derived from these documents, and the same fold serves the live projection and
time travel, so "the view as recorded up to T" is by construction a replay of the log up to T.
"""

from typing import Any

import events

Doc = dict[str, Any]

KIND_OF_EVENT: dict[str, str] = {
    "AdvisoryBodyRegistered": "body",
    "DossierOpened": "dossier",
    "AdviceRequested": "request",
    "AdviceSubmitted": "advice",
    "ResponseRecorded": "advice",
    "DueDateMoved": "advice",
    "FollowUpPromised": "advice",
    "FollowUpFulfilled": "advice",
    "RejoinderGiven": "advice",
    "AdviceWithdrawn": "advice",
    "DecisionTaken": "decision",
    "TokenIssued": "token",
    "TokenRevoked": "token",
    "PersonalDataForgotten": "forgetting",
}

_CLASS_VERSIONS = {
    name: getattr(events, name)
    for name in KIND_OF_EVENT
    if getattr(getattr(events, name), "class_version", 1) > 1
}


def upcast(event_type: str, state: dict[str, Any]) -> dict[str, Any]:
    """Bring an older stored event up to its class's current version, with its own upcasters."""
    cls = _CLASS_VERSIONS.get(event_type)
    if cls is None:
        return state
    version = state.get("class_version", 1)
    while version < cls.class_version:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    return state


def moment(timestamp: str) -> str:
    """RFC 3339 UTC with microseconds and `Z`: comparable as text, never rounded."""
    seconds = timestamp[:19]
    fraction = timestamp[19:26] if len(timestamp) > 19 and timestamp[19] == "." else ".000000"
    return seconds + fraction + "Z"


def apply(doc: Doc | None, position: int, aggregate_id: str, event_type: str, state: Any) -> Doc:
    """The document of one record after one more event (a new document for a creation)."""
    state = upcast(event_type, state)
    at = moment(state["timestamp"])
    if doc is None:
        doc = {"id": aggregate_id, "kind": KIND_OF_EVENT[event_type], "created_at": at}
    doc["version"] = doc.get("version", 0) + 1
    doc["position"] = position
    doc["updated_at"] = at
    _APPLY[event_type](doc, state, position, at)
    return doc


def _body(doc: Doc, s: Any, _position: int, _at: str) -> None:
    doc.update(name=s["name"], body_kind=s["kind"], response_term_days=s["response_term_days"])


def _dossier(doc: Doc, s: Any, _position: int, _at: str) -> None:
    doc.update(
        title=s["title"],
        reference=s["reference"],
        portfolio_holder=s["portfolio_holder"],
        opened_on=s["opened_on"],
    )


def _request(doc: Doc, s: Any, _position: int, _at: str) -> None:
    doc.update(
        dossier_id=s["dossier_id"],
        body_id=s["body_id"],
        question=s["question"],
        requested_on=s["requested_on"],
        due_on=s["due_on"],
    )


def _submitted(doc: Doc, s: Any, _position: int, _at: str) -> None:
    doc.update(
        body_id=s["body_id"],
        dossier_id=s["dossier_id"],
        request_id=s["request_id"],
        title=s["title"],
        reference=s["reference"],
        submitted_on=s["submitted_on"],
        solicited=s["solicited"],
        response_term_days=s["response_term_days"],
        due_on=s["due_on"],
        due_date_moves=[],
        general_rejoinders=[],
        withdrawal=None,
        points=[
            {"number": n, "text": text, "responses": [], "promises": [], "rejoinders": []}
            for n, text in enumerate(s["points"], start=1)
        ],
    )


def _responded(doc: Doc, s: Any, position: int, at: str) -> None:
    doc["points"][s["point"] - 1]["responses"].append(
        {
            "outcome": s["outcome"],
            "text": s["text"],
            "reasons": s["reasons"],
            "consequence": s["consequence"],
            "given_on": s["given_on"],
            "decision": s["decision"],
            "position": position,
            "recorded_at": at,
        }
    )


def _moved(doc: Doc, s: Any, position: int, at: str) -> None:
    # `due_on` stays the original due date: which one is in force depends on the business date.
    doc["due_date_moves"].append(
        {
            "previous_due_on": s["previous_due_on"],
            "new_due_on": s["new_due_on"],
            "reason": s["reason"],
            "effective_on": s["effective_on"],
            "position": position,
            "recorded_at": at,
        }
    )


def _promised(doc: Doc, s: Any, position: int, at: str) -> None:
    doc["points"][s["point"] - 1]["promises"].append(
        {
            "id": s["promise_id"],
            "description": s["description"],
            "due_on": s["due_on"],
            "fulfilled_on": None,
            "note": None,
            "position": position,
            "recorded_at": at,
        }
    )


def _fulfilled(doc: Doc, s: Any, _position: int, _at: str) -> None:
    for point in doc["points"]:
        for promise in point["promises"]:
            if promise["id"] == s["promise_id"]:
                promise["fulfilled_on"] = s["fulfilled_on"]
                promise["note"] = s["note"]


def _rejoined(doc: Doc, s: Any, position: int, at: str) -> None:
    # A general rejoinder is kept on the advice: which points it covers depends on the answers,
    # and a decision's deviations answer points too (see views.py).
    rejoinder = {
        "point": s["point"],
        "verdict": s["verdict"],
        "text": s["text"],
        "given_on": s["given_on"],
        "on_behalf": s["on_behalf"],
        "position": position,
        "recorded_at": at,
    }
    if s["point"] is None:
        doc["general_rejoinders"].append(rejoinder)
    else:
        doc["points"][s["point"] - 1]["rejoinders"].append(rejoinder)


def _withdrawn(doc: Doc, s: Any, position: int, at: str) -> None:
    doc["withdrawal"] = {"reason": s["reason"], "position": position, "recorded_at": at}


def _decided(doc: Doc, s: Any, _position: int, _at: str) -> None:
    doc.update(
        dossier_id=s["dossier_id"],
        title=s["title"],
        decided_on=s["decided_on"],
        reference=s["reference"],
        advice_ids=list(s["advice_ids"]),
        deviations=[
            {
                "advice_id": d["advice_id"],
                "point": d["point"],
                "reasons": d["reasons"],
                "outcome": d["outcome"],
            }
            for d in s["deviations"]
        ],
    )


def _token_issued(doc: Doc, s: Any, _position: int, _at: str) -> None:
    doc.update(role=s["role"], body_id=s["body_id"], name=s["name"], revoked_at=None)


def _token_revoked(doc: Doc, _s: Any, _position: int, at: str) -> None:
    doc["revoked_at"] = at


def _forgotten(doc: Doc, s: Any, _position: int, _at: str) -> None:
    doc.update(subject_kind=s["subject_kind"], subject=s["subject"])


_APPLY = {
    "AdvisoryBodyRegistered": _body,
    "DossierOpened": _dossier,
    "AdviceRequested": _request,
    "AdviceSubmitted": _submitted,
    "ResponseRecorded": _responded,
    "DueDateMoved": _moved,
    "FollowUpPromised": _promised,
    "FollowUpFulfilled": _fulfilled,
    "RejoinderGiven": _rejoined,
    "AdviceWithdrawn": _withdrawn,
    "DecisionTaken": _decided,
    "TokenIssued": _token_issued,
    "TokenRevoked": _token_revoked,
    "PersonalDataForgotten": _forgotten,
}
