"""Who may write what: auditors nothing, members only for their own body, the office the rest."""

from collections.abc import Callable
from uuid import uuid4

from events import BodyKind, Deviation, Role, Verdict
from ledger import Actor, AdviceLedger, LedgerError
from tests.integration.actors import administrator
from tests.integration.ledger_support import World, answer, ask, decide, promise, submit

Command = Callable[[AdviceLedger, Actor, World], object]

ADMINISTRATOR_COMMANDS: dict[str, Command] = {
    "register_body": lambda ledger, actor, _: ledger.register_body(
        actor, name="Wmo-platform", kind=BodyKind.CLIENT_COUNCIL
    ),
}

OFFICE_COMMANDS: dict[str, Command] = {
    "open_dossier": lambda ledger, actor, w: ledger.open_dossier(
        actor, title="Nota", opened_on=w.today
    ),
    "request_advice": lambda ledger, actor, w: ask(
        ledger, actor, w.dossier_id, w.body_id, w.today, w.today
    ),
    "record_response": lambda ledger, actor, w: answer(
        ledger, actor, w.advice_id, w.today, point=2
    ),
    "move_due_date": lambda ledger, actor, w: ledger.move_due_date(
        actor, advice_id=w.advice_id, new_due_on=w.today, reason="Reces."
    ),
    "promise_follow_up": lambda ledger, actor, w: promise(ledger, actor, w.advice_id, w.today),
    "fulfil_promise": lambda ledger, actor, w: ledger.fulfil_promise(
        actor, advice_id=w.advice_id, promise_id=w.promise_id, fulfilled_on=w.today, note="Gedaan."
    ),
    "take_decision": lambda ledger, actor, w: decide(
        ledger,
        actor,
        w.dossier_id,
        [w.advice_id],
        w.today,
        deviations=[
            Deviation(w.advice_id, p.number, "Nee.") for p in ledger.get_advice(w.advice_id).points
        ],
    ),
}

BODY_COMMANDS: dict[str, Command] = {
    "submit_advice": lambda ledger, actor, w: submit(ledger, actor, w.body_id, w.today),
    "give_rejoinder": lambda ledger, actor, w: ledger.give_rejoinder(
        actor, advice_id=w.advice_id, verdict=Verdict.SATISFIED, text="Dank."
    ),
    "withdraw_advice": lambda ledger, actor, w: ledger.withdraw_advice(
        actor, advice_id=w.advice_id, reason="Achterhaald."
    ),
}


ALL_COMMANDS = ADMINISTRATOR_COMMANDS | OFFICE_COMMANDS | BODY_COMMANDS
FORBIDDEN = ("ForbiddenError", 0)
STORED_ONE = (None, 1)


def try_each(
    ledger: AdviceLedger, actor: Actor, world: World, commands: dict[str, Command]
) -> dict[str, tuple[str | None, int]]:
    """Each command in turn, by name: the refusal it met (or None), and the events it stored."""
    tried: dict[str, tuple[str | None, int]] = {}
    for name in sorted(commands):
        before = ledger.last_position()
        refusal: str | None = None
        try:
            commands[name](ledger, actor, world)
        except LedgerError as error:
            refusal = type(error).__name__
        tried[name] = (refusal, ledger.last_position() - before)
    return tried


def test_an_auditor_can_write_nothing(ledger: AdviceLedger, world: World) -> None:
    auditor = Actor("accountant", Role.AUDITOR, "req-audit")

    tried = try_each(ledger, auditor, world, ALL_COMMANDS)

    assert tried == dict.fromkeys(ALL_COMMANDS, FORBIDDEN)


def test_a_member_may_not_do_the_secretariats_work(
    ledger: AdviceLedger, member: Actor, world: World
) -> None:
    commands = ADMINISTRATOR_COMMANDS | OFFICE_COMMANDS
    tried = try_each(ledger, member, world, commands)

    assert tried == dict.fromkeys(commands, FORBIDDEN)


def test_only_the_administrator_registers_bodies(
    ledger: AdviceLedger, office: Actor, world: World
) -> None:
    refused = try_each(ledger, office, world, ADMINISTRATOR_COMMANDS)
    allowed = try_each(ledger, administrator(), world, ADMINISTRATOR_COMMANDS)

    assert refused == dict.fromkeys(ADMINISTRATOR_COMMANDS, FORBIDDEN)
    assert allowed == dict.fromkeys(ADMINISTRATOR_COMMANDS, STORED_ONE)


def test_the_secretariat_may_do_its_work(ledger: AdviceLedger, office: Actor, world: World) -> None:
    tried = try_each(ledger, office, world, OFFICE_COMMANDS)

    assert tried == dict.fromkeys(OFFICE_COMMANDS, STORED_ONE)


def test_a_member_may_act_for_its_own_body(
    ledger: AdviceLedger, member: Actor, world: World
) -> None:
    tried = try_each(ledger, member, world, BODY_COMMANDS)

    assert tried == dict.fromkeys(BODY_COMMANDS, STORED_ONE)


def test_members_of_other_bodies_or_of_none_may_not_act_for_this_one(
    ledger: AdviceLedger, office: Actor, world: World
) -> None:
    other_body = ledger.register_body(
        administrator(), name="Stadadviseert", kind=BodyKind.ADVISORY_COUNCIL
    )
    strangers = [
        Actor("lid Stadadviseert", Role.MEMBER, "req", body_id=other_body.id),
        Actor("lid elders", Role.MEMBER, "req", body_id=uuid4()),
        Actor("lid zonder orgaan", Role.MEMBER, "req"),
    ]

    tried = [try_each(ledger, stranger, world, BODY_COMMANDS) for stranger in strangers]

    assert tried == [dict.fromkeys(BODY_COMMANDS, FORBIDDEN)] * len(strangers)
