"""The fold, called directly: one plain document per record from plain-JSON events, with its
version, position and moments; older events upcast on the way in."""

from typing import Any

from events import Outcome
from projections import fold

AT = "2026-03-02T09:00:00.123456+00:00"


def state(**fields: Any) -> dict[str, Any]:
    return {"timestamp": AT, **fields}


def submitted() -> dict[str, Any]:
    return fold.apply(
        None,
        7,
        "a-1",
        "AdviceSubmitted",
        state(
            body_id="b-1",
            dossier_id=None,
            request_id=None,
            title="Advies",
            reference=None,
            submitted_on="2026-03-01",
            solicited=False,
            response_term_days=42,
            due_on="2026-04-12",
            points=["Een", "Twee"],
        ),
    )


def test_a_creation_makes_a_document_of_its_kind_at_version_one() -> None:
    doc = submitted()

    assert (doc["id"], doc["kind"], doc["version"], doc["position"]) == ("a-1", "advice", 1, 7)
    assert doc["created_at"] == doc["updated_at"] == "2026-03-02T09:00:00.123456Z"
    assert [(p["number"], p["text"]) for p in doc["points"]] == [(1, "Een"), (2, "Twee")]
    assert doc["withdrawal"] is None


def test_a_response_lands_on_its_point_with_its_position_and_moment() -> None:
    doc = fold.apply(
        submitted(),
        9,
        "a-1",
        "ResponseRecorded",
        state(
            point=2,
            outcome=Outcome.NOT_FOLLOWED.value,
            text="Nee.",
            reasons="Te duur.",
            consequence=None,
            given_on="2026-03-02",
            decision=None,
        ),
    )

    assert doc["version"] == 2
    assert doc["points"][0]["responses"] == []
    (response,) = doc["points"][1]["responses"]
    assert (response["outcome"], response["position"]) == ("not_followed", 9)
    assert response["recorded_at"] == "2026-03-02T09:00:00.123456Z"


def test_a_fulfilment_completes_its_promise_and_a_general_rejoinder_stays_on_the_advice() -> None:
    doc = fold.apply(
        submitted(),
        8,
        "a-1",
        "FollowUpPromised",
        state(promise_id="p-1", point=1, description="Brochure.", due_on="2026-05-01"),
    )
    doc = fold.apply(
        doc,
        9,
        "a-1",
        "FollowUpFulfilled",
        state(promise_id="p-1", fulfilled_on="2026-04-01", note="Verschenen."),
    )
    doc = fold.apply(
        doc,
        10,
        "a-1",
        "RejoinderGiven",
        state(
            class_version=2,
            point=None,
            verdict="satisfied",
            text="Dank.",
            given_on="2026-04-02",
            on_behalf=True,
        ),
    )

    (promise,) = doc["points"][0]["promises"]
    assert (promise["fulfilled_on"], promise["note"]) == ("2026-04-01", "Verschenen.")
    assert [r["text"] for r in doc["general_rejoinders"]] == ["Dank."]
    assert all(p["rejoinders"] == [] for p in doc["points"])


def test_an_older_due_date_move_is_upcast_to_take_effect_on_its_recorded_date() -> None:
    doc = fold.apply(
        submitted(),
        8,
        "a-1",
        "DueDateMoved",
        state(previous_due_on="2026-04-12", new_due_on="2026-05-01", reason="Reces."),
    )

    (move,) = doc["due_date_moves"]
    assert move["effective_on"] == "2026-03-02"
    assert doc["due_on"] == "2026-04-12"  # the original: which date holds depends on the day


def test_a_moment_without_microseconds_is_written_with_them() -> None:
    assert fold.moment("2026-03-02T09:00:00+00:00") == "2026-03-02T09:00:00.000000Z"
