"""Sign-in over HTTP: the session cookie, CSRF, revoked tokens and where sign-in returns to."""

from tests.e2e.conftest import Api
from tests.e2e.pages import csrf_of, sign_in, text_of
from tests.e2e.pages_advice import record_advice as _advice


async def test_sign_in_gives_an_httponly_strict_cookie_and_sign_out_ends_it(api: Api) -> None:
    await api.new_body()
    token = api.as_("secretariaat")

    refused = await api.client.post(
        "/aanmelden",
        data={"csrf": csrf_of(await text_of(api, "/aanmelden")), "token": "fout"},
    )
    response = await sign_in(api, token)
    cookie = response.headers["Set-Cookie"]
    board = await text_of(api, f"/{api.municipality}/volglijst")
    out = await api.client.post("/afmelden", data={"csrf": csrf_of(board)})
    after = await api.client.get(f"/{api.municipality}/volglijst", allow_redirects=False)

    assert refused.status == 400
    assert "Dit token is onbekend of ingetrokken." in await refused.text()
    assert token not in await refused.text()
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Max-Age=28800" in cookie
    assert token not in cookie
    assert response.headers["Location"] == f"/{api.municipality}/volglijst"
    assert "Volglijst" in board
    assert out.status == 200
    assert after.status == 303
    assert after.headers["Location"].startswith("/aanmelden?terug=")


async def test_a_form_without_its_csrf_token_is_refused_and_records_nothing(api: Api) -> None:
    body = await api.new_body()
    advice = await _advice(api, body, "Advies", ["Punt"])
    await sign_in(api, api.as_("secretariaat"))
    before = await api.last_position()

    response = await api.client.post(
        f"/{api.municipality}/beheer/adviezen/{advice}/reactie",
        data={"punt": "1", "uitkomst": "overgenomen", "reactie": "Ja.", "gegevenOp": "2020-01-01"},
    )

    assert response.status == 403
    assert "Dit formulier is niet meer geldig" in await response.text()
    assert await api.last_position() == before


async def test_a_revoked_token_ends_its_sessions(api: Api) -> None:
    await api.new_body()
    token = api.as_("secretariaat")
    await sign_in(api, token)
    await text_of(api, f"/{api.municipality}/volglijst")
    from api.http.app import SERVICES

    edge = api.app[SERVICES].edge_store
    (record,) = [
        t
        for t in edge.tokens()
        if t.name == "test-secretariaat" and t.municipality == api.municipality
    ]
    edge.revoke_token(record.id)

    after = await api.client.get(f"/{api.municipality}/volglijst", allow_redirects=False)

    assert after.status == 303
    assert after.headers["Location"].startswith("/aanmelden")


async def test_sign_in_returns_only_to_a_page_of_this_site(api: Api) -> None:
    await api.new_body()
    token = api.as_("secretariaat")
    m = api.municipality
    found = {}

    for target in (
        "//elders.example/x",
        "/\\elders.example",
        "https://elders.example",
        f"/{m}/statistieken",
    ):
        form = await text_of(api, "/aanmelden")
        response = await api.client.post(
            "/aanmelden",
            data={"csrf": csrf_of(form), "token": token, "terug": target},
            allow_redirects=False,
        )
        found[target] = response.headers["Location"]

    assert found == {
        "//elders.example/x": f"/{m}/volglijst",
        "/\\elders.example": f"/{m}/volglijst",
        "https://elders.example": f"/{m}/volglijst",
        f"/{m}/statistieken": f"/{m}/statistieken",
    }
