"""Event classes: payloads type-checked at construction, upcasting, the recording clock."""

from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any
from uuid import uuid4

import pytest
from typeguard import TypeCheckError

from events import (
    AdviceSubmitted,
    AdvisoryBodyRegistered,
    BodyKind,
    Meta,
    Outcome,
    ResponseRecorded,
    Role,
)
from events.base import RECORDING_CLOCK
from events.store import check_municipality
from ledger import Advice, AdvisoryBody

META = Meta("groningen", "secretariaat", Role.SECRETARIAT, "req-1")


def response(**changes: Any) -> ResponseRecorded:
    payload: dict[str, Any] = {
        "originator_id": uuid4(),
        "originator_version": 2,
        "timestamp": datetime.now(tz=UTC),
        "meta": META,
        "point": 1,
        "outcome": Outcome.FOLLOWED,
        "text": "Overgenomen.",
        "reasons": None,
        "consequence": "De notitie is hierop aangepast.",
        "given_on": date(2024, 5, 2),
        "decision": None,
    }
    return ResponseRecorded(**(payload | changes))


def test_typeguard_checks_our_packages_during_tests() -> None:
    # Without the import hook these calls would run on and fail somewhere else, or not at all.
    with pytest.raises(TypeCheckError):
        check_municipality(42)  # type: ignore[arg-type]
    with pytest.raises(TypeCheckError):
        AdvisoryBodyRegistered.upcast_v1_v2(["not", "a", "dict"])  # type: ignore[arg-type]


def test_typeguard_checks_the_methods_of_library_made_aggregates() -> None:
    body = AdvisoryBody.register(
        META, name="WIJ-raad", kind=BodyKind.CLIENT_COUNCIL, response_term_days=42, id=None
    )

    with pytest.raises(TypeCheckError):
        Advice.submit(
            None,  # type: ignore[arg-type]
            META,
            body=body,
            title="Advies",
            submitted_on=date(2024, 5, 1),
            solicited=False,
            points=["p"],
            dossier=None,
            request=None,
            reference=None,
            today=date(2024, 5, 1),
            id=None,
        )


def test_a_well_typed_response_event_is_constructed() -> None:
    event = response()

    assert (event.point, event.outcome, event.given_on) == (1, Outcome.FOLLOWED, date(2024, 5, 2))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("point", "1"),
        ("outcome", "followed"),
        ("given_on", "2024-05-02"),
        ("reasons", 3),
        ("meta", {"municipality": "groningen"}),
    ],
)
def test_a_response_event_with_a_wrongly_typed_field_is_refused_when_constructed(
    field: str, value: object
) -> None:
    with pytest.raises(TypeError, match=rf"^ResponseRecorded\.{field}: "):
        response(**{field: value})


def test_an_advice_event_with_a_list_where_a_tuple_is_declared_is_refused() -> None:
    payload: dict[str, Any] = {
        "originator_id": uuid4(),
        "originator_version": 1,
        "timestamp": datetime.now(tz=UTC),
        "originator_topic": "ledger.advice:Advice",
        "meta": META,
        "body_id": uuid4(),
        "title": "Advies",
        "submitted_on": date(2024, 5, 1),
        "solicited": False,
        "points": ("p",),
        "dossier_id": None,
        "request_id": None,
        "reference": None,
        "response_term_days": 42,
        "due_on": date(2024, 6, 12),
    }
    assert AdviceSubmitted(**payload).points == ("p",)

    with pytest.raises(TypeError, match=r"^AdviceSubmitted\.points: "):
        AdviceSubmitted(**(payload | {"points": ["p"]}))
    # A tuple's items go to typeguard (an instance check of `tuple` does not settle them), which
    # checks the first item by default.
    with pytest.raises(TypeError, match=r"^AdviceSubmitted\.points: item 0 of tuple"):
        AdviceSubmitted(**(payload | {"points": (3, "p")}))


def test_a_version_1_body_registration_is_upcast_to_the_default_term_of_42_days() -> None:
    state: dict[str, Any] = {"name": "WIJ-raad", "kind": "client_council"}

    AdvisoryBodyRegistered.upcast_v1_v2(state)

    assert AdvisoryBodyRegistered.class_version == 2
    assert state == {"name": "WIJ-raad", "kind": "client_council", "response_term_days": 42}


def test_the_recording_clock_never_repeats_nor_goes_back() -> None:
    moments = [RECORDING_CLOCK.now() for _ in range(2000)]

    assert all(earlier < later for earlier, later in pairwise(moments))
    assert all(moment.tzinfo is UTC for moment in moments)


def test_moments_are_moved_after_the_previous_one_only_when_they_are_not() -> None:
    import orjson

    from ledger.recorders import later_moments

    def state(moment: str) -> bytes:
        return orjson.dumps({"timestamp": moment, "name": "x"})

    previous = state("2026-01-01T10:00:00.000005+00:00")
    given = [state("2026-01-01T09:00:00+00:00"), state("2026-01-01T10:00:00.000006+00:00")]
    later = state("2026-01-01T11:00:00+00:00")

    moved = later_moments(previous, [*given, later])

    assert [orjson.loads(s)["timestamp"] for s in moved] == [
        "2026-01-01T10:00:00.000006+00:00",
        "2026-01-01T10:00:00.000007+00:00",
        "2026-01-01T11:00:00+00:00",
    ]
    assert moved[2] is later
    assert later_moments(None, given)[0] is given[0]
