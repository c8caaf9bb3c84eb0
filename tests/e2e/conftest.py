"""HTTP fixtures: the real app on the test's store (SQLite and PostgreSQL), tokens per role, and a
small history built through the API itself.

As in the root conftest, our packages are imported inside functions, so typeguard checks them.
"""

from collections.abc import AsyncIterator, Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

if TYPE_CHECKING:
    from aiohttp import web

    from events.store import StoreUrl

PROBLEM_JSON = "application/problem+json"
SPECTRAL_MISSING = pytest.StashKey[str]()  # why test_openapi_lint.py could not run Spectral


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """A skipped OpenAPI lint must not pass unnoticed: say so at the end, in red."""
    reason = terminalreporter.config.stash.get(SPECTRAL_MISSING, None)
    if reason is not None:
        terminalreporter.section("Spectral", sep="!", red=True, bold=True)
        terminalreporter.line(f"{reason}; de OpenAPI-lint is NIET gedraaid.", red=True)


class Api:
    """A client of the real app, with a token per role made in the app's own token store."""

    def __init__(self, store: "StoreUrl", today: date, municipality: str) -> None:
        self.store = store
        self.today = today
        self.municipality = municipality
        self._client: TestClient[web.Request, web.Application] | None = None
        self.tokens: dict[str, str] = {}

    # The server ---------------------------------------------------------------------------

    async def start(self) -> None:
        from api.http.app import create_app
        from api.settings import Settings

        app = create_app(self.store, today=lambda: self.today, settings=Settings(threads=4))
        self._client = TestClient(TestServer(app))
        await self._client.start_server()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def restart(self) -> None:
        """A new process on the same store, as far as the app can tell."""
        await self.close()
        await self.start()

    @property
    def client(self) -> "TestClient[web.Request, web.Application]":
        assert self._client is not None
        return self._client

    @property
    def app(self) -> "web.Application":
        app = self.client.app
        assert app is not None
        return app

    # Tokens ---------------------------------------------------------------------------------

    def token(self, role: str, *, municipality: str | None = None, body: str | None = None) -> str:
        """A new token with a Dutch role word (`beheerder`, `lid`, …), made as the CLI would."""
        from uuid import UUID

        from api.http.app import SERVICES
        from api.vocabulary import ROLES

        edge = self.app[SERVICES].edge_store
        _, secret = edge.create_token(
            municipality or self.municipality,
            ROLES.english(role),
            UUID(body) if body else None,
            f"test-{role}",
        )
        return secret

    def as_(self, role: str) -> str:
        """The one token of this role in the test's municipality (not for `lid`)."""
        if role not in self.tokens:
            self.tokens[role] = self.token(role)
        return self.tokens[role]

    # Requests -------------------------------------------------------------------------------

    async def post(
        self,
        path: str,
        body: Any,
        token: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> ClientResponse:
        sent = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post(
            f"/api/v1{path}", json=body, headers={**sent, **(headers or {})}
        )

    async def get(self, path: str, token: str | None = None) -> ClientResponse:
        sent = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.get(f"/api/v1{path}", headers=sent)

    async def read(self, path: str, role: str = "secretariaat") -> Any:
        """GET that must succeed (200) for a token of `role`; its JSON body."""
        response = await self.get(path, self.as_(role))
        data = await response.json(content_type=None)
        assert response.status == 200, data
        return data

    async def created(self, path: str, body: Any, token: str | None = None) -> dict[str, Any]:
        """POST that must succeed (201); its JSON body."""
        response = await self.post(path, body, token or self.as_("beheerder"))
        data: dict[str, Any] = await response.json(content_type=None)
        assert response.status == 201, data
        return data

    # A small history ------------------------------------------------------------------------

    def days_ago(self, days: int) -> str:
        return (self.today - timedelta(days=days)).isoformat()

    async def new_body(self, name: str = "WIJ-raad", token: str | None = None) -> str:
        body = {"naam": name, "soort": "clientenraad"}
        return str((await self.created("/adviesorganen", body, token))["id"])

    async def new_dossier(self, token: str | None = None) -> str:
        body = {"titel": "Met elkaar voor elkaar", "geopendOp": self.days_ago(30)}
        return str((await self.created("/dossiers", body, token))["id"])

    def advice_body(self, body_id: str, points: int = 2) -> dict[str, Any]:
        return {
            "adviesorgaan": body_id,
            "titel": "Advies over de nota",
            "uitgebrachtOp": self.days_ago(10),
            "gevraagd": False,
            "punten": [{"tekst": f"Punt {n}"} for n in range(1, points + 1)],
        }

    async def new_advice(
        self, body_id: str, points: int = 2, answered: int = 0, dossier: str | None = None
    ) -> str:
        """An advice of `body_id` (in `dossier` when one is given); its first `answered` points
        have a reactie."""
        body = self.advice_body(body_id, points) | ({"dossier": dossier} if dossier else {})
        advice_id = str((await self.created("/adviezen", body))["id"])
        for point in range(1, answered + 1):
            await self.created(f"/adviezen/{advice_id}/reacties", self.response_body(point))
        return advice_id

    def response_body(self, point: int, outcome: str = "overgenomen") -> dict[str, Any]:
        return {
            "punt": point,
            "uitkomst": outcome,
            "reactie": "Wij nemen dit over.",
            "gegevenOp": self.days_ago(5),
        }

    async def new_promise(self, advice_id: str) -> str:
        body = {
            "punt": 1,
            "omschrijving": "Er komt een brochure.",
            "uiterlijkOp": self.days_ago(-30),
        }
        return str((await self.created(f"/adviezen/{advice_id}/toezeggingen", body))["id"])

    async def last_position(self) -> int:
        response = await self.get("/gebeurtenissen?limiet=1000", self.as_("auditor"))
        events: list[dict[str, Any]] = (await response.json())["gebeurtenissen"]
        return int(events[-1]["positie"]) if events else 0


@pytest.fixture
async def api(store_url: "StoreUrl", today: date, municipality: str) -> AsyncIterator[Api]:
    """The app on the test's store; closed (ledgers and all) before the schemas are dropped."""
    client = Api(store_url, today, municipality)
    await client.start()
    yield client
    await client.close()


@pytest.fixture
async def demo_api(tmp_path: Path, today: date) -> AsyncIterator[Api]:
    """The app on a SQLite store of its own with the demo loaded through its command line."""
    from api.cli.main import main
    from events.store import StoreUrl

    store = StoreUrl.parse(f"sqlite:///{tmp_path / 'store'}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADVIESSPOOR_DATABASE_URL", store.url)
        assert main(["demo"]) == 0
    client = Api(store, today, "groningen")
    await client.start()
    yield client
    await client.close()


@pytest.fixture
def other_municipality(new_municipality: Callable[[], str]) -> str:
    """A second municipality in the same store, to show that nothing crosses over."""
    return new_municipality()


async def problem_of(response: ClientResponse, status: int) -> dict[str, Any]:
    """The problem+json body of an error answer, after checking its status and shape."""
    body: dict[str, Any] = await response.json(content_type=None)
    assert response.status == status, body
    assert response.content_type == PROBLEM_JSON
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def invalid_names(problem: dict[str, Any]) -> list[str]:
    return [item["name"] for item in problem.get("invalidParams", [])]
