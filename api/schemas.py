"""JSON Schemas of the requests, their validation with Dutch reasons, and the wire formats."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

# jsonschema ships no type information (no py.typed); it is used through the typed functions here.
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

from api.problems import InvalidParam, invalid
from api.vocabulary import BODY_KINDS, OUTCOMES, VERDICTS
from events import Outcome

Schema = Mapping[str, Any]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_INTEGER = re.compile(r"^-?\d{1,18}$")
# The largest whole number a query parameter can carry (18 digits, as _INTEGER reads them): the
# maximum of an integer query parameter that has no smaller one.
LARGEST_QUERY_INTEGER: Final = 10**18 - 1
WHOLE_BODY: Final = "inhoud"  # the `name` of an invalid param that is the whole request body


@dataclass(frozen=True)
class NamedSchema:
    """A schema with its name in the OpenAPI document (`components/schemas/<name>`)."""

    name: str
    schema: Schema


def moment(value: datetime | str) -> str:
    """RFC 3339 in UTC with microseconds and `Z`: `2026-11-23T20:40:02.000000Z`, never rounded."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


FORMATS: Final = FormatChecker(formats=())


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE.match(value)) and bool(date.fromisoformat(value))


def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(_UUID.match(value))


FORMATS.checks("date", raises=ValueError)(_is_date)
FORMATS.checks("uuid")(_is_uuid)


def text(max_length: int = 2000) -> Schema:
    return {"type": "string", "minLength": 1, "maxLength": max_length}


def words(choices: tuple[str, ...]) -> Schema:
    return {"type": "string", "enum": list(choices)}


DATE: Final[Schema] = {"type": "string", "format": "date", "examples": ["2026-03-02"]}
ID: Final[Schema] = {"type": "string", "format": "uuid"}
POINT: Final[Schema] = {"type": "integer", "minimum": 1, "maximum": 10000}
LONG_TEXT: Final = text(20000)


# `openstaand` is derived, never recorded: a reactie names one of the other outcomes.
RECORDABLE_OUTCOMES: Final = tuple(
    OUTCOMES.dutch(outcome) for outcome in Outcome if outcome is not Outcome.PENDING
)


