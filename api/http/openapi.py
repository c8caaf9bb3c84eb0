"""The OpenAPI 3.1 document, built from the route table the server runs on, so that it describes
exactly what the server does: every route is an operation, its schemas are the ones it checks.
Served, with the guide, by documentation.py."""

import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from api.http.auth import TOKEN_ROLES
from api.http.fields import BASE_PATH, AnswerSchema, Named, RequestSchema
from api.http.headers import API_VERSION, SECURITY_HEADERS, header_components
from api.http.idempotency import HEADER as IDEMPOTENCY_HEADER
from api.http.idempotency import MAX_KEY_LENGTH
from api.http.pipeline import Route
from api.http.problems import PROBLEM_JSON
from api.vocabulary import ROLES

_PATH_PARAMETER: Final = re.compile(r"\{([^}]+)\}")
CSV_SCHEMA: Final = {
    "type": "string",
    "description": "Met `Accept: text/csv`: UTF-8 met BOM, gescheiden door `;`, een kopregel met "
    "dezelfde veldnamen (geneste velden als `perUitkomst.overgenomen`), alle pagina's tegelijk.",
}

# NL API Design Rules, /core/transport/security-headers: on every response, errors included.
# Documented on every response too, so a client (and schemathesis) can check them.
TAGS: Final = {
    "adviesaanvragen": "Adviesaanvragen aan een adviesorgaan, binnen een dossier.",
    "adviesorganen": "Adviesraden, cliëntenraden, organisaties, inwoners en bijeenkomsten die "
    "adviseren.",
    "adviezen": "Adviezen met hun punten, en wat er per punt mee gebeurt: reacties, "
    "toezeggingen, wederwoorden, termijnwijzigingen en intrekking.",
    "besluiten": "Besluiten die adviezen noemen en afwijkingen motiveren (Awb 3:49 en 3:50).",
    "bewijzen": "Opname- en consistentiebewijzen van de Merkle-boom over de log (RFC 9162).",
    "controlepunten": "Ondertekende controlepunten van de log, om te publiceren en te controleren.",
    "documentatie": "Dit OpenAPI-document.",
    "dossiers": "Dossiers waarin adviezen en besluiten samenkomen.",
    "gebeurtenissen": "De log van de gemeente: elke vastgelegde gebeurtenis, in volgorde.",
    "punten": "Elk adviespunt met zijn uitkomst: te filteren en in het Nederlands te doorzoeken.",
    "statistieken": "Uitkomsten geteld, per adviesorgaan en/of jaar, en de tabel voor het "
    "jaarverslag.",
    "volglijst": "Wat er nog gevolgd moet worden, per adviesorgaan of voor de hele gemeente.",
}
_PATH_PARAMETERS: Final = {
    "id": "De id van het record (een UUID); een id die niet bestaat (in deze gemeente) geeft 404.",
    "toezeggingId": "De id van de toezegging (een UUID).",
}

_ERRORS: Final = {
    400: ("OngeldigeInvoer", "Ongeldige invoer; `invalidParams` noemt elk veld en waarom."),
    401: ("NietAangemeld", "Geen of een onbekend token (`WWW-Authenticate: Bearer`)."),
    403: ("GeenToegang", "Deze rol (of dit adviesorgaan) mag dit niet."),
    404: ("NietGevonden", "Bestaat niet in de gemeente van het token."),
    409: ("Conflict", "Botst met wat er al is vastgelegd, of met een eerder verzoek."),
    412: ("VersieGewijzigd", "If-Match past niet meer bij de huidige versie."),
    413: ("TeGroot", "De inhoud is groter dan 1 MiB."),
    415: ("GeenJson", "De inhoud is geen JSON (`Content-Type: application/json`)."),
    500: ("InterneFout", "Onverwachte fout aan de kant van de server."),
    503: ("NietBeschikbaar", "De opslag is even niet bereikbaar (`Retry-After`)."),
}

