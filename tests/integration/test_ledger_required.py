"""Every text a command needs must say something, and no business date lies in the future."""

from collections.abc import Callable
from datetime import timedelta

from events import BodyKind, Deviation, Verdict
from ledger import AdviceLedger, ValidationError
from tests.integration.actors import administrator
from tests.integration.ledger_support import World, ask, decide, submit

Command = Callable[[AdviceLedger, World], object]
BLANK = " \n "

# Each command, with the one input that breaks a rule, and the field the refusal must name.
REFUSED: dict[str, tuple[Command, str]] = {
    "body without a name": (
        lambda ledger, _: ledger.register_body(administrator(), name=BLANK, kind=BodyKind.MEETING),
        "name",
    ),
    "dossier without a title": (
        lambda ledger, w: ledger.open_dossier(w.office, title=BLANK, opened_on=w.today),
        "title",
    ),
    "dossier opened tomorrow": (
        lambda ledger, w: ledger.open_dossier(
            w.office, title="Nota", opened_on=w.today + timedelta(days=1)
        ),
        "opened_on",
    ),
    "request without a question": (
        lambda ledger, w: ask(ledger, w.office, w.dossier_id, w.body_id, w.today, w.today, BLANK),
        "question",
    ),
    "advice without a title": (
        lambda ledger, w: submit(ledger, w.office, w.body_id, w.today, title=BLANK),
        "title",
    ),
    "decision without a title": (
        lambda ledger, w: decide(
            ledger,
            w.office,
            w.dossier_id,
            [w.advice_id],
            w.today,
            title=BLANK,
            deviations=[Deviation(w.advice_id, n, "Nee.") for n in (1, 2, 3)],
        ),
        "title",
    ),
    "fulfilment without a note": (
        lambda ledger, w: ledger.fulfil_promise(
            w.office,
            advice_id=w.advice_id,
            promise_id=w.promise_id,
            fulfilled_on=w.today,
            note=BLANK,
        ),
        "note",
    ),
    "fulfilment before the advice": (
        lambda ledger, w: ledger.fulfil_promise(
            w.office,
            advice_id=w.advice_id,
            promise_id=w.promise_id,
            fulfilled_on=w.submitted_on - timedelta(days=1),
            note="Klaar.",
        ),
        "fulfilled_on",
    ),
    "rejoinder without a text": (
        lambda ledger, w: ledger.give_rejoinder(
            w.member, advice_id=w.advice_id, verdict=Verdict.SATISFIED, text=BLANK
        ),
        "text",
    ),
}


def test_each_command_breaking_one_rule_is_refused_naming_that_field_and_stores_nothing(
    ledger: AdviceLedger, world: World
) -> None:
    tried: dict[str, tuple[list[str], int]] = {}

    for case, (command, _) in REFUSED.items():
        before = ledger.last_position()
        named: list[str] = []
        try:
            command(ledger, world)
        except ValidationError as refused:
            named = [item.field for item in refused.invalid]
        tried[case] = (named, ledger.last_position() - before)

    assert tried == {case: ([field], 0) for case, (_, field) in REFUSED.items()}
