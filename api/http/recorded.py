"""The 201 answer of a POST, made from the event exactly as it was stored.

The answer is a function of the stored row alone (position, record, version, type, stored JSON),
so it shows the values as stored (trimmed, normalised), and a retry with the same
`Idempotency-Key`, even after a crash, rebuilds the very same answer from the log.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson

from api.http.events import event_data
from api.http.fields import BASE_PATH, Named, RequestSchema, moment
from api.http.requests import Command
from ledger import Recorded
from projections.log import LogRow, canonical_id

Json = dict[str, Any]
_ID: Final = {"type": "string", "format": "uuid"}
_POSITION: Final = {"type": "integer", "minimum": 1, "description": "Positie in de log."}
_MOMENT: Final = {
    "type": "string",
    "format": "date-time",
    "description": "RFC 3339 in UTC met microseconden, eindigend op Z.",
}


@dataclass(frozen=True)
class Made:
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
        # The data as stored, its personal texts opened (the stored bytes are sealed).
        dict(recorded.data) if recorded.data else orjson.loads(recorded.state),
    )


# Creations answer at their collection; facts about an advice at the advice's history.
_COLLECTIONS: Final[dict[str, str]] = {
    "AdvisoryBodyRegistered": "adviesorganen",
    "DossierOpened": "dossiers",
    "AdviceRequested": "adviesaanvragen",
    "AdviceSubmitted": "adviezen",
    "DecisionTaken": "besluiten",
}


def answer(row: LogRow, municipality: str) -> Made:
    """The 201 answer to the POST that stored `row`."""
    fields = event_data(row.type, row.state)
    stamp = {"positie": row.position, "vastgelegdOp": moment(row.state["timestamp"])}
    collection = _COLLECTIONS.get(row.type)
    if collection is not None:
        body = {"id": row.aggregate_id, "gemeente": municipality, **fields, **stamp}
        etag = None
        if collection == "adviezen":
            body["versie"] = row.version
            etag = f'"{row.version}"'
        return Made(f"{BASE_PATH}/{collection}/{row.aggregate_id}", body, etag)
    body = {"advies": row.aggregate_id, **fields, **stamp, "versie": row.version}
    return Made(f"{BASE_PATH}/adviezen/{row.aggregate_id}/historie", body)


# The schemas of these answers, from the request models ------------------------------------


def _as_stored(request: type[Command]) -> tuple[dict[str, Any], list[str]]:
    """A request's fields as an answer shows them: stored values, so an optional field that was
    not given is null, and nothing is refused as unknown."""
    schema = request.model_json_schema(
        by_alias=True, ref_template="#/components/schemas/{model}", schema_generator=RequestSchema
    )
    required = list(schema.get("required", []))
    properties = {
        name: field if name in required else {"anyOf": [field, {"type": "null"}]}
        for name, field in schema["properties"].items()
    }
    for field in properties.values():
        field.pop("default", None)
    return properties, required


def created(name: str, request: type[Command], extra: Mapping[str, Any] | None = None) -> Named:
    """A new record as answered: its id and log position, and its fields as stored."""
    properties, required = _as_stored(request)
    stamp = {
        "id": _ID,
        "gemeente": {"type": "string"},
        "positie": _POSITION,
        "vastgelegdOp": _MOMENT,
    }
    return Named(
        name,
        {
            "type": "object",
            "required": [*stamp, *required],
            "properties": {**properties, **(extra or {}), **stamp},
        },
    )


def recorded(name: str, request: type[Command], extra: Mapping[str, Any] | None = None) -> Named:
    """A fact recorded about an advice: its fields as stored, its log position, the new version."""
    properties, required = _as_stored(request)
    stamp = {
        "advies": _ID,
        "positie": _POSITION,
        "vastgelegdOp": _MOMENT,
        "versie": {"type": "integer", "minimum": 1, "description": "Voor If-Match."},
    }
    return Named(
        name,
        {
            "type": "object",
            "required": [*stamp, *(extra or {}), *required],
            "properties": {**properties, **(extra or {}), **stamp},
        },
    )
