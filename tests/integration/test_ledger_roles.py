"""Who may write what: auditors nothing, members only for their own body, the office the rest."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import pytest

from events import BodyKind, Outcome, Role, Verdict
from ledger import Actor, AdviceLedger, ForbiddenError


@dataclass(frozen=True)
class World:
    """The records a command can name: an advice whose first point is answered and promised."""

    body_id: UUID
    dossier_id: UUID
    advice_id: UUID
    promise_id: UUID
    today: date


Command = Callable[[AdviceLedger, Actor, World], object]

OFFICE_COMMANDS: dict[str, Command] = {
    "register_body": lambda ledger, actor, _: ledger.register_body(
        actor, "Wmo-platform", BodyKind.CLIENT_COUNCIL
    ),
    "open_dossier": lambda ledger, actor, w: ledger.open_dossier(actor, "Nota", w.today),
    "request_advice": lambda ledger, actor, w: ledger.request_advice(
        actor, w.dossier_id, w.body_id, "Vraag?", w.today, w.today
    ),
    "record_response": lambda ledger, actor, w: ledger.record_response(
        actor, w.advice_id, 2, Outcome.FOLLOWED, "Ja.", w.today
    ),
    "move_due_date": lambda ledger, actor, w: ledger.move_due_date(
        actor, w.advice_id, w.today, "Reces."
    ),
    "promise_follow_up": lambda ledger, actor, w: ledger.promise_follow_up(
        actor, w.advice_id, 1, "Brochure.", w.today
    ),
    "fulfil_promise": lambda ledger, actor, w: ledger.fulfil_promise(
        actor, w.advice_id, w.promise_id, w.today, "Gedaan."
    ),
    "take_decision": lambda ledger, actor, w: ledger.take_decision(
        actor, w.dossier_id, "Besluit", w.today, []
    ),
}

BODY_COMMANDS: dict[str, Command] = {
    "submit_advice": lambda ledger, actor, w: ledger.submit_advice(
        actor, w.body_id, "Advies", w.today, False, ["p"]
    ),
    "give_rejoinder": lambda ledger, actor, w: ledger.give_rejoinder(
        actor, w.advice_id, Verdict.SATISFIED, "Dank."
    ),
    "withdraw_advice": lambda ledger, actor, w: ledger.withdraw_advice(
        actor, w.advice_id, "Achterhaald."
    ),
}


@pytest.fixture
def world(
    ledger: AdviceLedger,
    office: Actor,
    body_id: UUID,
    dossier_id: UUID,
    advice_id: UUID,
    today: date,
) -> World:
    ledger.record_response(office, advice_id, 1, Outcome.FOLLOWED, "Ja.", today)
    promise_id = uuid4()
    ledger.promise_follow_up(office, advice_id, 1, "Brochure.", today, promise_id)
    return World(body_id, dossier_id, advice_id, promise_id, today)


@pytest.mark.parametrize("command", sorted(OFFICE_COMMANDS | BODY_COMMANDS))
def test_an_auditor_can_write_nothing(ledger: AdviceLedger, world: World, command: str) -> None:
    auditor = Actor("accountant", Role.AUDITOR, "req-audit")
    before = ledger.last_position()

    with pytest.raises(ForbiddenError):
        (OFFICE_COMMANDS | BODY_COMMANDS)[command](ledger, auditor, world)

    assert ledger.last_position() == before


@pytest.mark.parametrize("command", sorted(OFFICE_COMMANDS))
def test_a_member_may_not_do_the_secretariats_work(
    ledger: AdviceLedger, member: Actor, world: World, command: str
) -> None:
    before = ledger.last_position()

    with pytest.raises(ForbiddenError):
        OFFICE_COMMANDS[command](ledger, member, world)

    assert ledger.last_position() == before


@pytest.mark.parametrize("command", sorted(OFFICE_COMMANDS))
def test_the_secretariat_may_do_its_work(
    ledger: AdviceLedger, office: Actor, world: World, command: str
) -> None:
    before = ledger.last_position()

    OFFICE_COMMANDS[command](ledger, office, world)

    assert ledger.last_position() == before + 1


@pytest.mark.parametrize("command", sorted(BODY_COMMANDS))
def test_a_member_may_act_for_its_own_body(
    ledger: AdviceLedger, member: Actor, world: World, command: str
) -> None:
    before = ledger.last_position()

    BODY_COMMANDS[command](ledger, member, world)

    assert ledger.last_position() == before + 1


@pytest.mark.parametrize("command", sorted(BODY_COMMANDS))
def test_a_member_of_another_body_may_not_act_for_this_one(
    ledger: AdviceLedger, office: Actor, world: World, command: str
) -> None:
    other_body = ledger.register_body(office, "Stadadviseert", BodyKind.ADVISORY_COUNCIL)
    stranger = Actor("lid Stadadviseert", Role.MEMBER, "req", body_id=other_body.id)
    before = ledger.last_position()

    with pytest.raises(ForbiddenError):
        BODY_COMMANDS[command](ledger, stranger, world)

    assert ledger.last_position() == before


def test_a_member_without_a_body_may_not_submit_advice(ledger: AdviceLedger, world: World) -> None:
    loose = Actor("lid zonder orgaan", Role.MEMBER, "req")
    before = ledger.last_position()

    with pytest.raises(ForbiddenError):
        BODY_COMMANDS["submit_advice"](ledger, loose, world)

    assert ledger.last_position() == before


def test_a_member_of_an_unknown_body_may_not_submit_advice(
    ledger: AdviceLedger, world: World
) -> None:
    stranger = Actor("lid elders", Role.MEMBER, "req", body_id=uuid4())
    before = ledger.last_position()

    with pytest.raises(ForbiddenError):
        BODY_COMMANDS["submit_advice"](ledger, stranger, world)

    assert ledger.last_position() == before
