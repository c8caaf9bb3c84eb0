"""JSON Schemas of what the GET operations answer, published in the OpenAPI document."""

from collections.abc import Mapping
from typing import Final

from api.schemas import DATE, ID, MOMENT, POSITION, NamedSchema, Schema, named
from api.vocabulary import ADVICE_STATUSES, BODY_KINDS, FOLLOW_UP_REASONS, OUTCOMES, VERDICTS

TEXT: Final[Schema] = {"type": "string"}
MAYBE_TEXT: Final[Schema] = {"type": ["string", "null"]}
MAYBE_DATE: Final[Schema] = {"type": ["string", "null"], "format": "date"}
COUNT: Final[Schema] = {"type": "integer", "minimum": 0}
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
        "adviesorgaan": ID,
        "vraag": TEXT,
        "aangevraagdOp": DATE,
        "uiterlijkOp": DATE,
        "vastgelegdOp": MOMENT,
    }
)
DECISION: Final = record(
    {
        "id": ID,
        "gemeente": TEXT,
        "dossier": ID,
        "titel": TEXT,
        "besluitdatum": DATE,
        "kenmerk": MAYBE_TEXT,
        "adviezen": {"type": "array", "items": ID},
        "afwijkingen": {
            "type": "array",
            "items": record({"advies": ID, "punt": {"type": "integer"}, "motivering": TEXT}),
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
_REJOINDER: Final = {
    "type": ["object", "null"],
    "required": ["oordeel", "tekst", "vastgelegdOp"],
    "properties": {
        "oordeel": {"type": "string", "enum": list(VERDICTS.choices)},
        "tekst": TEXT,
        "vastgelegdOp": MOMENT,
    },
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
        "reacties": {"type": "array", "items": _RESPONSE},
        "toezeggingen": {"type": "array", "items": _PROMISE},
        "wederwoord": _REJOINDER,
    }
)
ADVICE: Final = record(
    {
        "id": ID,
        "gemeente": TEXT,
        "adviesorgaan": ID,
        "dossier": {"type": ["string", "null"], "format": "uuid"},
        "adviesaanvraag": {"type": ["string", "null"], "format": "uuid"},
        "titel": TEXT,
        "kenmerk": MAYBE_TEXT,
        "uitgebrachtOp": DATE,
        "gevraagd": {"type": "boolean"},
        "status": STATUS,
        "reactieUiterlijkOp": DATE,
        "termijnwijzigingen": {
            "type": "array",
            "items": record(
                {"vorigeDatum": DATE, "nieuweDatum": DATE, "reden": TEXT, "vastgelegdOp": MOMENT}
            ),
        },
        "verlopen": {"type": "boolean"},
        "intrekking": {
            "type": ["object", "null"],
            "required": ["reden", "vastgelegdOp"],
            "properties": {"reden": TEXT, "vastgelegdOp": MOMENT},
        },
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
                        "punt": {"type": "integer", "minimum": 1},
                        "titel": TEXT,
                        "tekst": TEXT,
                        "uitkomst": OUTCOME,
                        "reden": {"type": "string", "enum": list(FOLLOW_UP_REASONS.values())},
                        "reactieUiterlijkOp": DATE,
                    }
                ),
            }
        }
    ),
)
STATISTICS: Final = named(
    "Statistieken",
    record(
        {
            "punten": COUNT,
            "perUitkomst": record({word: COUNT for word in OUTCOMES.choices}),
            "verlopen": COUNT,
            "opvolgingsgraad": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "medianeReactietijdDagen": {"type": ["number", "null"]},
        }
    ),
)
HISTORY: Final = named(
    "Historie",
    record(
        {
            "gebeurtenissen": {
                "type": "array",
                "items": record(
                    {
                        "positie": POSITION,
                        "type": TEXT,
                        "vastgelegdOp": MOMENT,
                        "actor": record({"naam": TEXT, "rol": TEXT, "verzoekId": TEXT}),
                        "gegevens": {"type": "object"},
                    }
                ),
            }
        }
    ),
)
