"""Stored events in the contract's words: `gegevens` with the fields and values of the POST that
recorded it (`historie`, `gebeurtenissen`, the stream, and every 201 answer)."""

from typing import Any

from api.http.fields import moment
from api.vocabulary import (
    BODY_KINDS,
    DEVIATION_FIELDS,
    EVENT_FIELDS,
    OUTCOMES,
    ROLES,
    SUBJECT_KINDS,
    VERDICTS,
)
from events import BodyKind, Outcome, Role, SubjectKind, Verdict
from projections.fold import upcast
from projections.log import LogRow

Json = dict[str, Any]


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
    if field == "role":
        return ROLES.dutch(Role(value))
    if field == "subject_kind":
        return SUBJECT_KINDS.dutch(SubjectKind(value))
    if field == "issued_at":
        return moment(value)
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


def history_item(item: Json) -> Json:
    """One event of a record's history (`ReadModel.history`), for the `HistorieItem` model."""
    return {**item, "data": event_data(item["type"], item["data"])}


def log_event(row: LogRow) -> Json:
    """One stored event of the log, for the `Gebeurtenis` model: who, when, which record, and
    its data in the contract's words."""
    return {
        "position": row.position,
        "type": row.type,
        "recorded_at": moment(row.state["timestamp"]),
        "actor": row.state.get("meta") or {},
        "id": row.aggregate_id,
        "version": row.version,
        "data": event_data(row.type, row.state),
    }
