"""Lists and views as CSV for Excel in a Dutch locale: UTF-8 with BOM, `;` between fields,
decimal commas, a header row of the JSON field names (nested objects as `perUitkomst.overgenomen`,
lists as JSON text)."""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from aiohttp import web

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


def columns(schema: Mapping[str, Any]) -> list[str]:
    """The header of an item schema: its fields, nested objects' fields after a dot."""
    names: list[str] = []
    for key, field in schema.get("properties", {}).items():
        nested = field.get("properties") if field.get("type") == "object" else None
        if nested:
            names.extend(f"{key}.{inner}" for inner in nested)
        else:
            names.append(key)
    return names


def response(header: list[str], items: Iterable[Mapping[str, Any]]) -> web.Response:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for item in items:
        writer.writerow([_cell(_value(item, name)) for name in header])
    return web.Response(
        body=("\ufeff" + out.getvalue()).encode(),
        headers={"Content-Type": "text/csv; charset=utf-8"},
    )
