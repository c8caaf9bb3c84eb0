"""Personal data on both stores: sealed in the store, opened for readers, and forgotten without
breaking the proof — replay, rebuild and verify still work, the forgetting is itself recorded."""

from datetime import date, timedelta
from uuid import UUID

import pytest

from events import BodyKind, Role, Verdict
from ledger import Actor, AdviceLedger, ConflictError, ValidationError
from ledger.log_verify import verify_store
from projections import ReadModel
from projections.log import LogReader
from tests.integration.actors import administrator
from tests.integration.ledger_support import answer, submit

SYSTEM = Actor("opdrachtregel (test)", Role.SYSTEM, "req-forget")


def stored_bytes(ledger: AdviceLedger) -> bytes:
    reader = LogReader(ledger.location)
    try:
        return b"\n".join(state for *_, state in reader.raw(0, 1000))
    finally:
        reader.close()


def read_states(ledger: AdviceLedger) -> list[dict[str, object]]:
    reader = LogReader(ledger.location)
    try:
        return [row.state for row in reader.read(0, 1000)]
    finally:
        reader.close()


def resident_with_advice(
    ledger: AdviceLedger, office: Actor, today: date, name: str = "Jantje Zwartkop"
) -> tuple[UUID, UUID]:
    body = ledger.register_body(administrator(), name=name, kind=BodyKind.RESIDENT).id
    title = "Mijn zorgen over de Dorpsstraat"
    points = ["Maak de Dorpsstraat autoluw.", "Zet er bankjes."]
    advice = submit(ledger, office, body, today - timedelta(days=5), title=title, points=points).id
    answer(ledger, office, advice, today, text="Wij doen dit.")
    speaker = Actor("Jantje zelf", Role.MEMBER, "req-resident", body_id=body)
    ledger.give_rejoinder(speaker, advice_id=advice, verdict=Verdict.SATISFIED, text="Fijn, dank!")
    return body, advice


def test_a_residents_name_and_words_are_stored_sealed_and_read_opened(
    ledger: AdviceLedger, office: Actor, today: date
) -> None:
    body, advice = resident_with_advice(ledger, office, today)
    ledger.register_body(administrator(), name="WIJ-raad", kind=BodyKind.CLIENT_COUNCIL)

    raw = stored_bytes(ledger)
    states = read_states(ledger)

    for secret in (b"Zwartkop", b"Dorpsstraat", b"Fijn, dank", b"Jantje zelf", b"secretariaat"):
        assert secret not in raw
    # The college's words and a council's name are not a resident's: stored as they are.
    assert b"Wij doen dit." in raw
    assert b"WIJ-raad" in raw
    assert states[0]["name"] == "Jantje Zwartkop"
    assert states[0]["meta"]["actor"] == "beheerder"  # type: ignore[index]
    assert states[1]["points"] == ["Maak de Dorpsstraat autoluw.", "Zet er bankjes."]
    assert states[3]["text"] == "Fijn, dank!"
    assert ledger.get_body(body).name == "Jantje Zwartkop"
    assert ledger.get_advice(advice).title == "Mijn zorgen over de Dorpsstraat"


def test_forgetting_a_resident_erases_its_words_and_keeps_replay_rebuild_and_proof(
    ledger: AdviceLedger, office: Actor, today: date
) -> None:
    body, advice = resident_with_advice(ledger, office, today)
    other, _ = resident_with_advice(ledger, office, today, name="Pietje Puk")
    model = ReadModel(ledger.location)
    model.catch_up()
    size, root = ledger.integrity.root()

    recorded = ledger.forget_body(SYSTEM, body)
    model.rebuild()

    assert ledger.get_body(body).name == "[verwijderd]"
    replayed = ledger.get_advice(advice)
    assert replayed.title == "[verwijderd]"
    assert [point.text for point in replayed.points] == ["[verwijderd]", "[verwijderd]"]
    assert ledger.get_body(other).name == "Pietje Puk"
    doc = model.doc(str(body))
    assert doc is not None
    assert doc["name"] == "[verwijderd]"
    assert model.doc(str(other))["name"] == "Pietje Puk"  # type: ignore[index]
    forgotten = read_states(ledger)[-1]
    assert (forgotten["subject_kind"], forgotten["subject"]) == ("body", str(body))
    assert recorded.position == size + 1
    assert ledger.integrity.root(size)[1] == root  # the tree of before is a prefix, unchanged
    verified = verify_store(ledger.integrity.transaction, ledger.integrity.origin)
    assert verified.size == size + 1
    with pytest.raises(ConflictError, match="vergeten"):
        ledger.submit_advice(
            office,
            body_id=body,
            title="Nog een",
            submitted_on=today,
            solicited=False,
            points=["Punt."],
        )
    with pytest.raises(ConflictError, match="al vergeten"):
        ledger.forget_body(SYSTEM, body)
    model.close()


def test_only_a_residents_data_is_forgettable_as_a_body(
    ledger: AdviceLedger, body_id: UUID
) -> None:
    with pytest.raises(ValidationError, match="inwoner"):
        ledger.forget_body(SYSTEM, body_id)


def test_forgetting_an_actor_erases_its_name_from_every_event_and_the_key_table(
    ledger: AdviceLedger, office: Actor, today: date
) -> None:
    resident_with_advice(ledger, office, today)
    ledger.open_dossier(office, title="Nota", opened_on=today)
    size = ledger.integrity.size()

    recorded = ledger.forget_actor(SYSTEM, "secretariaat")

    actors = [state["meta"]["actor"] for state in read_states(ledger)]  # type: ignore[index]
    assert actors[:size] == [
        "beheerder", "[verwijderd]", "[verwijderd]", "Jantje zelf", "[verwijderd]",
    ]  # fmt: skip
    forgotten = read_states(ledger)[-1]
    assert forgotten["subject_kind"] == "actor"
    assert forgotten["subject"] != "secretariaat"
    assert ledger.personal.actor_id("secretariaat") is None
    assert recorded.position == size + 1
    assert verify_store(ledger.integrity.transaction, ledger.integrity.origin).size == size + 1
    # Acting again under that name starts a new subject; what was forgotten stays forgotten.
    ledger.open_dossier(office, title="Nieuwe nota", opened_on=today)
    assert read_states(ledger)[-1]["meta"]["actor"] == "secretariaat"  # type: ignore[index]
    assert read_states(ledger)[1]["meta"]["actor"] == "[verwijderd]"  # type: ignore[index]
