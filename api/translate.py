"""The views in the contract's Dutch: English view dictionaries in, API.md's fields out."""

from typing import Any

from api.schemas import moment
from api.vocabulary import (
    ADVICE_STATUSES,
    BODY_KINDS,
    FOLLOW_UP_REASONS,
    OUTCOMES,
    ROLES,
    VERDICTS,
)
from events import BodyKind, Outcome, Role, Verdict
from projections.log import LogRow

Json = dict[str, Any]


def outcome(word: str) -> str:
    return OUTCOMES.dutch(Outcome(word))


def body(doc: Json, municipality: str) -> Json:
    return {
        "id": doc["id"],
        "gemeente": municipality,
        "naam": doc["name"],
        "soort": BODY_KINDS.dutch(BodyKind(doc["body_kind"])),
        "reactietermijnDagen": doc["response_term_days"],
        "vastgelegdOp": doc["created_at"],
    }


def dossier(doc: Json, municipality: str) -> Json:
    return {
        "id": doc["id"],
        "gemeente": municipality,
        "titel": doc["title"],
        "kenmerk": doc["reference"],
        "portefeuillehouder": doc["portfolio_holder"],
        "geopendOp": doc["opened_on"],
        "vastgelegdOp": doc["created_at"],
    }


def dossier_overview(view: Json, municipality: str) -> Json:
    return {
        **dossier(view, municipality),
        "adviezen": [
            {
                "id": item["id"],
                "titel": item["title"],
                "adviesorgaan": item["body_id"],
                "status": ADVICE_STATUSES[item["status"]],
                "verlopen": item["overdue"],
                "uitkomsten": {outcome(k): n for k, n in item["outcomes"].items()},
            }
            for item in view["advice"]
        ],
        "besluiten": [decision(d, municipality) for d in view["decisions"]],
    }


def request(doc: Json, municipality: str) -> Json:
    return {
        "id": doc["id"],
        "gemeente": municipality,
        "dossier": doc["dossier_id"],
        "adviesorgaan": doc["body_id"],
        "vraag": doc["question"],
        "aangevraagdOp": doc["requested_on"],
        "uiterlijkOp": doc["due_on"],
        "vastgelegdOp": doc["created_at"],
    }


def decision(doc: Json, municipality: str) -> Json:
    return {
        "id": doc["id"],
        "gemeente": municipality,
        "dossier": doc["dossier_id"],
        "titel": doc["title"],
        "besluitdatum": doc["decided_on"],
        "kenmerk": doc["reference"],
        "adviezen": doc["advice_ids"],
        "afwijkingen": [
            {"advies": d["advice_id"], "punt": d["point"], "motivering": d["reasons"]}
            for d in doc["deviations"]
        ],
        "vastgelegdOp": doc["created_at"],
    }


def _response(item: Json) -> Json:
    return {
        "uitkomst": outcome(item["outcome"]),
        "reactie": item["text"],
        "motivering": item["reasons"],
        "consequentie": item["consequence"],
        "gegevenOp": item["given_on"],
        "besluit": item["decision"],
        "positie": item["position"],
        "vastgelegdOp": item["recorded_at"],
    }


def _promise(item: Json) -> Json:
    return {
        "id": item["id"],
        "omschrijving": item["description"],
        "uiterlijkOp": item["due_on"],
        "nagekomenOp": item["fulfilled_on"],
        "toelichting": item["note"],
        "verlopen": item["overdue"],
        "vastgelegdOp": item["recorded_at"],
    }


def _rejoinder(item: Json | None) -> Json | None:
    if item is None:
        return None
    return {
        "oordeel": VERDICTS.dutch(Verdict(item["verdict"])),
        "tekst": item["text"],
        "vastgelegdOp": item["recorded_at"],
    }


def _point(point: Json) -> Json:
    return {
        "nummer": point["number"],
        "tekst": point["text"],
        "uitkomst": outcome(point["outcome"]),
        "reactie": point["response"],
        "motivering": point["reasons"],
        "consequentie": point["consequence"],
        "besluit": point["decision"],
        "beantwoordOp": point["answered_on"],
        "verlopen": point["overdue"],
        "reacties": [_response(r) for r in point["responses"]],
        "toezeggingen": [_promise(p) for p in point["promises"]],
        "wederwoord": _rejoinder(point["rejoinder"]),
    }


def advice(view: Json, municipality: str) -> Json:
    withdrawal = view["withdrawal"]
    return {
        "id": view["id"],
        "gemeente": municipality,
        "adviesorgaan": view["body_id"],
        "dossier": view["dossier_id"],
        "adviesaanvraag": view["request_id"],
        "titel": view["title"],
        "kenmerk": view["reference"],
        "uitgebrachtOp": view["submitted_on"],
        "gevraagd": view["solicited"],
        "status": ADVICE_STATUSES[view["status"]],
        "reactieUiterlijkOp": view["due_on"],
        "termijnwijzigingen": [
            {
                "vorigeDatum": move["previous_due_on"],
                "nieuweDatum": move["new_due_on"],
                "reden": move["reason"],
                "vastgelegdOp": move["recorded_at"],
            }
            for move in view["due_date_moves"]
        ],
        "verlopen": view["overdue"],
        "intrekking": None
        if withdrawal is None
        else {"reden": withdrawal["reason"], "vastgelegdOp": withdrawal["recorded_at"]},
        "versie": view["version"],
        "vastgelegdOp": view["created_at"],
        "punten": [_point(p) for p in sorted(view["points"], key=lambda p: p["number"])],
    }


def follow_up_item(item: Json) -> Json:
    return {
        "advies": item["advice_id"],
        "punt": item["point"],
        "titel": item["title"],
        "tekst": item["text"],
        "uitkomst": outcome(item["outcome"]),
        "reden": FOLLOW_UP_REASONS[item["reason"]],
        "reactieUiterlijkOp": item["due_on"],
    }


def statistics(stats: Json) -> Json:
    return {
        "punten": stats["points"],
        "perUitkomst": {outcome(k): n for k, n in stats["per_outcome"].items()},
        "verlopen": stats["overdue"],
        "opvolgingsgraad": stats["follow_rate"],
        "medianeReactietijdDagen": stats["median_response_days"],
    }


def history_item(item: Json) -> Json:
    actor = item["actor"]
    return {
        "positie": item["position"],
        "type": item["type"],
        "vastgelegdOp": moment(item["recorded_at"]),
        "actor": {
            "naam": actor["actor"],
            "rol": ROLES.dutch(Role(actor["role"])),
            "verzoekId": actor["request_id"],
        },
        "gegevens": item["data"],
    }


def log_event(row: LogRow) -> Json:
    """One stored event as `/gebeurtenissen` shows it: the stored JSON whole, with who and when."""
    meta = row.state.get("meta") or {}
    role = meta.get("role")
    return {
        "positie": row.position,
        "type": row.type,
        "vastgelegdOp": moment(row.state["timestamp"]),
        "actor": {"naam": meta.get("actor"), "rol": ROLES.dutch(Role(role)) if role else None},
        "id": row.aggregate_id,
        "versie": row.version,
        "gegevens": row.state,
    }
