"""The views in the contract's Dutch: English view dictionaries in, API.md's fields out."""

from typing import Any

from api.http.schemas import moment
from api.vocabulary import (
    ADVICE_STATUSES,
    BODY_KINDS,
    DEVIATION_FIELDS,
    EVENT_FIELDS,
    EVENT_TYPES,
    FOLLOW_UP_REASONS,
    OUTCOMES,
    ROLES,
    VERDICTS,
)
from events import BodyKind, Outcome, Role, Verdict
from projections.fold import upcast
from projections.log import LogRow

Json = dict[str, Any]


def outcome(word: str) -> str:
    return OUTCOMES.dutch(Outcome(word))


def per_outcome(counts: Json) -> Json:
    return {outcome(k): n for k, n in counts.items()}


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
                "adviesorgaanNaam": item["body_name"],
                "status": ADVICE_STATUSES[item["status"]],
                "verlopen": item["overdue"],
                "uitkomsten": per_outcome(item["outcomes"]),
            }
            for item in view["advice"]
        ],
        "besluiten": [decision(d, municipality) for d in view["decisions"]],
    }


def request(view: Json, municipality: str) -> Json:
    return {
        "id": view["id"],
        "gemeente": municipality,
        "dossier": view["dossier_id"],
        "dossierTitel": view["dossier_title"],
        "adviesorgaan": view["body_id"],
        "adviesorgaanNaam": view["body_name"],
        "vraag": view["question"],
        "aangevraagdOp": view["requested_on"],
        "uiterlijkOp": view["due_on"],
        "adviezen": view["advice_ids"],
        "adviesTitels": view["advice_titles"],
        "tijdig": view["in_time"],
        "vastgelegdOp": view["created_at"],
    }


def decision(view: Json, municipality: str) -> Json:
    return {
        "id": view["id"],
        "gemeente": municipality,
        "dossier": view["dossier_id"],
        "dossierTitel": view["dossier_title"],
        "titel": view["title"],
        "besluitdatum": view["decided_on"],
        "kenmerk": view["reference"],
        "adviezen": view["advice_ids"],
        "adviesTitels": view["advice_titles"],
        "afwijkingen": [
            {
                "advies": d["advice_id"],
                "adviesTitel": d["advice_title"],
                "punt": d["point"],
                "uitkomst": outcome(d["outcome"]),
                "motivering": d["reasons"],
            }
            for d in view["deviations"]
        ],
        "vastgelegdOp": view["created_at"],
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
        "gegevenOp": item["given_on"],
        "vastgelegdOp": item["recorded_at"],
        "positie": item["position"],
        "algemeen": item["point"] is None,
        "doorSecretariaat": item["on_behalf"],
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
        "teLaatBeantwoord": point["late"],
        "reacties": [_response(r) for r in point["responses"]],
        "toezeggingen": [_promise(p) for p in point["promises"]],
        "wederwoord": _rejoinder(point["rejoinder"]),
        "wederwoorden": [_rejoinder(r) for r in point["rejoinders"]],
    }


def advice(view: Json, municipality: str) -> Json:
    withdrawal = view["withdrawal"]
    return {
        "id": view["id"],
        "gemeente": municipality,
        "adviesorgaan": view["body_id"],
        "adviesorgaanNaam": view["body_name"],
        "dossier": view["dossier_id"],
        "dossierTitel": view["dossier_title"],
        "adviesaanvraag": view["request_id"],
        "titel": view["title"],
        "kenmerk": view["reference"],
        "uitgebrachtOp": view["submitted_on"],
        "gevraagd": view["solicited"],
        "status": ADVICE_STATUSES[view["status"]],
        "reactieUiterlijkOp": view["due_on"],
        "termijnwijzigingen": [
            {
                "oudeDatum": move["previous_due_on"],
                "nieuweDatum": move["new_due_on"],
                "reden": move["reason"],
                "ingangsdatum": move["effective_on"],
                "vastgelegdOp": move["recorded_at"],
            }
            for move in view["due_date_moves"]
        ],
        "verlopen": view["overdue"],
        "intrekking": None
        if withdrawal is None
        else {"reden": withdrawal["reason"], "vastgelegdOp": withdrawal["recorded_at"]},
        "besluiten": view["decisions"],
        "versie": view["version"],
        "vastgelegdOp": view["created_at"],
        "punten": [_point(p) for p in sorted(view["points"], key=lambda p: p["number"])],
    }


