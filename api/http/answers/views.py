"""The answers of the views across records: the follow-up board, the points, the statistics,
and an advice's history and the municipality's log."""

from typing import Annotated, Any, Final

from api.http.answers.common import OutcomeWord, PerUitkomst, alias
from api.http.fields import Answer, Count, DateText, Moment, Position
from api.http.words import DutchOut
from api.vocabulary import EVENT_TYPES, FOLLOW_UP_REASONS, ROLES


class ToezeggingKort(Answer):
    id: str
    omschrijving: str = alias("description")
    uiterlijk_op: DateText = alias("due_on")


class VolglijstItem(Answer):
    advies: str = alias("advice_id")
    advies_titel: str = alias("advice_title")
    adviesorgaan: str = alias("body_id")
    adviesorgaan_naam: str | None = alias("body_name")
    punt: int = alias("point", ge=1)
    titel: str = alias("title")
    tekst: str = alias("text")
    uitkomst: OutcomeWord = alias("outcome")
    motivering: str | None = alias("reasons")
    reden: Annotated[str, DutchOut.of(FOLLOW_UP_REASONS)] = alias("reason")
    reactie_uiterlijk_op: DateText = alias("due_on")
    toezegging: ToezeggingKort | None = alias("promise")


class PuntItem(Answer):
    advies: str = alias("advice_id")
    advies_titel: str = alias("advice_title")
    adviesorgaan: str = alias("body_id")
    adviesorgaan_naam: str | None = alias("body_name")
    nummer: int = alias("number", ge=1)
    tekst: str = alias("text")
    uitkomst: OutcomeWord = alias("outcome")
    reactie: str | None = alias("response")
    motivering: str | None = alias("reasons")
    besluit: str | None = alias("decision")
    beantwoord_op: DateText | None = alias("answered_on")
    reactie_uiterlijk_op: DateText = alias("due_on")
    verlopen: bool = alias("overdue")


class _Figures(Answer):
    punten: Count = alias("points")
    per_uitkomst: PerUitkomst = alias("per_outcome")
    verlopen: Count = alias("overdue")
    te_laat_beantwoord: Count = alias("late")
    opvolgingsgraad: float | None = alias("follow_rate", ge=0, le=1)
    mediane_reactietijd_dagen: int | float | None = alias(
        "median_response_days", description="Hoogstens één decimaal: 45, nooit 45.0; 44.5 kan."
    )
    toezeggingen_open: Count = alias("promises_open")
    toezeggingen_verlopen: Count = alias("promises_overdue")


class Statistieken(_Figures):
    pass


class _RowOf(Answer):
    adviesorgaan: str = alias("body_id")
    adviesorgaan_naam: str = alias("body_name")
    jaar: int = alias("year")


class Statistiekrij(_Figures, _RowOf):
    pass


class Actor(Answer):
    naam: str | None = alias("actor", default=None)
    rol: Annotated[str, DutchOut.of(ROLES)] | None = alias("role", default=None)
    verzoek_id: str | None = alias("request_id", default=None)


class HistorieItem(Answer):
    positie: Position = alias("position")
    type: Annotated[str, DutchOut.of(EVENT_TYPES)]
    vastgelegd_op: Moment = alias("recorded_at")
    actor: Actor
    gegevens: dict[str, Any] = alias(
        "data", description="Met dezelfde veldnamen en waarden als de POST die het vastlegde."
    )


class Gebeurtenis(HistorieItem):
    id: str
    versie: int = alias("version")


# Server-sent events show the other roles what changed, without the stored data.
SUMMARY_FIELDS: Final = frozenset({"positie", "type", "vastgelegd_op", "id", "versie"})
