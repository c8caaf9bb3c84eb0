"""JSON Schemas of what the GET operations answer, published in the OpenAPI document."""

from collections.abc import Mapping
from typing import Final

from api.http.schemas import DATE, ID, MOMENT, POSITION, NamedSchema, Schema, named
from api.vocabulary import (
    ADVICE_STATUSES,
    BODY_KINDS,
    EVENT_TYPES,
    FOLLOW_UP_REASONS,
    OUTCOMES,
    VERDICTS,
)

TEXT: Final[Schema] = {"type": "string"}
MAYBE_TEXT: Final[Schema] = {"type": ["string", "null"]}
MAYBE_DATE: Final[Schema] = {"type": ["string", "null"], "format": "date"}
COUNT: Final[Schema] = {"type": "integer", "minimum": 0}
MAYBE_ID: Final[Schema] = {"type": ["string", "null"], "format": "uuid"}
IDS: Final[Schema] = {"type": "array", "items": ID}
TITLES: Final[Schema] = {
    "type": "array",
    "items": MAYBE_TEXT,
    "description": "De titels, in dezelfde volgorde als de ids ernaast.",
}
OUTCOME: Final[Schema] = {"type": "string", "enum": list(OUTCOMES.choices)}
STATUS: Final[Schema] = {"type": "string", "enum": list(ADVICE_STATUSES.values())}
MOMENT_QUERY: Final[Schema] = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$",
    "description": "Tijdreizen: de stand zoals vastgelegd tot en met dit moment (RFC 3339, Z).",
    "examples": ["2026-11-23T20:40:02.123456Z"],
}
AS_OF_QUERY: Final[Schema] = {
    **DATE,
    "description": "Peildatum voor termijnen (standaard vandaag, Europe/Amsterdam).",
}
READ_QUERY: Final[Mapping[str, Schema]] = {"peildatum": AS_OF_QUERY, "vastgelegdTot": MOMENT_QUERY}
PAGE_QUERY: Final[Mapping[str, Schema]] = {
    "pagina": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000000,
        "default": 1,
        "description": "Welke pagina, vanaf 1.",
    },
    "paginaGrootte": {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 50,
        "description": "Hoeveel items per pagina.",
    },
}


def record(required: Mapping[str, Schema]) -> Schema:
    return {"type": "object", "required": list(required), "properties": dict(required)}


def page_of(name: str, key: str, item: Schema) -> NamedSchema:
    return named(
        name,
        record(
            {
                key: {"type": "array", "items": item},
                "totaal": COUNT,
                "volgende": {
                    "type": ["string", "null"],
                    "description": "Pad van de volgende pagina.",
                },
            }
        ),
    )


