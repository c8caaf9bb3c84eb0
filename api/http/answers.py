"""Every answer of a GET, declared once: read from the view's English record (each field's
`validation_alias`), written under the contract's Dutch name, and published as its schema."""

from typing import Annotated, Any, Final

from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo

from api.http.fields import Answer, Count, DateText, Moment, Position
from api.http.words import DutchOut
from api.vocabulary import (
    ADVICE_STATUSES,
    BODY_KINDS,
    EVENT_TYPES,
    FOLLOW_UP_REASONS,
    OUTCOMES,
    ROLES,
    VERDICTS,
)

OutcomeWord = Annotated[str, DutchOut.of(OUTCOMES)]
StatusWord = Annotated[str, DutchOut.of(ADVICE_STATUSES)]
Titles = Annotated[
    list[str | None], Field(description="De titels, in dezelfde volgorde als de ids ernaast.")
]


def _municipality(_given: object, info: ValidationInfo) -> str:
    context: dict[str, str] = info.context or {}
    return context["municipality"]


# The municipality asked about (validation context), not a field of the view.
Municipality = Annotated[str, BeforeValidator(_municipality), Field("", validate_default=True)]


def alias(english: str, **more: Any) -> Any:
    """A field read from the view's `english` key."""
    return Field(validation_alias=english, **more)


class Adviesorgaan(Answer):
    id: str
    gemeente: Municipality
    naam: str = alias("name")
    soort: Annotated[str, DutchOut.of(BODY_KINDS)] = alias("body_kind")
    reactietermijn_dagen: int = alias("response_term_days", ge=1)
    vastgelegd_op: Moment = alias("created_at")


class Dossier(Answer):
    id: str
    gemeente: Municipality
    titel: str = alias("title")
    kenmerk: str | None = alias("reference")
    portefeuillehouder: str | None = alias("portfolio_holder")
    geopend_op: DateText = alias("opened_on")
    vastgelegd_op: Moment = alias("created_at")


class Adviesaanvraag(Answer):
    id: str
    gemeente: Municipality
    dossier: str = alias("dossier_id")
    dossier_titel: str | None = alias("dossier_title")
    adviesorgaan: str = alias("body_id")
    adviesorgaan_naam: str | None = alias("body_name")
    vraag: str = alias("question")
    aangevraagd_op: DateText = alias("requested_on")
    uiterlijk_op: DateText = alias("due_on")
    adviezen: list[str] = alias("advice_ids")
    advies_titels: Titles = alias("advice_titles")
    tijdig: bool | None = alias(
        "in_time",
        description="Kwam het eerste advies uiterlijk op `uiterlijkOp`? Null zolang er geen "
        "advies is.",
    )
    vastgelegd_op: Moment = alias("created_at")


class Afwijking(Answer):
    advies: str = alias("advice_id")
    advies_titel: str | None = alias("advice_title")
    punt: int = alias("point")
    uitkomst: OutcomeWord = alias("outcome")
    motivering: str = alias("reasons")


class Besluit(Answer):
    id: str
    gemeente: Municipality
    dossier: str = alias("dossier_id")
    dossier_titel: str | None = alias("dossier_title")
    titel: str = alias("title")
    besluitdatum: DateText = alias("decided_on")
    kenmerk: str | None = alias("reference")
    adviezen: list[str] = alias("advice_ids")
    advies_titels: Titles = alias("advice_titles")
    afwijkingen: list[Afwijking] = alias("deviations")
    vastgelegd_op: Moment = alias("created_at")


def _dutch_key(english: str, dutch: str) -> Any:
    return Field(validation_alias=english, serialization_alias=dutch)


class PerUitkomst(Answer):
    """A count per outcome (keys are the outcome words themselves)."""

    model_config = ConfigDict(alias_generator=None)

    openstaand: Count = _dutch_key("pending", "openstaand")
    overgenomen: Count = _dutch_key("followed", "overgenomen")
    deels_overgenomen: Count = _dutch_key("partially_followed", "deels_overgenomen")
    niet_overgenomen: Count = _dutch_key("not_followed", "niet_overgenomen")
    meegenomen: Count = _dutch_key("deferred", "meegenomen")
    kennisgenomen: Count = _dutch_key("noted", "kennisgenomen")


