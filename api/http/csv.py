"""Lists and views as CSV for Excel in a Dutch locale: UTF-8 with BOM, `;` between fields,
decimal commas, a header row of the JSON field names (nested objects as `perUitkomst.overgenomen`,
lists as JSON text)."""

import csv
import io
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import orjson
from aiohttp import web
from pydantic import BaseModel

from api.http.fields import AnswerSchema

MEDIA_TYPE = "text/csv"


def wanted(accept: str | None) -> bool:
    """Does the caller prefer CSV (listed before JSON, or without it) in its Accept header?"""
    if not accept:
        return False
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if MEDIA_TYPE not in types:
        return False
    json_at = types.index("application/json") if "application/json" in types else len(types)
    return types.index(MEDIA_TYPE) < json_at


def _value(item: Mapping[str, Any], name: str) -> Any:
    outer, _, inner = name.partition(".")
    value = item.get(outer)
    return value.get(inner) if inner and isinstance(value, Mapping) else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return str(value)


@cache
def columns(model: type[BaseModel]) -> list[str]:
    """The header of an item model: its fields, a nested object's fields after a dot (one that
    may be null, a list or a free-form object is one column)."""
    schema = model.model_json_schema(
        mode="serialization", by_alias=True, schema_generator=AnswerSchema
    )
    defs = schema.get("$defs", {})
    names: list[str] = []
    for key, field in schema["properties"].items():
        ref = field.get("$ref")
        if ref is None:
            names.append(key)
            continue
        nested = defs[ref.rpartition("/")[2]]["properties"]
        names.extend(f"{key}.{inner}" for inner in nested)
    return names


def response(model: type[BaseModel], items: Iterable[BaseModel]) -> web.Response:
    """Every item, all pages at once, one row each under the model's header."""
    header = columns(model)
    rows = (item.model_dump(by_alias=True, mode="json") for item in items)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(_value(row, name)) for name in header])
    return web.Response(
        body=("\ufeff" + out.getvalue()).encode(),
        headers={"Content-Type": "text/csv; charset=utf-8"},
    )
