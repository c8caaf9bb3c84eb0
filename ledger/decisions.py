"""The college decision aggregate: Awb 3:49 (mention the advice) and 3:50 (motivate deviation)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from events import DecisionTaken, Deviation, Meta, Outcome
from events.base import is_blank
from ledger.advice import Advice
from ledger.dossiers import Dossier
from ledger.errors import Refusals
from ledger.rules import check_not_future, check_text

DEVIATION_OUTCOMES = (Outcome.NOT_FOLLOWED, Outcome.PARTIALLY_FOLLOWED)


@dataclass(frozen=True)
class ListedAdvice:
    """An advice id as the decision lists it, the advice if this municipality has it, and the
    points earlier decisions' deviations already answered."""

    advice_id: UUID
    advice: Advice | None
    decided: frozenset[int] = frozenset()


@dataclass(frozen=True)
class DossierAdvice:
    """An advice recorded on the decision's dossier (Awb 3:49: the decision must list it)."""

    advice_id: UUID
    title: str
    withdrawn: bool


class Decision(Aggregate):
    """A formal decision on a dossier that considered the listed advice."""

    if TYPE_CHECKING:  # set by apply(); not constructor arguments of the library
        dossier_id: UUID

    @classmethod
    def take(
        cls,
        meta: Meta,
        *,
        dossier: Dossier,
        title: str,
        decided_on: date,
        listed: Sequence[ListedAdvice],
        on_dossier: Sequence[DossierAdvice],
        reference: str | None,
        deviations: Sequence[Deviation],
        today: date,
        id: UUID | None,
    ) -> "Decision":
        refusals = Refusals()
        check_text(refusals, "title", title, "De titel")
        check_not_future(refusals, "decided_on", decided_on, today)
        _check_listed(refusals, dossier, listed)
        _check_complete(refusals, listed, on_dossier)
        _check_deviations(refusals, dossier, listed, deviations)
        refusals.raise_if_any()
        return cls._create(
            DecisionTaken,
            id=id,
            meta=meta,
            dossier_id=dossier.id,
            title=title.strip(),
            decided_on=decided_on,
            reference=reference,
            advice_ids=tuple(item.advice_id for item in listed),
            deviations=tuple(
                Deviation(d.advice_id, d.point, d.reasons.strip(), d.outcome) for d in deviations
            ),
        )

    def apply(self, event: Any) -> None:
        if isinstance(event, DecisionTaken):
            self.dossier_id = event.dossier_id


def _check_listed(refusals: Refusals, dossier: Dossier, listed: Sequence[ListedAdvice]) -> None:
    """Awb 3:49: only advice of this municipality, on this dossier or on none, each once."""
    seen: set[UUID] = set()
    for index, item in enumerate(listed):
        if item.advice is None:
            refusals.add(f"advice_ids/{index}", "Dit advies is in deze gemeente onbekend.")
        elif item.advice_id in seen:
            refusals.add(f"advice_ids/{index}", "Dit advies staat er twee keer in.")
        elif item.advice.dossier_id not in (None, dossier.id):
            refusals.add(f"advice_ids/{index}", "Dit advies hoort bij een ander dossier.")
        seen.add(item.advice_id)


def _check_complete(
    refusals: Refusals, listed: Sequence[ListedAdvice], on_dossier: Sequence[DossierAdvice]
) -> None:
    """Awb 3:49: every advice given on the dossier (and not withdrawn) is mentioned."""
    named = {item.advice_id for item in listed}
    missing = [a for a in on_dossier if not a.withdrawn and a.advice_id not in named]
    if missing:
        which = "; ".join(f"‘{a.title}’ ({a.advice_id})" for a in missing)
        refusals.add(
            "advice_ids",
            f"Het besluit noemt niet elk advies over dit dossier (Awb 3:49); het mist: {which}.",
        )


def _check_deviations(
    refusals: Refusals,
    dossier: Dossier,
    listed: Sequence[ListedAdvice],
    deviations: Sequence[Deviation],
) -> None:
    """Every point still pending must be covered by a deviation with reasons (Awb 3:50)."""
    motivated = {(d.advice_id, d.point) for d in deviations if not is_blank(d.reasons)}
    for index, deviation in enumerate(deviations):
        check_text(refusals, f"deviations/{index}/reasons", deviation.reasons, "De motivering")
        if deviation.outcome not in DEVIATION_OUTCOMES:
            refusals.add(
                f"deviations/{index}/outcome",
                "Een afwijking is ‘niet overgenomen’ of ‘deels overgenomen’.",
            )
        advice = next((i.advice for i in listed if i.advice_id == deviation.advice_id), None)
        if advice is None:
            refusals.add(f"deviations/{index}/advice_id", "Dit advies staat niet in het besluit.")
        elif not 1 <= deviation.point <= len(advice.points):
            refusals.add(
                f"deviations/{index}/point", f"Het advies heeft geen punt {deviation.point}."
            )
    for index, item in enumerate(listed):
        if item.advice is None or item.advice.withdrawn:
            continue
        if item.advice.dossier_id not in (None, dossier.id):
            continue  # refused as advice of another dossier already
        for number in item.advice.pending_points(item.decided):
            if (item.advice_id, number) not in motivated:
                refusals.add(
                    f"advice_ids/{index}/points/{number}",
                    f"Punt {number} van dit advies is nog niet beantwoord; "
                    "motiveer de afwijking (Awb 3:50).",
                )