class DossierAdvies(Answer):
    id: str
    titel: str = alias("title")
    adviesorgaan: str = alias("body_id")
    adviesorgaan_naam: str | None = alias("body_name")
    status: StatusWord
    verlopen: bool = alias("overdue")
    uitkomsten: PerUitkomst = alias("outcomes")


class Dossieroverzicht(Dossier):
    adviezen: list[DossierAdvies] = alias("advice")
    besluiten: list[Besluit] = alias("decisions")


class Reactie(Answer):
    uitkomst: OutcomeWord = alias("outcome")
    reactie: str = alias("text")
    motivering: str | None = alias("reasons")
    consequentie: str | None = alias("consequence")
    gegeven_op: DateText = alias("given_on")
    besluit: str | None = alias("decision")
    positie: Position = alias("position")
    vastgelegd_op: Moment = alias("recorded_at")


class Toezegging(Answer):
    id: str
    omschrijving: str = alias("description")
    uiterlijk_op: DateText = alias("due_on")
    nagekomen_op: DateText | None = alias("fulfilled_on")
    toelichting: str | None = alias("note")
    verlopen: bool = alias("overdue")
    vastgelegd_op: Moment = alias("recorded_at")


class Wederwoord(Answer):
    oordeel: Annotated[str, DutchOut.of(VERDICTS)] = alias("verdict")
    tekst: str = alias("text")
    gegeven_op: DateText = alias("given_on")
    vastgelegd_op: Moment = alias("recorded_at")
    positie: Position = alias("position")
    algemeen: Annotated[bool, BeforeValidator(lambda point: point is None)] = alias(
        "point", description="Gegeven zonder punt (voor elk punt)."
    )
    door_secretariaat: bool = alias(
        "on_behalf", description="Door het secretariaat vastgelegd namens het adviesorgaan."
    )


class Punt(Answer):
    nummer: int = alias("number", ge=1)
    tekst: str = alias("text")
    uitkomst: OutcomeWord = alias("outcome")
    reactie: str | None = alias("response")
    motivering: str | None = alias("reasons")
    consequentie: str | None = alias("consequence")
    besluit: str | None = alias("decision")
    beantwoord_op: DateText | None = alias("answered_on")
    verlopen: bool = alias("overdue")
    te_laat_beantwoord: bool = alias("late")
    reacties: list[Reactie] = alias("responses")
    toezeggingen: list[Toezegging] = alias("promises")
    wederwoord: Wederwoord | None = alias("rejoinder")
    wederwoorden: list[Wederwoord] = alias("rejoinders")


class Termijnwijziging(Answer):
    oude_datum: DateText = alias("previous_due_on")
    nieuwe_datum: DateText = alias("new_due_on")
    reden: str = alias("reason")
    ingangsdatum: DateText = alias("effective_on")
    vastgelegd_op: Moment = alias("recorded_at")


class Intrekking(Answer):
    reden: str = alias("reason")
    vastgelegd_op: Moment = alias("recorded_at")


class Advies(Answer):
    id: str
    gemeente: Municipality
    adviesorgaan: str = alias("body_id")
    adviesorgaan_naam: str | None = alias("body_name")
    dossier: str | None = alias("dossier_id")
    dossier_titel: str | None = alias("dossier_title")
    adviesaanvraag: str | None = alias("request_id")
    titel: str = alias("title")
    kenmerk: str | None = alias("reference")
    uitgebracht_op: DateText = alias("submitted_on")
    gevraagd: bool = alias("solicited")
    status: StatusWord
    reactie_uiterlijk_op: DateText = alias("due_on")
    termijnwijzigingen: list[Termijnwijziging] = alias("due_date_moves")
    verlopen: bool = alias("overdue")
    intrekking: Intrekking | None = alias("withdrawal")
    besluiten: list[str] = alias("decisions")
    versie: int = alias("version", ge=1)
    vastgelegd_op: Moment = alias("created_at")
    punten: list[Punt] = alias("points")


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
