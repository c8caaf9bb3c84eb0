"""How events are kept: typed, as plain JSON, old event versions read, recorded moments in order."""

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from events import BodyKind, Deviation, Outcome, ResponseRecorded, Role, Verdict
from ledger import Actor, Advice, AdviceLedger, AdviceRequest, AdvisoryBody, Decision, Dossier
from ledger.decisions import ListedAdvice
from projections.log import LogReader, LogRow
from tests.integration.actors import administrator
from tests.integration.ledger_support import answer, decide, submit


@pytest.fixture
def log(ledger: AdviceLedger) -> Iterator[Callable[[], list[LogRow]]]:
    """Reads the municipality's log raw, as the read side and auditors do."""
    reader = LogReader(ledger.location)
    yield lambda: reader.read(0, 100)
    reader.close()


def test_a_wrongly_typed_event_is_refused_and_nothing_is_stored(
    ledger: AdviceLedger, office: Actor, advice_id: UUID, today: date
) -> None:
    advice = ledger.get_advice(advice_id)
    before = ledger.last_position()

    with pytest.raises(TypeError, match=r"ResponseRecorded\.point: str is not an instance of int"):
        advice.trigger_event(
            ResponseRecorded,
            meta=office.meta(ledger.municipality),
            point="1",
            outcome=Outcome.FOLLOWED,
            text="Ja.",
            reasons=None,
            consequence=None,
            given_on=today,
            decision=None,
        )
    ledger.save(advice)

    assert ledger.last_position() == before
    assert ledger.get_advice(advice_id).version == 1


def test_a_stored_version_1_body_registration_is_read_with_the_default_term(
    ledger: AdviceLedger, office: Actor, submitted_on: date, log: Callable[[], list[LogRow]]
) -> None:
    body_id = uuid4()
    version_1 = {
        "timestamp": "2019-03-01T09:30:00.000001+00:00",
        "originator_topic": "ledger.bodies:AdvisoryBody",
        "meta": {
            "municipality": ledger.municipality,
            "actor": "beheerder",
            "role": "administrator",
            "request_id": "migratie-2019",
            "body_id": None,
        },
        "name": "Wmo-platform",
        "kind": "client_council",
    }
    ledger.recorder.insert_events(
        [
            StoredEvent(
                originator_id=body_id,
                originator_version=1,
                topic="events.bodies:AdvisoryBodyRegistered",
                state=orjson.dumps(version_1),
            )
        ]
    )

    body = ledger.get_body(body_id)
    advice = submit(ledger, office, body_id, submitted_on)

    assert (body.name, body.kind, body.response_term_days) == (
        "Wmo-platform",
        BodyKind.CLIENT_COUNCIL,
        42,
    )
    assert ledger.get_advice(advice.id).due_on == submitted_on + timedelta(days=42)
    stored = [row.state for row in log() if row.type == "AdvisoryBodyRegistered"]
    assert stored == [version_1]


def test_a_new_body_registration_is_stored_as_version_2(
    ledger: AdviceLedger, office: Actor, log: Callable[[], list[LogRow]]
) -> None:
    ledger.register_body(
        administrator(), name="Stadadviseert", kind=BodyKind.ADVISORY_COUNCIL, response_term_days=30
    )

    [row] = log()

    assert (row.state["class_version"], row.state["response_term_days"]) == (2, 30)


def test_event_json_is_plain(
    ledger: AdviceLedger,
    office: Actor,
    body_id: UUID,
    dossier_id: UUID,
    submitted_on: date,
    today: date,
    log: Callable[[], list[LogRow]],
) -> None:
    advice = submit(
        ledger, office, body_id, submitted_on, points=["Eén.", "Twee."], dossier_id=dossier_id
    )
    answer(ledger, office, advice.id, today)
    decide(
        ledger,
        office,
        dossier_id,
        [advice.id],
        today,
        deviations=[Deviation(advice.id, 2, "Te duur.")],
    )

    rows = {row.type: row for row in log()}

    submitted = rows["AdviceSubmitted"]
    assert UUID(submitted.aggregate_id) == advice.id
    assert submitted.state["body_id"] == str(body_id)
    assert submitted.state["dossier_id"] == str(dossier_id)
    assert submitted.state["submitted_on"] == submitted_on.isoformat()
    assert submitted.state["due_on"] == (submitted_on + timedelta(days=42)).isoformat()
    assert submitted.state["points"] == ["Eén.", "Twee."]
    assert submitted.state["meta"] == {
        "municipality": ledger.municipality,
        "actor": "secretariaat",
        "role": "secretariat",
        "request_id": "req-office",
        "body_id": None,
    }
    assert datetime.fromisoformat(submitted.state["timestamp"]).utcoffset() == timedelta(0)
    response = rows["ResponseRecorded"].state
    assert (response["point"], response["outcome"], response["given_on"]) == (
        1,
        "followed",
        today.isoformat(),
    )
    decision = rows["DecisionTaken"].state
    assert decision["advice_ids"] == [str(advice.id)]
    assert decision["deviations"] == [
        {"advice_id": str(advice.id), "point": 2, "reasons": "Te duur.", "outcome": "not_followed"}
    ]


