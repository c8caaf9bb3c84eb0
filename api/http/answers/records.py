"""The answers about the municipality's records: bodies, dossiers, requests and decisions (and a
dossier's overview of its advice)."""

from typing import Annotated

from api.http.answers.common import (
    Municipality,
    OutcomeWord,
    PerUitkomst,
    StatusWord,
    Titles,
    alias,
)
from api.http.fields import Answer, DateText, Moment
from api.http.words import DutchOut
from api.vocabulary import BODY_KINDS


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
