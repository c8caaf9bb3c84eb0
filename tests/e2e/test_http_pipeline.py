"""What every request goes through: tokens, input checks, sizes, content types, headers, errors."""

import io
from typing import Any

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from structlog.testing import capture_logs

from tests.e2e.conftest import Api, invalid_names, problem_of

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def advice_request(api: Api) -> dict[str, Any]:
    return api.advice_body("6f1c1c52-0000-4000-8000-000000000000")


async def test_unknown_and_missing_fields_are_each_named(api: Api) -> None:
    body = {"titel": 7, "geopendOp": "2026-02-30", "onbekend": True, "ookOnbekend": 1}

    response = await api.post("/dossiers", body, api.as_("secretariaat"))

    problem = await problem_of(response, 400)
    assert problem["type"].endswith("ongeldige-invoer")
    params = {item["name"]: item["reason"] for item in problem["invalidParams"]}
    assert set(params) == {"titel", "geopendOp", "onbekend", "ookOnbekend"}
    assert params["onbekend"] == "Onbekend veld."
    assert "JJJJ-MM-DD" in params["geopendOp"]
    assert all(reason.endswith(".") for reason in params.values())


async def test_nested_fields_are_named_by_json_pointer(api: Api) -> None:
    body = {**advice_request(api), "punten": [{"tekst": "a"}, {"text": "b"}], "gevraagd": "ja"}

    response = await api.post("/adviezen", body, api.as_("secretariaat"))

    names = invalid_names(await problem_of(response, 400))
    assert sorted(names) == ["gevraagd", "punten/1/tekst", "punten/1/text"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"{not json", "Geen geldige JSON"), (b"[1, 2]", "Verwacht een object")],
)
async def test_a_body_that_is_no_json_object_is_invalid(api: Api, raw: bytes, reason: str) -> None:
    response = await api.client.post(
        "/api/v1/dossiers",
        data=raw,
        headers={
            "Authorization": f"Bearer {api.as_('secretariaat')}",
            "Content-Type": "application/json",
        },
    )

    problem = await problem_of(response, 400)
    assert problem["invalidParams"][0]["name"] == "inhoud"
    assert problem["invalidParams"][0]["reason"].startswith(reason)


@pytest.mark.parametrize(
    "query", ["?limiet=1001", "?limiet=0", "?vanaf=nul", "?wat=1", "?vanaf=1&vanaf=2"]
)
async def test_bad_or_unknown_query_keys_are_invalid(api: Api, query: str) -> None:
    response = await api.get(f"/gebeurtenissen{query}", api.as_("auditor"))

    problem = await problem_of(response, 400)
    assert len(problem["invalidParams"]) == 1


async def test_a_query_key_on_a_post_is_invalid(api: Api) -> None:
    response = await api.post("/dossiers?titel=x", {}, api.as_("secretariaat"))

    assert "titel" in invalid_names(await problem_of(response, 400))


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_post_that_is_not_json_is_unsupported(api: Api, content_type: str | None) -> None:
    headers = {"Authorization": f"Bearer {api.as_('secretariaat')}"}
    if content_type:
        headers["Content-Type"] = content_type

    response = await api.client.post("/api/v1/dossiers", data=b'{"titel": "x"}', headers=headers)

    await problem_of(response, 415)


async def test_a_post_without_a_body_is_invalid_input(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.as_('secretariaat')}"}

    response = await api.client.post("/api/v1/dossiers", headers=headers)

    assert invalid_names(await problem_of(response, 400)) == ["inhoud"]


async def test_a_body_over_one_mebibyte_is_too_large(api: Api) -> None:
    body = {"titel": "x" * (1024 * 1024), "geopendOp": api.days_ago(1)}

    response = await api.post("/dossiers", body, api.as_("secretariaat"))

    await problem_of(response, 413)


