"""Decoding a request into its model: every invalid field at once, each with a Dutch reason from
one table of pydantic's error types; a JSON object with a key twice; query strings, strictly."""

import contextlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, Final, TypeVar

import orjson
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from api.http.fields import ID_PATTERN, Request, RequestSchema
from api.http.problems import InvalidParam, invalid

M = TypeVar("M", bound=Request)
WHOLE_BODY: Final = "inhoud"  # the `name` of an invalid param that is the whole request body
UNKNOWN_FIELD: Final = "Onbekend veld."
UNKNOWN_PARAMETER: Final = "Onbekende parameter."
_DATE: Final = "Geen geldige datum; gebruik JJJJ-MM-DD."
_OBJECT: Final = "Verwacht een object."
# Query integers are ASCII digits, whole: no sign but `-`, no spaces, no `_`, no `1.0`.
_INTEGER: Final = re.compile(r"-?[0-9]{1,18}")


def _choices(ctx: Mapping[str, Any]) -> str:
    return "Kies uit: " + ", ".join(re.findall(r"'([^']*)'", str(ctx["expected"]))) + "."


def _pattern(ctx: Mapping[str, Any]) -> str:
    if ctx["pattern"] == ID_PATTERN:
        return "Geen geldige id: een UUID in kleine letters met streepjes."
    if ctx["pattern"].startswith("^\\d{4}"):
        return "Geen moment: gebruik RFC 3339 in UTC, eindigend op Z."
    return "Bevat een stuurteken (zoals ESC, of een regeleinde in een korte tekst)."


def _too_short(ctx: Mapping[str, Any]) -> str:
    return (
        "Mag niet leeg zijn." if ctx["min_length"] == 1 else f"Minstens {ctx['min_length']} tekens."
    )


# pydantic's error `type` → the Dutch reason (with the error's `ctx`).
REASONS: Final[Mapping[str, Callable[[Mapping[str, Any]], str]]] = {
    "missing": lambda _: "Dit veld is verplicht.",
    "string_type": lambda _: "Verwacht tekst.",
    "int_type": lambda _: "Verwacht een geheel getal.",
    "bool_type": lambda _: "Verwacht true of false.",
    "list_type": lambda _: "Verwacht een lijst.",
    "model_type": lambda _: _OBJECT,
    "model_attributes_type": lambda _: _OBJECT,
    "dict_type": lambda _: _OBJECT,
    "date_type": lambda _: _DATE,
    "date_parsing": lambda _: _DATE,
    "date_from_datetime_parsing": lambda _: _DATE,
    "date_from_datetime_inexact": lambda _: _DATE,
    "literal_error": _choices,
    "string_pattern_mismatch": _pattern,
    "string_too_short": _too_short,
    "string_too_long": lambda ctx: f"Hoogstens {ctx['max_length']} tekens.",
    "too_short": lambda ctx: f"Geef er minstens {ctx['min_length']}.",
    "too_long": lambda ctx: f"Geef er hoogstens {ctx['max_length']}.",
    "greater_than_equal": lambda ctx: f"Minstens {ctx['ge']}.",
    "less_than_equal": lambda ctx: f"Hoogstens {ctx['le']}.",
    "null_refused": lambda _: "Laat dit veld weg in plaats van null te geven.",
    "json_invalid": lambda ctx: f"Geen geldige JSON ({ctx['error']}).",
}


def params(error: ValidationError, unknown: str = UNKNOWN_FIELD) -> list[InvalidParam]:
    """Every error as an invalid param, named by its JSON pointer (no leading slash)."""
    found = [_param(detail, unknown) for detail in error.errors(include_url=False)]
    found.sort(key=lambda p: p.name.split("/"))
    return list(dict.fromkeys(found))


def _param(detail: ErrorDetails, unknown: str) -> InvalidParam:
    name = "/".join(str(part) for part in detail["loc"]) or WHOLE_BODY
    kind = detail["type"]
    if kind == "extra_forbidden":
        return InvalidParam(name, unknown)
    reason = REASONS.get(kind)
    return InvalidParam(name, reason(detail.get("ctx", {})) if reason else "Ongeldige waarde.")


class _Duplicates(list[str]):
    """The keys found twice in one object (pydantic-core, like most parsers, keeps the last)."""

    def hook(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen and key not in self:
                self.append(key)
            seen.add(key)
        return dict(pairs)


def decode(raw: bytes, model: type[M]) -> tuple[M, Any]:
    """The body as its model, and as plain JSON (what an Idempotency-Key's hash is taken of):
    400 for broken JSON, for a key given twice in one object, and for every invalid field."""
    try:
        decoded: M | None = model.model_validate_json(raw, strict=True)
        failure = None
    except ValidationError as error:
        decoded, failure = None, error
        first = error.errors(include_url=False)[0]
        if first["type"] == "json_invalid":
            raise invalid(params(error)) from None
    found = _Duplicates()
    document: Any = None
    with contextlib.suppress(ValueError):  # pydantic read it; the standard parser may be stricter
        document = json.loads(raw, object_pairs_hook=found.hook)
    if found:
        reason = "Dit veld staat twee keer in het object; geef elk veld één keer."
        raise invalid([InvalidParam(name, reason) for name in found])
    if failure is not None:
        raise invalid(params(failure)) from None
    assert decoded is not None
    return decoded, document


def query_of(model: type[M], items: Sequence[tuple[str, str]], empty: M | None) -> M:
    """A query string as its model: a key given twice, an unknown key, a value of the wrong kind
    (integers are ASCII digits, whole) and a missing required key are each 400; no query at all
    is `empty` (None for a model with required keys)."""
    if not items and empty is not None:
        return empty
    keys = [key for key, _ in items]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise invalid([InvalidParam(key, "Geef deze parameter één keer.") for key in repeated])
    integers = _integer_fields(model)
    values: dict[str, Any] = {
        key: int(raw) if key in integers and _INTEGER.fullmatch(raw) else raw for key, raw in items
    }
    try:
        return model.model_validate_json(orjson.dumps(values), strict=True)
    except ValidationError as error:
        raise invalid(params(error, UNKNOWN_PARAMETER)) from None


@cache
def _integer_fields(model: type[Request]) -> frozenset[str]:
    """The query keys the model takes as integers (as its published schema says)."""
    schema = model.model_json_schema(schema_generator=RequestSchema)
    return frozenset(
        name for name, field in schema["properties"].items() if field.get("type") == "integer"
    )
