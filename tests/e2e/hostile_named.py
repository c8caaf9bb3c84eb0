"""The hostile requests issue 7 names, which every fuzz run sends before the generated ones."""

import json
from typing import Any

from tests.e2e.hostile_values import valid_bodies
from tests.e2e.hostile_wire import Raw, raw_request


def named_cases(ids: dict[str, str], tokens: dict[str, str]) -> list[Raw]:
    """The hostile inputs issue 7 names, sent in every run before the random ones."""
    office, auditor = tokens["secretariaat"], tokens["auditor"]
    advice, body = ids["advies"], ids["adviesorgaan"]
    valid = valid_bodies(ids)
    reacties = f"/adviezen/{advice}/reacties"
    reaction = json.dumps(valid["/adviezen/{advies}/reacties"]).encode()

    def post(path: str, data: bytes, what: str, token: str = office, **more: Any) -> Raw:
        return raw_request("POST", path, token, data=data, what=what, **more)

    def get(target: str, what: str, token: str | None = office, **more: Any) -> Raw:
        return raw_request("GET", "", token, target=f"/api/v1{target}".encode(), what=what, **more)

    def stream(last_seen: bytes) -> Raw:
        extra = ((b"Last-Event-ID", last_seen),)
        return get(
            "/gebeurtenissen/stroom", f"Last-Event-ID {last_seen[:9]!r}", auditor, extra=extra
        )

    def with_field(path: str, name: str, value: Any) -> bytes:
        return json.dumps({**valid[path], name: value}).encode()

    return [
        post(
            "/adviezen",
            with_field("/adviezen", "adviesorgaan", body + "\n"),
            "id met \\n in de inhoud",
        ),
        post(
            "/besluiten",
            with_field("/besluiten", "adviezen", [advice + "\n"]),
            "id met \\n in een lijst",
        ),
        get(f"/statistieken?adviesorgaan={body}%0A", "id met \\n in de query"),
        get(f"/volglijst?adviesorgaan={body}%0A", "id met \\n in de query"),
        stream("²".encode()),
        stream(b"9" * 5000),
        stream(b"9" * 23),
        get("/gebeurtenissen?vanaf=%C2%B2", "vanaf=²", auditor),
        get("/gebeurtenissen?vanaf=" + "9" * 23, "vanaf van 23 cijfers", auditor),
        post(reacties, b'{"punt": 2, ' + reaction[1:], "punt dubbel, als ruwe bytes"),
        post(reacties, reaction.replace(b'"Nee."', b'"\\ud800"'), "losse surrogaat"),
        post(
            reacties,
            reaction.replace(b'"punt": 1', b'"punt": 1' + b"0" * 400),
            "getal van 401 cijfers",
        ),
        post(reacties, reaction.replace(b'"punt": 1', b'"punt": 1e400'), "1e400"),
        post(reacties, reaction.replace(b'"punt": 1', b'"punt": 1.0'), "1.0 als geheel getal"),
        post(reacties, reaction.replace(b'"punt": 1', b'"punt": "1"'), "tekst als geheel getal"),
        post(f"/adviezen/{advice.upper()}/reacties", reaction, "id in hoofdletters"),
        post(f"/adviezen/{advice.replace('-', '')}/reacties", reaction, "id zonder streepjes"),
        post(f"/adviezen/urn:uuid:{advice}/reacties", reaction, "urn:uuid:-id"),
        get(f"/adviezen/{advice}%0A", "pad-id met \\n"),
        raw_request(
            "POST",
            reacties,
            None,
            data=reaction,
            what="kale CR in Authorization",
            extra=((b"Authorization", b"Bearer " + office.encode() + b"\r"),),
        ),
        raw_request(
            "GET",
            "/adviezen",
            None,
            what="Authorization met een regel van 9.000 bytes",
            extra=((b"Authorization", b"Bearer " + office.encode() + b" " + b"a" * 9000),),
        ),
        get("/adviezen", "een kopregel van 9.000 bytes", extra=((b"X-Opvulling", b"a" * 9000),)),
        get(
            "/adviezen",
            "Authorization met \\xff",
            None,
            extra=((b"Authorization", b"Bearer " + office.encode() + b"\xff"),),
        ),
    ]
