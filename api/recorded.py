"""The 201 answer of a POST, made from the event exactly as it was stored.

The answer is a function of the stored row alone (position, record, version, type, stored JSON),
so it shows the values as stored (trimmed, normalised), and a retry with the same
`Idempotency-Key`, even after a crash, rebuilds the very same answer from the log.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import orjson

from api.schemas import BASE_PATH, moment
from api.vocabulary import BODY_KINDS, OUTCOMES, VERDICTS
from events import BodyKind, Outcome, Verdict
from ledger import Recorded
from projections.fold import upcast
from projections.log import LogRow, canonical_id

Json = dict[str, Any]


@dataclass(frozen=True)
class Answer:
    """A POST's 201: where the record is, its body, and the advice's version for `ETag`."""

    location: str
    body: Json
    etag: str | None = None


def row_of(recorded: Recorded) -> LogRow:
    """The stored row of a command's (last) event, as the log reader would return it."""
    return LogRow(
        recorded.position,
        canonical_id(str(recorded.id)),
        recorded.version,
        recorded.topic,
        orjson.loads(recorded.state),
    )


def _body(s: Json) -> Json:
    return {
        "naam": s["name"],
        "soort": BODY_KINDS.dutch(BodyKind(s["kind"])),
        "reactietermijnDagen": s["response_term_days"],
    }


def _dossier(s: Json) -> Json:
    return {
        "titel": s["title"],
        "kenmerk": s["reference"],
        "portefeuillehouder": s["portfolio_holder"],
        "geopendOp": s["opened_on"],
    }


def _request(s: Json) -> Json:
    return {
        "dossier": s["dossier_id"],
        "adviesorgaan": s["body_id"],
        "vraag": s["question"],
        "aangevraagdOp": s["requested_on"],
        "uiterlijkOp": s["due_on"],
    }


def _advice(s: Json) -> Json:
    return {
        "adviesorgaan": s["body_id"],
        "titel": s["title"],
        "uitgebrachtOp": s["submitted_on"],
        "gevraagd": s["solicited"],
        "punten": [{"nummer": n, "tekst": t} for n, t in enumerate(s["points"], start=1)],
        "dossier": s["dossier_id"],
        "adviesaanvraag": s["request_id"],
        "kenmerk": s["reference"],
    }


def _decision(s: Json) -> Json:
    return {
        "dossier": s["dossier_id"],
        "titel": s["title"],
        "besluitdatum": s["decided_on"],
        "adviezen": list(s["advice_ids"]),
        "kenmerk": s["reference"],
        "afwijkingen": [
            {"advies": d["advice_id"], "punt": d["point"], "motivering": d["reasons"]}
            for d in s["deviations"]
        ],
    }


def _response(s: Json) -> Json:
    return {
        "punt": s["point"],
        "uitkomst": OUTCOMES.dutch(Outcome(s["outcome"])),
        "reactie": s["text"],
        "gegevenOp": s["given_on"],
        "motivering": s["reasons"],
        "consequentie": s["consequence"],
        "besluit": s["decision"],
    }


def _promise(s: Json) -> Json:
    return {
        "id": s["promise_id"],
        "punt": s["point"],
        "omschrijving": s["description"],
        "uiterlijkOp": s["due_on"],
    }


def _fulfilment(s: Json) -> Json:
    return {
        "toezegging": s["promise_id"],
        "nagekomenOp": s["fulfilled_on"],
        "toelichting": s["note"],
    }


def _rejoinder(s: Json) -> Json:
    points = s["points"]
    return {
        "punten": list(points),
        "oordeel": VERDICTS.dutch(Verdict(s["verdict"])),
        "tekst": s["text"],
    }


def _moved(s: Json) -> Json:
    return {
        "vorigeDatum": s["previous_due_on"],
        "nieuweDatum": s["new_due_on"],
        "reden": s["reason"],
    }


def _withdrawn(s: Json) -> Json:
    return {"reden": s["reason"]}


# Creations answer at their collection; facts about an advice at the advice's history.
_CREATED: Final[dict[str, tuple[str, Callable[[Json], Json]]]] = {
    "AdvisoryBodyRegistered": ("adviesorganen", _body),
    "DossierOpened": ("dossiers", _dossier),
    "AdviceRequested": ("adviesaanvragen", _request),
    "AdviceSubmitted": ("adviezen", _advice),
    "DecisionTaken": ("besluiten", _decision),
}
_ABOUT_ADVICE: Final[dict[str, Callable[[Json], Json]]] = {
    "ResponseRecorded": _response,
    "FollowUpPromised": _promise,
    "FollowUpFulfilled": _fulfilment,
    "RejoinderGiven": _rejoinder,
    "DueDateMoved": _moved,
    "AdviceWithdrawn": _withdrawn,
}


def answer(row: LogRow, municipality: str) -> Answer:
    """The 201 answer to the POST that stored `row`."""
    state = upcast(row.type, dict(row.state))
    stamp = {"positie": row.position, "vastgelegdOp": moment(state["timestamp"])}
    if row.type in _CREATED:
        collection, fields = _CREATED[row.type]
        body = {"id": row.aggregate_id, "gemeente": municipality, **fields(state), **stamp}
        etag = None
        if collection == "adviezen":
            body["versie"] = row.version
            etag = f'"{row.version}"'
        return Answer(f"{BASE_PATH}/{collection}/{row.aggregate_id}", body, etag)
    fields = _ABOUT_ADVICE[row.type]
    body = {"advies": row.aggregate_id, **fields(state), **stamp, "versie": row.version}
    return Answer(f"{BASE_PATH}/adviezen/{row.aggregate_id}/historie", body, f'"{row.version}"')
