"""Every text a command needs must say something, and no business date lies in the future."""

from collections.abc import Callable
from datetime import date, timedelta

from events import BodyKind, Deviation
from ledger import AdviceLedger, ValidationError
from tests.integration.actors import administrator
from tests.integration.ledger_support import World, ask, decide, rejoin, submit

Command = Callable[[AdviceLedger, World], object]
BLANK = " \n "


def _fulfil(ledger: AdviceLedger, w: World, on: date, note: str) -> object:
    """The secretariat fulfils the world's promise."""
    return ledger.fulfil_promise(
        w.office, advice_id=w.advice_id, promise_id=w.promise_id, fulfilled_on=on, note=note
    )


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
    "fulfilment without a note": (lambda ledger, w: _fulfil(ledger, w, w.today, BLANK), "note"),
    "fulfilment before the advice": (
        lambda ledger, w: _fulfil(ledger, w, w.submitted_on - timedelta(days=1), "Klaar."),
        "fulfilled_on",
    ),
    "rejoinder without a text": (
        lambda ledger, w: rejoin(ledger, w.member, w.advice_id, text=BLANK),
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