async def test_a_trailing_slash_is_not_found_before_any_token_is_asked(api: Api) -> None:
    without_token = await api.client.post("/api/v1/dossiers/", json={})
    with_token = await api.post("/dossiers/", {}, api.as_("secretariaat"))
    document = await api.client.get("/api/v1/openapi.json/")

    for response in (without_token, with_token, document):
        problem = await problem_of(response, 404)
        assert "WWW-Authenticate" not in response.headers
        assert "slash" in problem["detail"]


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer onbekend-token", "Basic dXNlcjpwdw==", "bearer a b"]
)
async def test_a_missing_or_unknown_token_is_unauthorized(
    api: Api, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = await api.client.post("/api/v1/dossiers", json={}, headers=headers)

    await problem_of(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_a_role_that_may_not_is_forbidden_before_its_input_is_read(api: Api) -> None:
    response = await api.post("/dossiers", {"onzin": True}, api.as_("auditor"))

    problem = await problem_of(response, 403)
    assert "auditor" in problem["detail"]


async def test_unknown_paths_and_methods_are_problems_too(api: Api) -> None:
    unknown = await api.get("/bestaat-niet")
    wrong_method = await api.client.put(
        "/api/v1/dossiers", headers={"Authorization": f"Bearer {api.as_('secretariaat')}"}
    )

    await problem_of(unknown, 404)
    await problem_of(wrong_method, 405)
    assert "POST" in wrong_method.headers["Allow"]
    assert "PUT" not in wrong_method.headers["Allow"]


async def test_errors_are_problem_json_whatever_the_client_accepts(api: Api) -> None:
    response = await api.client.post("/api/v1/dossiers", json={}, headers={"Accept": "text/html"})

    await problem_of(response, 401)


async def test_every_response_carries_the_version_and_security_headers(api: Api) -> None:
    document = await api.client.get("/api/v1/openapi.json")
    version = (await document.json())["info"]["version"]
    responses: list[ClientResponse] = [
        document,
        await api.post(
            "/dossiers", {"titel": "T", "geopendOp": api.days_ago(1)}, api.as_("beheerder")
        ),
        await api.post("/dossiers", {}, api.as_("beheerder")),
        await api.post("/dossiers", {}, None),
        await api.post("/dossiers", {}, api.as_("auditor")),
        await api.get("/dossiers/"),
        await api.get("/gebeurtenissen", api.as_("auditor")),
        await api.client.put("/api/v1/dossiers"),
    ]

    assert [r.status for r in responses] == [200, 201, 400, 401, 403, 404, 200, 405]
    for response in responses:
        assert response.headers["API-Version"] == version
        for name, value in SECURITY_HEADERS.items():
            assert value in response.headers[name], (response.status, name)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert "aiohttp" not in response.headers.get("Server", "")


async def test_the_caller_is_logged_by_token_id_and_role_never_by_token_or_name(api: Api) -> None:
    token = api.as_("secretariaat")

    with capture_logs() as logs:
        await api.post(
            "/dossiers",
            {"titel": "T", "geopendOp": api.days_ago(1)},
            token,
            {"X-Request-ID": "verzoek-42"},
        )

    line = next(entry for entry in logs if entry["event"] == "request")
    assert line["who"]["role"] == "secretariaat"
    assert isinstance(line["who"]["token"], str)
    assert "test-secretariaat" not in repr(logs)  # names are personal data: never in a log
    assert line["request_id"] == "verzoek-42"
    assert line["status"] == 201
    assert line["method"] == "POST"
    assert line["path"] == "/api/v1/dossiers"
    assert isinstance(line["duration_ms"], float)
    assert token not in repr(logs)


async def test_the_request_id_is_recorded_with_the_event(api: Api) -> None:
    await api.post(
        "/dossiers",
        {"titel": "T", "geopendOp": api.days_ago(1)},
        api.as_("secretariaat"),
        {"X-Request-ID": "verzoek-7"},
    )

    log = await api.get("/gebeurtenissen", api.as_("auditor"))

    event = (await log.json())["gebeurtenissen"][-1]
    assert event["actor"] == {
        "naam": "test-secretariaat",
        "rol": "secretariaat",
        "verzoekId": "verzoek-7",
    }


async def test_an_unexpected_error_is_a_500_problem_that_reveals_nothing(
    store_url: Any, today: Any
) -> None:
    from api.http.app import create_app

    async def broken(_request: web.Request) -> web.Response:
        raise RuntimeError("geheim: /srv/adviesspoor/config.py regel 12")

    app = create_app(store_url, today=lambda: today)
    app.router.add_get("/api/v1/kapot", broken)

    with capture_logs() as logs:
        async with TestClient(TestServer(app)) as client:
            response = await client.get("/api/v1/kapot")
            problem = await problem_of(response, 500)

    assert "geheim" not in repr(problem)
    assert "RuntimeError" not in repr(problem)
    assert any(entry["event"] == "unhandled" for entry in logs)


async def test_an_error_log_never_shows_the_token_held_in_a_frame(
    store_url: Any, today: Any
) -> None:
    import structlog

    from api.http.app import create_app
    from api.logging import configure_logging

    async def broken(request: web.Request) -> web.Response:
        header = request.headers["Authorization"]
        raise RuntimeError(f"kapot na {len(header)} tekens")

    written = io.StringIO()
    configure_logging(written)
    try:
        app = create_app(store_url, today=lambda: today)
        app.router.add_get("/api/v1/kapot", broken)
        async with TestClient(TestServer(app)) as client:
            response = await client.get(
                "/api/v1/kapot", headers={"Authorization": "Bearer geheim-token-123"}
            )
    finally:
        structlog.reset_defaults()

    assert response.status == 500
    assert "kapot na" in written.getvalue()
    assert "geheim-token-123" not in written.getvalue()
