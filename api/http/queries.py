"""The query string of every GET, declared once: its Dutch keys, their rules and defaults (which
give the OpenAPI parameters and the 400s)."""

from typing import Annotated, Final, Literal

from pydantic import Field, StringConstraints

from api.http.fields import LARGEST_QUERY_INTEGER, Date, Id, Omittable, Request, Year
from api.http.words import DutchIn
from api.vocabulary import ADVICE_STATUSES, EVENT_TYPES, OUTCOMES
from events import Outcome
from projections.records import AdviceStatus

MOMENT_PATTERN: Final = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"
MomentQuery = Annotated[
    str,
    StringConstraints(pattern=MOMENT_PATTERN),
    Field(
        description="Tijdreizen: de stand zoals vastgelegd tot en met dit moment (RFC 3339, Z).",
        json_schema_extra={"format": "date-time", "examples": ["2026-11-23T20:40:02.123456Z"]},
    ),
]
Search = Annotated[
    str,
    StringConstraints(min_length=1, max_length=500),
    Field(
        description="Zoeken in het Nederlands (woordvormen: `mantelzorger` vindt `mantelzorgers`) "
        "in de tekst, reactie en motivering van een punt en de titel van het advies."
    ),
]
Overdue = Annotated[
    Literal["true", "false"], Field(description="Alleen wat (niet) verlopen is op de peildatum.")
]
OutcomeWord = Annotated[Outcome, DutchIn(OUTCOMES)]
StatusWord = Annotated[AdviceStatus, DutchIn(ADVICE_STATUSES)]
EventType = Annotated[str, DutchIn(EVENT_TYPES), Field(description="Alleen dit soort gebeurtenis.")]


class NoQuery(Request):
    """A route that takes no query parameters: any key is unknown."""


class ReadQuery(Request):
    """What every GET takes: the business date and time travel."""

    peildatum: Omittable[Date] = Field(
        None, description="Peildatum voor termijnen (standaard vandaag, Europe/Amsterdam)."
    )
    vastgelegd_tot: Omittable[MomentQuery] = None


class PagedQuery(ReadQuery):
    pagina: int = Field(1, ge=1, le=1_000_000, description="Welke pagina, vanaf 1.")
    pagina_grootte: int = Field(50, ge=1, le=100, description="Hoeveel items per pagina.")


class PointFilters(PagedQuery):
    adviesorgaan: Omittable[Id] = Field(None, description="Alleen de punten van dit adviesorgaan.")
    dossier: Omittable[Id] = Field(
        None, description="Alleen de punten van adviezen in dit dossier."
    )
    uitkomst: Omittable[OutcomeWord] = Field(
        None, description="Alleen de punten met deze uitkomst."
    )
    jaar: Omittable[Year] = Field(
        None, description="Alleen de punten van adviezen uitgebracht in dit jaar."
    )
    verlopen: Omittable[Overdue] = None
    zoek: Omittable[Search] = None


class AdviceFilters(PagedQuery):
    adviesorgaan: Omittable[Id] = Field(
        None, description="Alleen de adviezen van dit adviesorgaan."
    )
    dossier: Omittable[Id] = Field(None, description="Alleen de adviezen in dit dossier.")
    status: Omittable[StatusWord] = Field(None, description="Alleen de adviezen met deze status.")
    verlopen: Omittable[Overdue] = None
    uitkomst: Omittable[OutcomeWord] = Field(
        None, description="Alleen de adviezen met minstens één punt met deze uitkomst."
    )
    jaar: Omittable[Year] = Field(None, description="Alleen de adviezen uitgebracht in dit jaar.")
    zoek: Omittable[Search] = Field(
        None,
        description="Alleen de adviezen met een punt dat dit vindt. Zoeken in het Nederlands "
        "(woordvormen: `mantelzorger` vindt `mantelzorgers`) in de tekst, reactie en motivering "
        "van een punt en de titel van het advies.",
    )


class BoardQuery(ReadQuery):
    adviesorgaan: Omittable[Id] = Field(
        None,
        description="Alleen dit adviesorgaan; een lid krijgt standaard het eigen adviesorgaan.",
    )


class StatisticsQuery(ReadQuery):
    adviesorgaan: Omittable[Id] = Field(
        None, description="Alleen de adviezen van dit adviesorgaan."
    )
    jaar: Omittable[Year] = Field(None, description="Alleen de adviezen uitgebracht in dit jaar.")


class TableQuery(ReadQuery):
    jaar_van: Omittable[Year] = Field(None, description="Vanaf dit jaar (inclusief).")
    jaar_tot: Omittable[Year] = Field(None, description="Tot en met dit jaar.")


class EventsQuery(ReadQuery):
    vanaf: int = Field(
        1, ge=1, le=LARGEST_QUERY_INTEGER, description="De eerste positie (inclusief)."
    )
    limiet: int = Field(100, ge=1, le=1000, description="Hoeveel gebeurtenissen hoogstens.")
    type: Omittable[EventType] = Field(None, description="Alleen dit soort gebeurtenis.")


class StreamQuery(Request):
    vanaf: Omittable[Annotated[int, Field(ge=1, le=LARGEST_QUERY_INTEGER)]] = Field(
        None,
        description="Begin bij deze positie (inclusief); zonder: na Last-Event-ID, of bij wat "
        "hierna komt.",
    )