def test_every_kind_of_event_reads_back_equal_to_what_was_recorded(
    ledger: AdviceLedger, office: Actor, today: date
) -> None:
    meta = office.meta(ledger.municipality)
    body = AdvisoryBody.register(
        meta, name="WIJ-raad", kind=BodyKind.CLIENT_COUNCIL, response_term_days=30, id=None
    )
    member = Actor("lid", Role.MEMBER, "req-lid", body_id=body.id)
    dossier = Dossier.open(
        meta,
        title="Nota",
        reference="OS 13.4064391",
        portfolio_holder="wethouder",
        opened_on=today,
        today=today,
        id=None,
    )
    request = AdviceRequest.request(
        meta,
        dossier=dossier,
        body=body,
        question="Vraag?",
        requested_on=today,
        due_on=today,
        today=today,
        id=None,
    )
    advice = Advice.submit(
        member,
        member.meta(ledger.municipality),
        body=body,
        title="Advies",
        submitted_on=today,
        solicited=True,
        points=["a", "b"],
        dossier=dossier,
        request=request,
        reference="kenmerk 7",
        today=today,
        id=None,
    )
    advice.respond(
        meta,
        point=1,
        outcome=Outcome.NOT_FOLLOWED,
        text="Nee.",
        reasons="Geld.",
        consequence="Geen aanpassing",
        given_on=today,
        decision="besluit 12",
        today=today,
    )
    advice.move_due_date(
        meta,
        new_due_on=today + timedelta(days=90),
        reason="Reces.",
        effective_on=today,
        today=today,
    )
    promise_id = uuid4()
    advice.promise(meta, promise_id=promise_id, point=1, description="Brochure.", due_on=today)
    advice.fulfil(meta, promise_id=promise_id, fulfilled_on=today, note="Verschenen.", today=today)
    advice.give_rejoinder(
        member,
        member.meta(ledger.municipality),
        point=1,
        verdict=Verdict.SATISFIED,
        text="Ok.",
        given_on=today,
        today=today,
    )
    decision = Decision.take(
        meta,
        dossier=dossier,
        title="Besluit",
        decided_on=today,
        listed=[ListedAdvice(advice.id, advice)],
        on_dossier=[],
        reference="B-1",
        deviations=[Deviation(advice.id, 2, "Nee.")],
        today=today,
        id=None,
    )
    advice.withdraw(member, member.meta(ledger.municipality), reason="Achterhaald.")

    recordings = ledger.save(body, dossier, request, advice, decision)

    recorded = [r.domain_event for r in recordings]
    read_back = [
        e for a in (body, dossier, request, advice, decision) for e in ledger.events.get(a.id)
    ]
    assert len({type(e) for e in recorded}) == 11
    assert read_back == recorded


def test_a_moment_behind_the_last_stored_one_is_stored_just_after_it(
    ledger: AdviceLedger, log: Callable[[], list[LogRow]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from events.base import RECORDING_CLOCK

    first = ledger.register_body(administrator(), name="WIJ-raad", kind=BodyKind.CLIENT_COUNCIL)
    # Another process whose clock is an hour behind writes next (a clock set back, or slow).
    behind = first.recorded_at - timedelta(hours=1)
    monkeypatch.setattr(RECORDING_CLOCK, "now", lambda: behind)

    second = ledger.register_body(administrator(), name="Wmo-platform", kind=BodyKind.OTHER)

    stored = [datetime.fromisoformat(row.state["timestamp"]) for row in log()]
    assert stored == [first.recorded_at, first.recorded_at + timedelta(microseconds=1)]
    assert second.recorded_at == stored[1]
    assert orjson.loads(second.state)["timestamp"] == log()[1].state["timestamp"]