BODY: Final = record(
    {
        "id": ID,
        "gemeente": TEXT,
        "naam": TEXT,
        "soort": {"type": "string", "enum": list(BODY_KINDS.choices)},
        "reactietermijnDagen": {"type": "integer", "minimum": 1},
        "vastgelegdOp": MOMENT,
    }
)
DOSSIER_FIELDS: Final[Mapping[str, Schema]] = {
    "id": ID,
    "gemeente": TEXT,
    "titel": TEXT,
    "kenmerk": MAYBE_TEXT,
    "portefeuillehouder": MAYBE_TEXT,
    "geopendOp": DATE,
    "vastgelegdOp": MOMENT,
}
DOSSIER: Final = record(DOSSIER_FIELDS)
REQUEST: Final = record(
    {
        "id": ID,
        "gemeente": TEXT,
        "dossier": ID,
        "dossierTitel": MAYBE_TEXT,
        "adviesorgaan": ID,
        "adviesorgaanNaam": MAYBE_TEXT,
        "vraag": TEXT,
        "aangevraagdOp": DATE,
        "uiterlijkOp": DATE,
        "adviezen": IDS,
        "adviesTitels": TITLES,
        "tijdig": {
            "type": ["boolean", "null"],
            "description": "Kwam het eerste advies uiterlijk op `uiterlijkOp`? Null zolang er "
            "geen advies is.",
        },
        "vastgelegdOp": MOMENT,
    }
)
DECISION: Final = record(
    {
        "id": ID,
        "gemeente": TEXT,
        "dossier": ID,
        "dossierTitel": MAYBE_TEXT,
        "titel": TEXT,
        "besluitdatum": DATE,
        "kenmerk": MAYBE_TEXT,
        "adviezen": IDS,
        "adviesTitels": TITLES,
        "afwijkingen": {
            "type": "array",
            "items": record(
                {
                    "advies": ID,
                    "adviesTitel": MAYBE_TEXT,
                    "punt": {"type": "integer"},
                    "uitkomst": OUTCOME,
                    "motivering": TEXT,
                }
            ),
        },
        "vastgelegdOp": MOMENT,
    }
)
DOSSIER_OVERVIEW: Final = record(
    {
        **DOSSIER_FIELDS,
        "adviezen": {
            "type": "array",
            "items": record(
                {
                    "id": ID,
                    "titel": TEXT,
                    "adviesorgaan": ID,
                    "adviesorgaanNaam": MAYBE_TEXT,
                    "status": STATUS,
                    "verlopen": {"type": "boolean"},
                    "uitkomsten": record({word: COUNT for word in OUTCOMES.choices}),
                }
            ),
        },
        "besluiten": {"type": "array", "items": DECISION},
    }
)
_RESPONSE: Final = record(
    {
        "uitkomst": OUTCOME,
        "reactie": TEXT,
        "motivering": MAYBE_TEXT,
        "consequentie": MAYBE_TEXT,
        "gegevenOp": DATE,
        "besluit": MAYBE_TEXT,
        "positie": POSITION,
        "vastgelegdOp": MOMENT,
    }
)
_PROMISE: Final = record(
    {
        "id": ID,
        "omschrijving": TEXT,
        "uiterlijkOp": DATE,
        "nagekomenOp": MAYBE_DATE,
        "toelichting": MAYBE_TEXT,
        "verlopen": {"type": "boolean"},
        "vastgelegdOp": MOMENT,
    }
)
_REJOINDER_FIELDS: Final[Mapping[str, Schema]] = {
    "oordeel": {"type": "string", "enum": list(VERDICTS.choices)},
    "tekst": TEXT,
    "gegevenOp": DATE,
    "vastgelegdOp": MOMENT,
    "positie": POSITION,
    "algemeen": {"type": "boolean", "description": "Gegeven zonder punt (voor elk punt)."},
    "doorSecretariaat": {
        "type": "boolean",
        "description": "Door het secretariaat vastgelegd namens het adviesorgaan.",
    },
}
_REJOINDER: Final = {
    "type": ["object", "null"],
    "required": list(_REJOINDER_FIELDS),
    "properties": dict(_REJOINDER_FIELDS),
}
_POINT: Final = record(
    {
        "nummer": {"type": "integer", "minimum": 1},
        "tekst": TEXT,
        "uitkomst": OUTCOME,
        "reactie": MAYBE_TEXT,
        "motivering": MAYBE_TEXT,
        "consequentie": MAYBE_TEXT,
        "besluit": MAYBE_TEXT,
        "beantwoordOp": MAYBE_DATE,
        "verlopen": {"type": "boolean"},
        "teLaatBeantwoord": {"type": "boolean"},
        "reacties": {"type": "array", "items": _RESPONSE},
        "toezeggingen": {"type": "array", "items": _PROMISE},
        "wederwoord": _REJOINDER,
        "wederwoorden": {"type": "array", "items": record(_REJOINDER_FIELDS)},
    }
)
ADVICE: Final = record(
    {
        "id": ID,
        "gemeente": TEXT,
        "adviesorgaan": ID,
        "adviesorgaanNaam": MAYBE_TEXT,
        "dossier": MAYBE_ID,
        "dossierTitel": MAYBE_TEXT,
        "adviesaanvraag": MAYBE_ID,
        "titel": TEXT,
        "kenmerk": MAYBE_TEXT,
        "uitgebrachtOp": DATE,
        "gevraagd": {"type": "boolean"},
        "status": STATUS,
        "reactieUiterlijkOp": DATE,
        "termijnwijzigingen": {
            "type": "array",
            "items": record(
                {
                    "oudeDatum": DATE,
                    "nieuweDatum": DATE,
                    "reden": TEXT,
                    "ingangsdatum": DATE,
                    "vastgelegdOp": MOMENT,
                }
            ),
        },
        "verlopen": {"type": "boolean"},
        "intrekking": {
            "type": ["object", "null"],
            "required": ["reden", "vastgelegdOp"],
            "properties": {"reden": TEXT, "vastgelegdOp": MOMENT},
        },
        "besluiten": IDS,
        "versie": {"type": "integer", "minimum": 1},
        "vastgelegdOp": MOMENT,
        "punten": {"type": "array", "items": _POINT},
    }
)
FOLLOW_UP: Final = named(
    "Volglijst",
    record(
        {
            "items": {
                "type": "array",
                "items": record(
                    {
                        "advies": ID,
                        "adviesTitel": TEXT,
                        "adviesorgaan": ID,
                        "adviesorgaanNaam": MAYBE_TEXT,
                        "punt": {"type": "integer", "minimum": 1},
                        "titel": TEXT,
                        "tekst": TEXT,
                        "uitkomst": OUTCOME,
                        "motivering": MAYBE_TEXT,
                        "reden": {"type": "string", "enum": list(FOLLOW_UP_REASONS.values())},
                        "reactieUiterlijkOp": DATE,
                        "toezegging": {
                            "type": ["object", "null"],
                            "required": ["id", "omschrijving", "uiterlijkOp"],
                            "properties": {"id": ID, "omschrijving": TEXT, "uiterlijkOp": DATE},
                        },
                    }
                ),
            }
        }
    ),
)
POINT_ITEM: Final = record(
    {
        "advies": ID,
        "adviesTitel": TEXT,
        "adviesorgaan": ID,
        "adviesorgaanNaam": MAYBE_TEXT,
        "nummer": {"type": "integer", "minimum": 1},
        "tekst": TEXT,
        "uitkomst": OUTCOME,
        "reactie": MAYBE_TEXT,
        "motivering": MAYBE_TEXT,
        "besluit": MAYBE_TEXT,
        "beantwoordOp": MAYBE_DATE,
        "reactieUiterlijkOp": DATE,
        "verlopen": {"type": "boolean"},
    }
)
_FIGURES: Final[Mapping[str, Schema]] = {
    "punten": COUNT,
    "perUitkomst": record({word: COUNT for word in OUTCOMES.choices}),
    "verlopen": COUNT,
    "teLaatBeantwoord": COUNT,
    "opvolgingsgraad": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
    "medianeReactietijdDagen": {
        "type": ["number", "null"],
        "description": "Hoogstens één decimaal: 45, nooit 45.0; 44.5 kan.",
    },
    "toezeggingenOpen": COUNT,
    "toezeggingenVerlopen": COUNT,
}
STATISTICS: Final = named("Statistieken", record(_FIGURES))
STATISTICS_TABLE: Final = named(
    "Statistiekentabel",
    record(
        {
            "rijen": {
                "type": "array",
                "items": record(
                    {
                        "adviesorgaan": ID,
                        "adviesorgaanNaam": TEXT,
                        "jaar": {"type": "integer"},
                        **_FIGURES,
                    }
                ),
            }
        }
    ),
)
_EVENT_TYPE: Final[Schema] = {"type": "string", "enum": list(EVENT_TYPES.values())}
EVENT_ITEM: Final[Mapping[str, Schema]] = {
    "positie": POSITION,
    "type": _EVENT_TYPE,
    "vastgelegdOp": MOMENT,
    "actor": record({"naam": MAYBE_TEXT, "rol": MAYBE_TEXT, "verzoekId": MAYBE_TEXT}),
    "gegevens": {
        "type": "object",
        "description": "Met dezelfde veldnamen en waarden als de POST die het vastlegde.",
    },
}
HISTORY: Final = named(
    "Historie",
    record({"gebeurtenissen": {"type": "array", "items": record(EVENT_ITEM)}}),
)
EVENTS: Final = named(
    "Gebeurtenissen",
    record(
        {
            "gebeurtenissen": {
                "type": "array",
                "items": record({**EVENT_ITEM, "id": ID, "versie": {"type": "integer"}}),
            },
            "volgende": {"type": ["string", "null"], "description": "Pad van de volgende reeks."},
        }
    ),
)
EVENT_TYPE_QUERY: Final[Schema] = {**_EVENT_TYPE, "description": "Alleen dit soort gebeurtenis."}
