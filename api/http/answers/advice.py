"""The answer of one advice (`GET /adviezen/{id}`): its points with their responses, promises
and rejoinders, its due-date moves and its withdrawal."""

from typing import Annotated

from pydantic import BeforeValidator

from api.http.answers.common import Municipality, OutcomeWord, StatusWord, alias
from api.http.fields import Answer, DateText, Moment, Position
from api.http.words import DutchOut
from api.vocabulary import VERDICTS


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
