"""JSON Schemas of the requests, their validation with Dutch reasons, and the wire formats."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Final

# jsonschema ships no type information (no py.typed); it is used through the typed functions here.
from jsonschema import (  # type: ignore[import-untyped]
    Draft202012Validator,
    FormatChecker,
    validators,
)
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

from api.http.problems import InvalidParam, invalid
from api.vocabulary import BODY_KINDS, OUTCOMES, VERDICTS
from events import Outcome

Schema = Mapping[str, Any]

# Matched whole (`fullmatch`), in ASCII digits: `$` lets a trailing newline through, and `\d`
# would take other scripts' digits.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UUID = re.compile(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}")
_INTEGER = re.compile(r"-?[0-9]{1,18}")
# The largest whole number a query parameter can carry (18 digits, as _INTEGER reads them): the
# maximum of an integer query parameter that has no smaller one.
LARGEST_QUERY_INTEGER: Final = 10**18 - 1
BASE_PATH: Final = "/api/v1"
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
    return bool(_DATE.fullmatch(value)) and bool(date.fromisoformat(value))


def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(_UUID.fullmatch(value))


FORMATS.checks("date", raises=ValueError)(_is_date)
FORMATS.checks("uuid")(_is_uuid)


# Texts carry no control characters (ESC and the like would reach a terminal or a page): one-line
# texts none at all, long texts only tab, line feed and carriage return (a form's line ends).
ONE_LINE: Final = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
MULTI_LINE: Final = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def text(max_length: int = 2000, *, lines: bool = False) -> Schema:
    pattern = MULTI_LINE if lines else ONE_LINE
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": pattern}


def words(choices: tuple[str, ...]) -> Schema:
    return {"type": "string", "enum": list(choices)}


DATE: Final[Schema] = {"type": "string", "format": "date", "examples": ["2026-03-02"]}
ID: Final[Schema] = {"type": "string", "format": "uuid"}
POINT: Final[Schema] = {"type": "integer", "minimum": 1, "maximum": 10000}
LONG_TEXT: Final = text(20000, lines=True)


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


def _strict_integer(_checker: Any, instance: object) -> bool:
    """Only a JSON integer is an integer: not `1.0`, not `true`."""
    return isinstance(instance, int) and not isinstance(instance, bool)


def _ecma_pattern(_validator: Any, pattern: str, instance: object, _schema: Any) -> Any:
    """`pattern` as JSON Schema means it (ECMA-262): `$` is the end of the text. Python's `$` also
    matches before a final newline, which would let `"abc\\n"` through a one-line pattern."""
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.compile(pattern)


StrictValidator = validators.extend(
    Draft202012Validator,
    validators={"pattern": _ecma_pattern},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer),
)


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
    if kind == "pattern":
        return "Bevat een stuurteken (zoals ESC, of een regeleinde in een korte tekst)."
    if kind == "enum":
        return "Kies uit: " + ", ".join(str(v) for v in value) + "."
    if kind == "format":
        if value == "date":
            return "Geen geldige datum; gebruik JJJJ-MM-DD."
        return "Geen geldige id: een UUID in kleine letters met streepjes."
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
    validator = StrictValidator(schema, format_checker=FORMATS)
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
        values[key] = int(raw) if kind == "integer" and _INTEGER.fullmatch(raw) else raw
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


ADVICE_AS_STORED: Final[Mapping[str, Schema]] = {
    "versie": {"type": "integer", "minimum": 1, "description": "Voor If-Match."},
}


def _as_stored(request: NamedSchema) -> dict[str, Any]:
    """A request's fields as an answer shows them: stored values, so an optional field that was
    not given is null, and nested objects carry what the ledger added (a point's `nummer`)."""

    def opened(schema: Any) -> Any:
        if isinstance(schema, Mapping):
            return {k: opened(v) for k, v in schema.items() if k not in ("additionalProperties",)}
        if isinstance(schema, list):
            return [opened(v) for v in schema]
        return schema

    required = set(request.schema["required"])
    return {
        name: opened(schema) if name in required else {"anyOf": [opened(schema), {"type": "null"}]}
        for name, schema in request.schema["properties"].items()
    }


def created(
    name: str, request: NamedSchema, extra: Mapping[str, Schema] | None = None
) -> NamedSchema:
    """A new record as answered: its id and log position, and its fields as stored."""
    properties = {
        **_as_stored(request),
        **(extra or {}),
        "id": ID,
        "gemeente": {"type": "string"},
        "positie": POSITION,
        "vastgelegdOp": MOMENT,
    }
    return named(
        name,
        {
            "type": "object",
            "required": ["id", "gemeente", "positie", "vastgelegdOp", *request.schema["required"]],
            "properties": properties,
        },
    )


def recorded(
    name: str, request: NamedSchema, extra: Mapping[str, Schema] | None = None
) -> NamedSchema:
    """A fact recorded about an advice: its fields as stored, its log position, the new version."""
    properties = {
        **_as_stored(request),
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