PROBLEM: Final = {
    "type": "object",
    "description": "Probleemdetails volgens RFC 9457.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "reason"],
                "properties": {
                    "name": {"type": "string", "description": "JSON-pointer (zonder / vooraan)"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _parameters(route: Route) -> list[dict[str, Any]]:
    # A path id is opaque: one that is not a UUID names nothing, so it is 404 like any unknown id
    # (not invalid input), and its schema says no more than "a string".
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": _PATH_PARAMETERS[name],
            "schema": {"type": "string", "examples": ["3f2b8c1e-5d4a-4e6b-9c7d-0a1b2c3d4e5f"]},
        }
        for name in _PATH_PARAMETER.findall(route.path)
    ]
    query = route.query.model_json_schema(by_alias=True, schema_generator=RequestSchema)
    parameters += [
        {
            "name": name,
            "in": "query",
            "required": name in query.get("required", ()),
            "description": schema.get("description", ""),
            "schema": {key: value for key, value in schema.items() if key != "description"},
        }
        for name, schema in query["properties"].items()
    ]
    if route.method == "POST":
        parameters.append(_ref("parameters", "IdempotencyKey"))
    if route.if_match:
        parameters.append(_ref("parameters", "IfMatch"))
    return parameters


def _error_statuses(route: Route) -> list[int]:
    statuses = {500, 503, *route.errors}
    if route.roles is not None:
        statuses |= {401, 403}
    if route.method == "POST":
        statuses |= {400, 409, 413, 415}
    if route.query.model_fields:
        statuses.add(400)
    if route.if_match:
        statuses.add(412)
    if _PATH_PARAMETER.search(route.path):
        statuses.add(404)
    return sorted(statuses)


def _name(schema: type[BaseModel] | Named) -> str:
    return schema.name if isinstance(schema, Named) else schema.__name__


def _operation(route: Route) -> dict[str, Any]:
    def use(schema: type[BaseModel] | Named) -> dict[str, str]:
        return _ref("schemas", _name(schema))

    headers = _response_headers()
    if route.status == 201:
        headers["Location"] = _ref("headers", "Location")
    success: dict[str, Any] = {"description": route.summary, "headers": headers}
    if route.response is not None:
        success["content"] = {route.media_type: {"schema": use(route.response)}}
        if route.csv:
            success["content"]["text/csv"] = {"schema": CSV_SCHEMA}
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": _parameters(route),
        "responses": {
            str(route.status): success,
            **{str(s): _ref("responses", _ERRORS[s][0]) for s in _error_statuses(route)},
        },
    }
    roles = route.roles
    if roles is None:
        operation["security"] = []
        access = "Zonder token."
    else:
        access = "Rollen: " + ", ".join(ROLES.dutch(r) for r in TOKEN_ROLES if r in roles) + "."
    operation["description"] = f"{route.description}\n\n{access}".strip()
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": use(route.body)}},
        }
    return operation


def _response_headers() -> dict[str, Any]:
    """What every response carries: `API-Version` and the security headers."""
    return {name: _ref("headers", name) for name in ("API-Version", *SECURITY_HEADERS)}


def _components(schemas: dict[str, Any]) -> dict[str, Any]:
    problem = {PROBLEM_JSON: {"schema": _ref("schemas", "Probleem")}}
    responses = {
        name: {"description": description, "headers": _response_headers(), "content": problem}
        for name, description in _ERRORS.values()
    }
    return {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "headers": header_components(),
        "parameters": {
            "IdempotencyKey": {
                "name": IDEMPOTENCY_HEADER,
                "in": "header",
                "required": False,
                "description": "Herhaalt u het verzoek met dezelfde sleutel en inhoud, dan krijgt "
                "u het eerste antwoord terug en wordt niets opnieuw vastgelegd.",
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
            },
            "IfMatch": {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": 'De versie van het advies waarop u reageert, als "<versie>" (of *).',
                "schema": {"type": "string", "pattern": r'^(\*|"\d{1,18}")$', "examples": ['"3"']},
            },
        },
        "responses": responses,
        "schemas": {"Probleem": PROBLEM, **dict(sorted(schemas.items()))},
    }


def _model_schemas(
    models: Iterable[type[BaseModel]], mode: Any, generator: type[GenerateJsonSchema]
) -> dict[str, Any]:
    """The JSON Schemas of these models and of every model inside them, by class name."""
    _, top = models_json_schema(
        [(model, mode) for model in models],
        by_alias=True,
        ref_template="#/components/schemas/{model}",
        schema_generator=generator,
    )
    found: dict[str, Any] = top.get("$defs", {})
    for schema in found.values():
        schema.pop("title", None)
    return found


def _schemas(routes: Sequence[Route]) -> dict[str, Any]:
    """Every schema the routes name: their request and answer models, and the named ones."""
    bodies = {route.body for route in routes if route.body is not None}
    answers = {r.response for r in routes if isinstance(r.response, type)}
    schemas = _model_schemas(bodies, "validation", RequestSchema)
    for name, schema in [
        *_model_schemas(answers, "serialization", AnswerSchema).items(),
        *((r.response.name, r.response.schema) for r in routes if isinstance(r.response, Named)),
    ]:
        if schemas.setdefault(name, schema) != schema:
            msg = f"Two different schemas are both named {name}"
            raise ValueError(msg)
    return schemas


def build_document(routes: Sequence[Route]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Adviesspoor",
            "version": API_VERSION,
            "description": "Wat er van elk adviespunt terechtkwam: adviezen van adviesorganen, "
            "de reacties van het college per punt, toezeggingen, wederwoorden en besluiten, "
            "vastgelegd als onveranderlijke gebeurtenissen per gemeente.",
            "contact": {
                "name": "Beheer Adviesspoor",
                "email": "beheer@adviesspoor.example",
                "url": "https://adviesspoor.example/contact",
            },
        },
        "servers": [{"url": BASE_PATH, "description": "Deze server"}],
        "security": [{"bearer": []}],
        "tags": [
            {"name": tag, "description": TAGS[tag]}
            for tag in sorted({route.tag for route in routes})
        ],
        "paths": paths,
        "components": _components(_schemas(routes)),
    }
