"""Problem details (RFC 9457) in Dutch: the body of every 4xx and 5xx response, and the ledger's
errors translated to them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import orjson
from aiohttp import web

from ledger import (
    ConflictError,
    ForbiddenError,
    LedgerError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)

PROBLEM_JSON: Final = "application/problem+json"

# status → (last part of the `type` URI, Dutch `title`)
_KINDS: Final[Mapping[int, tuple[str, str]]] = {
    400: ("ongeldige-invoer", "Ongeldige invoer"),
    401: ("niet-aangemeld", "Niet aangemeld"),
    403: ("geen-toegang", "Geen toegang"),
    404: ("niet-gevonden", "Niet gevonden"),
    405: ("methode-niet-toegestaan", "Methode niet toegestaan"),
    409: ("conflict", "Conflict"),
    412: ("versie-gewijzigd", "Voorwaarde niet vervuld"),
    413: ("verzoek-te-groot", "Verzoek te groot"),
    415: ("mediatype-niet-ondersteund", "Mediatype niet ondersteund"),
    500: ("interne-fout", "Interne fout"),
    503: ("tijdelijk-niet-beschikbaar", "Tijdelijk niet beschikbaar"),
}
TYPE_PREFIX: Final = "urn:adviesspoor:probleem:"

# The one translation of the ledger's field names (command terms, English) to the API's (Dutch).
# A key is one path segment; where a request model uses a word differently it says so in its
# `LEDGER_FIELDS` (`points/0/text` → `punten/0/tekst`, but a reactie's `text` is the `reactie`).
API_FIELDS: Final[Mapping[str, str]] = {
    "advice_id": "advies",
    "advice_ids": "adviezen",
    "body_id": "adviesorgaan",
    "consequence": "consequentie",
    "decided_on": "besluitdatum",
    "decision": "besluit",
    "description": "omschrijving",
    "deviations": "afwijkingen",
    "dossier_id": "dossier",
    "due_on": "uiterlijkOp",
    "effective_on": "ingangsdatum",
    "fulfilled_on": "nagekomenOp",
    "given_on": "gegevenOp",
    "kind": "soort",
    "name": "naam",
    "new_due_on": "nieuweDatum",
    "note": "toelichting",
    "opened_on": "geopendOp",
    "outcome": "uitkomst",
    "point": "punt",
    "points": "punten",
    "portfolio_holder": "portefeuillehouder",
    "promise_id": "toezegging",
    "question": "vraag",
    "reason": "reden",
    "reasons": "motivering",
    "reference": "kenmerk",
    "request_id": "adviesaanvraag",
    "requested_on": "aangevraagdOp",
    "response_term_days": "reactietermijnDagen",
    "solicited": "gevraagd",
    "submitted_on": "uitgebrachtOp",
    "text": "tekst",
    "title": "titel",
    "verdict": "oordeel",
}


def api_field(path: str, own: Mapping[str, str]) -> str:
    """`advice_ids/2/points/3` → `adviezen/2/punten/3`; `own` words first."""
    return "/".join(own.get(s) or API_FIELDS.get(s, s) for s in path.split("/"))


@dataclass(frozen=True)
class InvalidParam:
    """One offending input: a JSON pointer without its leading slash, or a parameter name."""

    name: str
    reason: str


class ProblemError(Exception):
    """A refusal at the edge, raised anywhere in a request and answered as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        invalid_params: Sequence[InvalidParam] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.invalid_params = tuple(invalid_params)
        self.headers = dict(headers or {})

    def response(self) -> web.Response:
        slug, title = _KINDS.get(self.status, ("fout", "Fout"))
        body: dict[str, object] = {
            "type": TYPE_PREFIX + slug,
            "title": title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.invalid_params:
            body["invalidParams"] = [
                {"name": item.name, "reason": item.reason} for item in self.invalid_params
            ]
        return web.Response(
            status=self.status,
            body=orjson.dumps(_without_surrogates(body)),
            content_type=PROBLEM_JSON,
            headers=self.headers,
        )


def _without_surrogates(value: object) -> object:
    """A parameter name quoted from a request aiohttp could not decode as UTF-8 carries lone
    surrogates, which JSON cannot hold: they become U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if not value.isascii() else value
    if isinstance(value, dict):
        return {key: _without_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    return value


def invalid(params: Sequence[InvalidParam], detail: str | None = None) -> ProblemError:
    """400 with every offending field listed (NL API rule /core/error-handling/all-errors)."""
    if detail is None:
        detail = "Het verzoek bevat ongeldige invoer; zie invalidParams."
    return ProblemError(400, detail, params)


def from_ledger(error: LedgerError, own: Mapping[str, str] | None = None) -> ProblemError:
    """The ledger's refusal as the HTTP answer; its Dutch sentence becomes the detail. `own`: the
    request's own words for ledger fields."""
    if isinstance(error, ValidationError):
        params = [InvalidParam(api_field(i.field, own or {}), i.reason) for i in error.invalid]
        return invalid(params, error.message)
    status = 500
    if isinstance(error, NotFoundError):
        status = 404
    elif isinstance(error, ConflictError):
        status = 409
    elif isinstance(error, ForbiddenError):
        status = 403
    elif isinstance(error, PreconditionFailedError):
        status = 412
    return ProblemError(status, error.message)


def from_http(error: web.HTTPException) -> ProblemError:
    """aiohttp's own refusals (no route, wrong method, body too large) in the same shape."""
    details = {
        404: "Deze URL bestaat niet.",
        405: "Deze methode is hier niet toegestaan.",
        413: "Het verzoek is te groot; de inhoud mag hoogstens 1 MiB zijn.",
    }
    detail = details.get(error.status, error.reason)
    headers = {"Allow": error.headers["Allow"]} if "Allow" in error.headers else None
    return ProblemError(error.status, detail, headers=headers)
