"""The 201 answer of a POST, made from the event exactly as it was stored.

The answer is a function of the stored row alone (position, record, version, type, stored JSON),
so it shows the values as stored (trimmed, normalised), and a retry with the same
`Idempotency-Key`, even after a crash, rebuilds the very same answer from the log.
"""

from dataclasses import dataclass
from typing import Any, Final

import orjson

from api.http.schemas import BASE_PATH, moment
from api.http.translate import event_data
from ledger import Recorded
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


# Creations answer at their collection; facts about an advice at the advice's history.
_COLLECTIONS: Final[dict[str, str]] = {
    "AdvisoryBodyRegistered": "adviesorganen",
    "DossierOpened": "dossiers",
    "AdviceRequested": "adviesaanvragen",
    "AdviceSubmitted": "adviezen",
    "DecisionTaken": "besluiten",
}


def answer(row: LogRow, municipality: str) -> Answer:
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
        return Answer(f"{BASE_PATH}/{collection}/{row.aggregate_id}", body, etag)
    body = {"advies": row.aggregate_id, **fields, **stamp, "versie": row.version}
    return Answer(f"{BASE_PATH}/adviezen/{row.aggregate_id}/historie", body)
