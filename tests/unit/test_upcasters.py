"""Events recorded before contract 1.1 are upcast, never edited: the write side (the library's
mapper) and the read side (the fold) read them alike."""

from typing import Any
from uuid import uuid4

import orjson
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from events import DecisionTaken, DueDateMoved, RejoinderGiven
from ledger.codec import OrjsonTranscoder, TypedMapper
from projections.fold import upcast

# 22:30 UTC on 30 March 2025 is already 31 March in Amsterdam (summer time began that night).
LATE_EVENING_UTC = "2025-03-30T22:30:00.000000+00:00"
META = {
    "municipality": "groningen",
    "actor": "lid",
    "role": "member",
    "request_id": "r",
    "body_id": None,
}


def _read_back(cls: type, state: dict[str, Any]) -> Any:
    mapper = TypedMapper(transcoder=OrjsonTranscoder())
    stored = StoredEvent(uuid4(), 2, get_topic(cls), orjson.dumps(state))
    return mapper.to_domain_event(stored)


def test_a_term_change_of_version_1_took_effect_on_its_dutch_recording_date() -> None:
    state = {
        "timestamp": LATE_EVENING_UTC,
        "meta": META,
        "previous_due_on": "2025-04-01",
        "new_due_on": "2025-05-01",
        "reason": "Reces.",
    }

    event = _read_back(DueDateMoved, dict(state))
    folded = upcast("DueDateMoved", dict(state))

    assert event.effective_on.isoformat() == "2025-03-31"
    assert folded["effective_on"] == "2025-03-31"
    assert "effective_on" not in state


def test_a_rejoinder_of_version_1_on_one_point_is_that_points_own() -> None:
    state = {"timestamp": LATE_EVENING_UTC, "meta": META, "points": [2], "verdict": "satisfied"}
    state["text"] = "Dank."

    event = _read_back(RejoinderGiven, dict(state))

    assert (event.point, event.given_on.isoformat(), event.on_behalf) == (2, "2025-03-31", False)


def test_a_rejoinder_of_version_1_on_several_points_is_a_general_one() -> None:
    state = {"timestamp": LATE_EVENING_UTC, "meta": META, "points": [1, 3], "text": "Dank."}
    state["verdict"] = "not_satisfied"

    folded = upcast("RejoinderGiven", dict(state))

    assert folded["point"] is None
    assert "points" not in folded


def test_a_deviation_of_version_1_did_not_follow_its_point() -> None:
    advice_id = str(uuid4())
    state = {
        "timestamp": LATE_EVENING_UTC,
        "meta": META,
        "dossier_id": str(uuid4()),
        "title": "Besluit",
        "decided_on": "2025-03-30",
        "reference": None,
        "advice_ids": [advice_id],
        "deviations": [{"advice_id": advice_id, "point": 1, "reasons": "Te duur."}],
        "originator_topic": get_topic(DecisionTaken),
    }

    event = _read_back(DecisionTaken, orjson.loads(orjson.dumps(state)))
    folded = upcast("DecisionTaken", orjson.loads(orjson.dumps(state)))

    assert [d.outcome.value for d in event.deviations] == ["not_followed"]
    assert [d["outcome"] for d in folded["deviations"]] == ["not_followed"]
