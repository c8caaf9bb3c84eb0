"""The headers every response carries: the API's version and the security headers (NL API Design
Rules, /core/transport/security-headers), and how the OpenAPI document declares them."""

from typing import Any, Final

from aiohttp import web

API_VERSION: Final = "1.1.0"

SECURITY_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Feature-Policy": "'none'",
}
# Not which framework, nor which version, as `Server`.
EVERY_RESPONSE: Final = {**SECURITY_HEADERS, "API-Version": API_VERSION, "Server": "adviesspoor"}


def add_every(response: web.StreamResponse, request_id: str | None) -> None:
    """The headers of every response, and the request's id, onto a response not yet sent (the
    edge middleware does this for every answer; a stream, which starts sending inside its route,
    does it itself)."""
    if response.prepared:
        return
    response.headers.update(EVERY_RESPONSE)
    if request_id is not None:
        response.headers["X-Request-ID"] = request_id


_SECURITY_HEADER_PURPOSES: Final = {
    "Cache-Control": "Niets van het antwoord wordt bewaard.",
    "Content-Security-Policy": "Het antwoord laadt niets en komt in geen frame.",
    "Strict-Transport-Security": "Alleen via HTTPS.",
    "X-Content-Type-Options": "Geen MIME-sniffing.",
    "X-Frame-Options": "Nooit in een frame.",
    "Referrer-Policy": "Geen referrer naar elders.",
    "Feature-Policy": "Geen browserfuncties.",
}

# Every tag is the first segment of its paths; each needs a description here.


def header_components() -> dict[str, Any]:
    """The headers as the OpenAPI document's components declare them."""
    version = {
        "description": "De volledige versie van de API.",
        "required": True,
        "schema": {"type": "string", "const": API_VERSION},
    }
    location = {"description": "Het pad van wat is vastgelegd.", "schema": {"type": "string"}}
    security = {
        name: {
            "description": _SECURITY_HEADER_PURPOSES[name],
            "required": True,
            "schema": {"type": "string", "const": value},
        }
        for name, value in SECURITY_HEADERS.items()
    }
    return {"API-Version": version, "Location": location, **security}
