"""The story the rebuild and first catch-up tests tell (two advices whose events interleave), and
everything the views then hold, to compare one way of building them with another.

Our packages are imported inside the functions, as in conftest, so typeguard can check them."""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson

if TYPE_CHECKING:
    from ledger import Actor, AdviceLedger
    from projections import ReadModel


def tell(
    ledger: "AdviceLedger",
    office: "Actor",
    member: "Actor",
    dossier_id: UUID,
    advice_id: UUID,
    submitted_on: date,
) -> list[UUID]:
    """Two advices whose events interleave, answers that replace answers, a decision that
    deviates, a rejoinder: every view table gets rows, and each advice spans many positions."""
    from events import Deviation, Outcome, Verdict

    assert member.body_id is not None
    second = ledger.submit_advice(
        office,
        body_id=member.body_id,
        title="Tweede advies over mantelzorgers",
        submitted_on=submitted_on,
        solicited=False,
        points=["Ondersteun mantelzorgers.", "Verkort de wachttijd."],
        dossier_id=dossier_id,
    ).id
    given = submitted_on + timedelta(days=2)
    for n, (advice, point, outcome) in enumerate(
        [
            (advice_id, 1, Outcome.FOLLOWED),
            (second, 1, Outcome.DEFERRED),
            (advice_id, 2, Outcome.NOT_FOLLOWED),
            (second, 2, Outcome.FOLLOWED),
            (advice_id, 1, Outcome.PARTIALLY_FOLLOWED),
            (second, 1, Outcome.NOT_FOLLOWED),
        ]
    ):
        ledger.record_response(
            office,
            advice_id=advice,
            point=point,
            outcome=outcome,
            text=f"Antwoord {n} over de brochure.",
            given_on=given,
            reasons=None if outcome is Outcome.FOLLOWED else "Te duur voor de begroting.",
        )
    ledger.give_rejoinder(
        member, advice_id=advice_id, verdict=Verdict.NOT_SATISFIED, text="Jammer.", point=2
    )
    ledger.take_decision(
        office,
        dossier_id=dossier_id,
        title="Besluit",
        decided_on=submitted_on + timedelta(days=3),
        advice_ids=[advice_id, second],
        deviations=[Deviation(advice_id, 3, "Anders besloten vanwege de wachttijden.")],
    )
    return [advice_id, second]


def rows(model: "ReadModel", text: str) -> list[tuple[Any, ...]]:
    return sorted(model.store.query(text), key=repr)


def views_of(model: "ReadModel", ids: list[str], today: date) -> dict[str, Any]:
    """Everything the views hold, table by table (documents decoded), and what reads answer."""
    return {
        "position": model.position(),
        "docs": sorted(
            (i, k, p, b, orjson.loads(d))
            for i, k, p, b, d in model.store.query(
                "SELECT id, kind, position, body_id, doc FROM {docs}"
            )
        ),
        "points": rows(model, "SELECT doc_id, advice_id, point, text FROM {points}"),
        "listed": rows(model, "SELECT * FROM {listed}"),
        "answers": rows(model, "SELECT * FROM {answers}"),
        "search": [
            sorted(model.search(q))
            for q in ("brochure", "mantelzorger", "wachttijden", "duur", "herzien", "antwoord 4")
        ],
        "advice": [model.advice(i, today) for i in ids],
        "history": [model.history(i) for i in ids],
    }