def obj(required: Mapping[str, Schema], optional: Mapping[str, Schema] | None = None) -> Schema:
    """An object with exactly these fields: anything else is an unknown field, hence invalid."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }


def named(name: str, schema: Schema) -> NamedSchema:
    Draft202012Validator.check_schema(schema)
    return NamedSchema(name, schema)


REGISTER_BODY = named(
    "NieuwAdviesorgaan",
    obj(
        {
            "naam": text(300),
            "soort": {
                **words(BODY_KINDS.choices),
                "description": "Soort adviesorgaan (`clientenraad`: een cliëntenraad).",
            },
        },
        {"reactietermijnDagen": {"type": "integer", "minimum": 1, "maximum": 366, "default": 42}},
    ),
)
OPEN_DOSSIER = named(
    "NieuwDossier",
    obj(
        {"titel": text(300), "geopendOp": DATE},
        {"kenmerk": text(100), "portefeuillehouder": text(300)},
    ),
)
REQUEST_ADVICE = named(
    "NieuweAdviesaanvraag",
    obj(
        {
            "dossier": ID,
            "adviesorgaan": ID,
            "vraag": LONG_TEXT,
            "aangevraagdOp": DATE,
            "uiterlijkOp": DATE,
        }
    ),
)
SUBMIT_ADVICE = named(
    "NieuwAdvies",
    obj(
        {
            "adviesorgaan": ID,
            "titel": text(300),
            "uitgebrachtOp": DATE,
            "gevraagd": {"type": "boolean"},
            "punten": {
                "type": "array",
                "minItems": 1,
                "maxItems": 1000,
                "items": obj({"tekst": LONG_TEXT}),
            },
        },
        {"dossier": ID, "adviesaanvraag": ID, "kenmerk": text(100)},
    ),
)
RECORD_RESPONSE = named(
    "NieuweReactie",
    obj(
        {
            "punt": POINT,
            "uitkomst": words(RECORDABLE_OUTCOMES),
            "reactie": LONG_TEXT,
            "gegevenOp": DATE,
        },
        {"motivering": LONG_TEXT, "consequentie": LONG_TEXT, "besluit": text(300)},
    ),
)
PROMISE = named(
    "NieuweToezegging",
    obj({"punt": POINT, "omschrijving": LONG_TEXT, "uiterlijkOp": DATE}),
)
FULFIL = named("NieuweNakoming", obj({"nagekomenOp": DATE, "toelichting": LONG_TEXT}))
REJOINDER = named(
    "NieuwWederwoord",
    obj(
        {"oordeel": words(VERDICTS.choices), "tekst": LONG_TEXT},
        {
            "punt": POINT,
            "gegevenOp": {
                **DATE,
                "description": "Wanneer het adviesorgaan het wederwoord gaf (standaard vandaag).",
            },
        },
    ),
)
MOVE_DUE_DATE = named(
    "NieuweTermijnwijziging",
    obj(
        {"nieuweDatum": DATE, "reden": LONG_TEXT},
        {
            "ingangsdatum": {
                **DATE,
                "description": "Vanaf deze datum geldt de nieuwe datum (standaard vandaag).",
            }
        },
    ),
)
# A deviation answers its point: not followed (the default) or partially followed.
DEVIATION_OUTCOMES: Final = (
    OUTCOMES.dutch(Outcome.NOT_FOLLOWED),
    OUTCOMES.dutch(Outcome.PARTIALLY_FOLLOWED),
)
WITHDRAW = named("NieuweIntrekking", obj({"reden": LONG_TEXT}))
TAKE_DECISION = named(
    "NieuwBesluit",
    obj(
        {
            "dossier": ID,
            "titel": text(300),
            "besluitdatum": DATE,
            "adviezen": {"type": "array", "maxItems": 1000, "items": ID},
        },
        {
            "kenmerk": text(100),
            "afwijkingen": {
                "type": "array",
                "maxItems": 10000,
                "items": obj(
                    {"advies": ID, "punt": POINT, "motivering": LONG_TEXT},
                    {"uitkomst": {**words(DEVIATION_OUTCOMES), "default": DEVIATION_OUTCOMES[0]}},
                ),
            },
        },
    ),
)

_TYPES: Final = {
    "string": "tekst",
    "integer": "een geheel getal",
    "number": "een getal",
    "boolean": "true of false",
    "array": "een lijst",
    "object": "een object",
}


def _reason(error: Any) -> str:
    kind, value = error.validator, error.validator_value
    if kind == "type":
        return f"Verwacht {_TYPES.get(value, value)}."
    if kind == "enum":
        return "Kies uit: " + ", ".join(str(v) for v in value) + "."
    if kind == "format":
        if value == "date":
            return "Geen geldige datum; gebruik JJJJ-MM-DD."
        return "Geen geldige id (UUID)."
    messages = {
        "minLength": "Mag niet leeg zijn." if value == 1 else f"Minstens {value} tekens.",
        "maxLength": f"Hoogstens {value} tekens.",
        "minItems": f"Geef er minstens {value}.",
        "maxItems": f"Geef er hoogstens {value}.",
        "minimum": f"Minstens {value}.",
        "maximum": f"Hoogstens {value}.",
    }
    return messages.get(kind, "Ongeldige waarde.")


def _params(error: Any, unknown: str) -> list[InvalidParam]:
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        known = set(error.instance)
        return [
            InvalidParam("/".join([*path, name]), "Dit veld is verplicht.")
            for name in error.validator_value
            if name not in known
        ]
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        return [
            InvalidParam("/".join([*path, name]), unknown)
            for name in error.instance
            if name not in allowed
        ]
    return [InvalidParam("/".join(path), _reason(error))]


def check(schema: Schema, instance: object, unknown: str = "Onbekend veld.") -> None:
    """Every violation of `schema` at once as one 400 problem; nothing when `instance` fits."""
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.path])
    found: list[InvalidParam] = []
    for error in errors:
        for param in _params(error, unknown):
            found.append(param if param.name else InvalidParam(WHOLE_BODY, param.reason))
    if found:
        unique = list(dict.fromkeys(found))
        raise invalid(unique)


def parse_query(
    spec: Mapping[str, Schema], query: Mapping[str, str], keys: list[str]
) -> dict[str, Any]:
    """Query keys typed by their schemas and checked; unknown or repeated keys are invalid."""
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise invalid([InvalidParam(key, "Geef deze parameter één keer.") for key in repeated])
    values: dict[str, Any] = {}
    for key, raw in query.items():
        kind = spec.get(key, {}).get("type")
        values[key] = int(raw) if kind == "integer" and _INTEGER.match(raw) else raw
    if values:  # nothing to check in an empty query string (most reads)
        whole = {"type": "object", "properties": dict(spec), "additionalProperties": False}
        check(whole, values, unknown="Onbekende parameter.")
    for key, schema in spec.items():
        if key not in values and "default" in schema:
            values[key] = schema["default"]
    return values


# Responses ----------------------------------------------------------------------------------

MOMENT: Final[Schema] = {
    "type": "string",
    "format": "date-time",
    "description": "RFC 3339 in UTC met microseconden, eindigend op Z.",
    "examples": ["2026-11-23T20:40:02.123456Z"],
}
POSITION: Final[Schema] = {"type": "integer", "minimum": 1, "description": "Positie in de log."}


def created(name: str, request: NamedSchema) -> NamedSchema:
    """A new record as answered: its id and log position, and the fields it was given."""
    properties = {**request.schema["properties"], "id": ID, "positie": POSITION}
    properties["vastgelegdOp"] = MOMENT
    return named(
        name,
        {
            "type": "object",
            "required": ["id", "positie", "vastgelegdOp", *request.schema["required"]],
            "properties": properties,
        },
    )


def recorded(
    name: str, request: NamedSchema, extra: Mapping[str, Schema] | None = None
) -> NamedSchema:
    """A fact recorded about an advice: the fields given, its log position, the new version."""
    properties = {
        **request.schema["properties"],
        **(extra or {}),
        "advies": ID,
        "positie": POSITION,
        "vastgelegdOp": MOMENT,
        "versie": {"type": "integer", "minimum": 1, "description": "Voor If-Match."},
    }
    required = ["advies", "positie", "vastgelegdOp", "versie", *(extra or {})]
    return named(
        name,
        {
            "type": "object",
            "required": [*required, *request.schema["required"]],
            "properties": properties,
        },
    )
