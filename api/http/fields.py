"""The field types of the contract's models (texts, ids, dates, numbers), each with its rule and
its JSON Schema, and the base classes of request and answer models."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

BASE_PATH: Final = "/api/v1"
# Matched whole: pydantic-core's (Rust) `$` is the end of the text, as in JSON Schema (ECMA-262),
# so a trailing newline never passes. One spelling per record: lower case, with dashes.
ID_PATTERN: Final = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
CANONICAL_ID: Final = re.compile(ID_PATTERN.strip("^$"))
# Texts carry no control characters (ESC and the like would reach a terminal or a page): one-line
# texts none at all, long texts only tab, line feed and carriage return (a form's line ends).
ONE_LINE: Final = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
MULTI_LINE: Final = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
# The largest whole number a query parameter can carry (18 digits).
LARGEST_QUERY_INTEGER: Final = 10**18 - 1

Id = Annotated[
    str, StringConstraints(pattern=ID_PATTERN), Field(json_schema_extra={"format": "uuid"})
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=ONE_LINE)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=ONE_LINE)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=20000, pattern=MULTI_LINE)]
PointNumber = Annotated[int, Field(ge=1, le=10000)]
Year = Annotated[int, Field(ge=1900, le=2999)]
Position = Annotated[int, Field(ge=1, description="Positie in de log.")]
Count = Annotated[int, Field(ge=0)]
Moment = Annotated[
    str,
    Field(
        json_schema_extra={
            "format": "date-time",
            "description": "RFC 3339 in UTC met microseconden, eindigend op Z.",
            "examples": ["2026-11-23T20:40:02.123456Z"],
        }
    ),
]
DateText = Annotated[str, Field(json_schema_extra={"format": "date"})]

T = TypeVar("T")
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: object) -> date:
    """A date written YYYY-MM-DD, nothing else (pydantic's own parser also reads `0` as 1970)."""
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "Input should be a valid date")
    try:
        if _ISO_DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise PydanticCustomError("date_parsing", "Input should be a date as YYYY-MM-DD")


Date = Annotated[
    date,
    PlainValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-03-02"]}),
]


def _not_null(value: object) -> object:
    if value is None:
        raise PydanticCustomError("null_refused", "leave the field out instead of null")
    return value


# A field that may be left out, but is never null (the schema shows only the value's type).
Omittable = Annotated[T | None, AfterValidator(_not_null)]


def moment(value: datetime | str) -> str:
    """RFC 3339 in UTC with microseconds and `Z`: `2026-11-23T20:40:02.000000Z`, never rounded."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Request(BaseModel):
    """A request body or query string: strict JSON types, every field named as the contract does
    (camelCase), nothing unknown."""

    model_config = ConfigDict(
        strict=True, extra="forbid", alias_generator=to_camel, frozen=True, populate_by_name=True
    )


class Answer(BaseModel):
    """An answer: built from a view's English record (`validation_alias`), written out under the
    contract's Dutch names."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        json_schema_serialization_defaults_required=True,
    )


class RequestSchema(GenerateJsonSchema):
    """JSON Schema of requests: no titles, and an omittable field shows only its value's type
    (null is refused, see `Omittable`)."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def field_title_should_be_set(self, schema: Any) -> bool:  # noqa: ARG002 - always no
        return False

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        found = super().default_schema(schema)
        if found.get("default", 0) is None:
            found.pop("default")
        return found


class AnswerSchema(GenerateJsonSchema):
    """JSON Schema of answers: no titles, no defaults (every field is always there)."""

    def field_title_should_be_set(self, schema: Any) -> bool:  # noqa: ARG002 - always no
        return False

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        found = super().default_schema(schema)
        found.pop("default", None)
        return found


@dataclass(frozen=True)
class Named:
    """A JSON Schema not declared by a model, with its name in the OpenAPI document."""

    name: str
    schema: dict[str, Any]