def follow_up_item(item: Json) -> Json:
    promise = item["promise"]
    return {
        "advies": item["advice_id"],
        "adviesTitel": item["advice_title"],
        "adviesorgaan": item["body_id"],
        "adviesorgaanNaam": item["body_name"],
        "punt": item["point"],
        "titel": item["title"],
        "tekst": item["text"],
        "uitkomst": outcome(item["outcome"]),
        "motivering": item["reasons"],
        "reden": FOLLOW_UP_REASONS[item["reason"]],
        "reactieUiterlijkOp": item["due_on"],
        "toezegging": None
        if promise is None
        else {
            "id": promise["id"],
            "omschrijving": promise["description"],
            "uiterlijkOp": promise["due_on"],
        },
    }


def point_item(item: Json) -> Json:
    """One row of the `punten` view."""
    return {
        "advies": item["advice_id"],
        "adviesTitel": item["advice_title"],
        "adviesorgaan": item["body_id"],
        "adviesorgaanNaam": item["body_name"],
        "nummer": item["number"],
        "tekst": item["text"],
        "uitkomst": outcome(item["outcome"]),
        "reactie": item["response"],
        "motivering": item["reasons"],
        "besluit": item["decision"],
        "beantwoordOp": item["answered_on"],
        "reactieUiterlijkOp": item["due_on"],
        "verlopen": item["overdue"],
    }


def statistics(stats: Json) -> Json:
    return {
        "punten": stats["points"],
        "perUitkomst": per_outcome(stats["per_outcome"]),
        "verlopen": stats["overdue"],
        "teLaatBeantwoord": stats["late"],
        "opvolgingsgraad": stats["follow_rate"],
        "medianeReactietijdDagen": stats["median_response_days"],
        "toezeggingenOpen": stats["promises_open"],
        "toezeggingenVerlopen": stats["promises_overdue"],
    }


def statistics_row(row: Json) -> Json:
    return {
        "adviesorgaan": row["body_id"],
        "adviesorgaanNaam": row["body_name"],
        "jaar": row["year"],
        **statistics(row),
    }


def _word(field: str, value: Any) -> Any:
    """A stored code word in the contract's Dutch; other values as they are."""
    if value is None:
        return None
    if field == "outcome":
        return OUTCOMES.dutch(Outcome(value))
    if field == "verdict":
        return VERDICTS.dutch(Verdict(value))
    if field == "kind":
        return BODY_KINDS.dutch(BodyKind(value))
    if field == "points":
        return [{"tekst": text} for text in value]
    if field == "deviations":
        return [
            {dutch: _word(english, d.get(english)) for english, dutch in DEVIATION_FIELDS.items()}
            for d in value
        ]
    return value


def event_data(event_type: str, state: Json) -> Json:
    """A stored event's data with the field names and values of the POST that recorded it."""
    state = upcast(event_type, dict(state))
    fields = EVENT_FIELDS[event_type]
    return {dutch: _word(english, state.get(english)) for english, dutch in fields.items()}


def _actor(meta: Json) -> Json:
    role = meta.get("role")
    return {
        "naam": meta.get("actor"),
        "rol": ROLES.dutch(Role(role)) if role else None,
        "verzoekId": meta.get("request_id"),
    }


def history_item(item: Json) -> Json:
    return {
        "positie": item["position"],
        "type": EVENT_TYPES[item["type"]],
        "vastgelegdOp": moment(item["recorded_at"]),
        "actor": _actor(item["actor"]),
        "gegevens": event_data(item["type"], item["data"]),
    }


def log_event(row: LogRow) -> Json:
    """One stored event as `/gebeurtenissen` shows it: who, when, which record, and its data in
    the contract's words."""
    return {
        "positie": row.position,
        "type": EVENT_TYPES[row.type],
        "vastgelegdOp": moment(row.state["timestamp"]),
        "actor": _actor(row.state.get("meta") or {}),
        "id": row.aggregate_id,
        "versie": row.version,
        "gegevens": event_data(row.type, row.state),
    }
