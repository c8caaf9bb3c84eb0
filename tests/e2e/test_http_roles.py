"""Who may do what, from ONE table: every operation × every kind of caller → the status.

To add an operation (say a GET of routes_read.py): add its row to MATRIX and a request builder to
REQUESTS; `test_every_route_has_a_row` fails until both are there.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.e2e.conftest import Api

ACTORS = (
    "beheerder",
    "secretariaat",
    "lid",  # of the body the advice is from
    "lid_ander_orgaan",  # of another body, same municipality
    "auditor",
    "andere_gemeente",  # a token of another municipality, with a role the operation allows
    "geen_token",
)

# fmt: off
MATRIX: dict[str, tuple[int, ...]] = {
    #                          beh  sec  lid  lidB  aud  ander geen
    "openapiDocument":        (200, 200, 200, 200, 200, 200, 200),
    "haalHandleiding":        (200, 200, 200, 200, 200, 200, 200),
    "registreerAdviesorgaan": (201, 403, 403, 403, 403, 201, 401),
    "openDossier":            (201, 201, 403, 403, 403, 201, 401),
    "vraagAdvies":            (201, 201, 403, 403, 403, 400, 401),
    "brengAdviesUit":         (201, 201, 201, 403, 403, 400, 401),
    "legReactieVast":         (201, 201, 403, 403, 403, 404, 401),
    "doeToezegging":          (201, 201, 403, 403, 403, 404, 401),
    "komToezeggingNa":        (201, 201, 403, 403, 403, 404, 401),
    "geefWederwoord":         (201, 201, 201, 403, 403, 404, 401),
    "wijzigTermijn":          (201, 201, 403, 403, 403, 404, 401),
    "trekAdviesIn":           (201, 201, 201, 403, 403, 404, 401),
    "neemBesluit":            (201, 201, 403, 403, 403, 400, 401),
    "lijstGebeurtenissen":    (403, 403, 403, 403, 200, 200, 401),
    "lijstAdviesorganen":     (200, 200, 200, 200, 200, 200, 401),
    "haalAdviesorgaan":       (200, 200, 200, 200, 200, 404, 401),
    "lijstDossiers":          (200, 200, 200, 200, 200, 200, 401),
    "haalDossier":            (200, 200, 200, 200, 200, 404, 401),
    "lijstAdviesaanvragen":   (200, 200, 200, 200, 200, 200, 401),
    "haalAdviesaanvraag":     (200, 200, 200, 200, 200, 404, 401),
    "lijstAdviezen":          (200, 200, 200, 200, 200, 200, 401),
    "haalAdvies":             (200, 200, 200, 200, 200, 404, 401),
    "haalHistorie":           (200, 200, 200, 200, 200, 404, 401),
    "lijstBesluiten":         (200, 200, 200, 200, 200, 200, 401),
    "haalBesluit":            (200, 200, 200, 200, 200, 404, 401),
    "haalVolglijst":          (200, 200, 200, 403, 200, 404, 401),
    "haalStatistieken":       (200, 200, 200, 200, 200, 200, 401),
    "haalStatistiekentabel":  (200, 200, 200, 200, 200, 200, 401),
    "lijstPunten":            (200, 200, 200, 200, 200, 200, 401),
    "stroomGebeurtenissen":   (200, 200, 200, 200, 200, 200, 401),
    "haalLaatsteControlepunt": (200, 200, 200, 200, 200, 200, 200),
    "haalOpnamebewijs":       (403, 403, 403, 403, 200, 200, 401),
    "haalConsistentiebewijs": (403, 403, 403, 403, 200, 200, 401),
}
# fmt: on


@dataclass
class World:
    """Two bodies and a dossier in the test's municipality, and tokens for every caller."""

    api: Api
    body: str
    other_body: str
    dossier: str
    tokens: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    async def make(cls, api: Api, other_municipality: str) -> "World":
        world = cls(api, await api.new_body(), await api.new_body("Wmo-platform"), "")
        world.dossier = await api.new_dossier()
        stranger_admin = api.token("beheerder", municipality=other_municipality)
        stranger_body = await api.new_body("Elders", stranger_admin)
        world.tokens = {
            "beheerder": api.as_("beheerder"),
            "secretariaat": api.as_("secretariaat"),
            "lid": api.token("lid", body=world.body),
            "lid_ander_orgaan": api.token("lid", body=world.other_body),
            "auditor": api.as_("auditor"),
            "andere_gemeente:beheerder": stranger_admin,
            "andere_gemeente:lid": api.token(
                "lid", municipality=other_municipality, body=stranger_body
            ),
            "andere_gemeente:auditor": api.token("auditor", municipality=other_municipality),
            "geen_token": None,
        }
        return world

    def token(self, actor: str, allowed: frozenset[str]) -> str | None:
        if actor != "andere_gemeente":
            return self.tokens[actor]
        role = next((r for r in ("beheerder", "lid", "auditor") if r in allowed), "beheerder")
        return self.tokens[f"andere_gemeente:{role}"]

    async def advice(self, answered: int = 0) -> str:
        return await self.api.new_advice(self.body, answered=answered)


Request = tuple[str, str, Any]
REQUESTS: dict[str, Callable[[World], Awaitable[Request]]] = {}


def builds(operation: str) -> Callable[[Callable[[World], Awaitable[Request]]], Any]:
    def register(build: Callable[[World], Awaitable[Request]]) -> Any:
        REQUESTS[operation] = build
        return build

    return register


# The GETs whose path is fixed, or names the world's body or dossier.
PLAIN_GETS = {
    "openapiDocument": "/openapi.json",
    "haalHandleiding": "/documentatie",
    "lijstGebeurtenissen": "/gebeurtenissen",
    "lijstAdviesorganen": "/adviesorganen",
    "haalAdviesorgaan": "/adviesorganen/{body}",
    "lijstDossiers": "/dossiers",
    "haalDossier": "/dossiers/{dossier}",
    "lijstAdviesaanvragen": "/adviesaanvragen",
    "lijstAdviezen": "/adviezen?adviesorgaan={body}",
    "lijstBesluiten": "/besluiten",
    "haalVolglijst": "/volglijst?adviesorgaan={body}",
    "haalStatistieken": "/statistieken?adviesorgaan={body}",
    "haalStatistiekentabel": "/statistieken/tabel?jaarVan=2000",
    "lijstPunten": "/punten?adviesorgaan={body}&zoek=punt",
    "stroomGebeurtenissen": "/gebeurtenissen/stroom?vanaf=1",
    "haalOpnamebewijs": "/bewijzen/opname?positie=1",
    "haalConsistentiebewijs": "/bewijzen/consistentie?van=1",
}


def _plain_get(template: str) -> Callable[[World], Awaitable[Request]]:
    async def build(w: World) -> Request:
        return "GET", template.format(body=w.body, dossier=w.dossier), None

    return build


for _operation, _template in PLAIN_GETS.items():
    builds(_operation)(_plain_get(_template))


@builds("registreerAdviesorgaan")
async def _body(_w: World) -> Request:
    return "POST", "/adviesorganen", {"naam": "Stadadviseert", "soort": "adviesraad"}


@builds("openDossier")
async def _dossier(w: World) -> Request:
    return "POST", "/dossiers", {"titel": "Nota", "geopendOp": w.api.days_ago(2)}


@builds("vraagAdvies")
async def _request(w: World) -> Request:
    a = w.api
    return (
        "POST",
        "/adviesaanvragen",
        {
            "dossier": w.dossier,
            "adviesorgaan": w.body,
            "vraag": "Wat vindt u ervan?",
            "aangevraagdOp": a.days_ago(2),
            "uiterlijkOp": a.days_ago(-40),
        },
    )


@builds("brengAdviesUit")
async def _advice(w: World) -> Request:
    return "POST", "/adviezen", w.api.advice_body(w.body)


@builds("legReactieVast")
async def _response(w: World) -> Request:
    return "POST", f"/adviezen/{await w.advice()}/reacties", w.api.response_body(1)


@builds("doeToezegging")
async def _promise(w: World) -> Request:
    body = {"punt": 1, "omschrijving": "Een brochure.", "uiterlijkOp": w.api.days_ago(-9)}
    return "POST", f"/adviezen/{await w.advice()}/toezeggingen", body


@builds("komToezeggingNa")
async def _fulfil(w: World) -> Request:
    advice = await w.advice()
    promise = await w.api.new_promise(advice)
    body = {"nagekomenOp": w.api.days_ago(0), "toelichting": "Gedaan."}
    return "POST", f"/adviezen/{advice}/toezeggingen/{promise}/nakoming", body


@builds("geefWederwoord")
async def _rejoinder(w: World) -> Request:
    body = {"oordeel": "tevreden", "tekst": "Dank."}
    return "POST", f"/adviezen/{await w.advice(answered=1)}/wederwoorden", body


@builds("wijzigTermijn")
async def _due_date(w: World) -> Request:
    body = {"nieuweDatum": w.api.days_ago(-60), "reden": "Reces."}
    return "POST", f"/adviezen/{await w.advice()}/termijnwijzigingen", body


@builds("trekAdviesIn")
async def _withdraw(w: World) -> Request:
    return "POST", f"/adviezen/{await w.advice()}/intrekking", {"reden": "Achterhaald."}


@builds("neemBesluit")
async def _decision(w: World) -> Request:
    a = w.api
    return (
        "POST",
        "/besluiten",
        {
            "dossier": w.dossier,
            "titel": "Besluit",
            "besluitdatum": a.days_ago(1),
            "adviezen": [await w.advice(answered=2)],
        },
    )


@builds("haalAdviesaanvraag")
async def _one_request(w: World) -> Request:
    _, path, body = await _request(w)
    return "GET", f"/adviesaanvragen/{(await w.api.created(path, body))['id']}", None


@builds("haalAdvies")
async def _one_advice(w: World) -> Request:
    return "GET", f"/adviezen/{await w.advice()}", None


@builds("haalHistorie")
async def _history(w: World) -> Request:
    return "GET", f"/adviezen/{await w.advice(answered=1)}/historie", None


@builds("haalBesluit")
async def _one_decision(w: World) -> Request:
    _, path, body = await _decision(w)
    return "GET", f"/besluiten/{(await w.api.created(path, body))['id']}", None


@builds("haalLaatsteControlepunt")
async def _checkpoint(w: World) -> Request:
    from api.http.app import SERVICES
    from ledger.integrity import SignerKey

    services = w.api.app[SERVICES]
    integrity = services.ledgers[w.api.municipality].integrity
    await services.run(lambda: integrity.make_checkpoint(SignerKey.generate(integrity.origin)))
    return "GET", f"/controlepunten/laatste?gemeente={w.api.municipality}", None


def _allowed_roles(api: Api, operation: str) -> frozenset[str]:
    from api.http.app import ROUTES
    from api.vocabulary import ROLES

    route = next(r for r in api.app[ROUTES] if r.operation_id == operation)
    return frozenset(ROLES.dutch(role) for role in route.roles or ())


async def test_every_route_has_a_row(api: Api) -> None:
    from api.http.app import ROUTES

    operations = {route.operation_id for route in api.app[ROUTES]}

    assert set(MATRIX) == operations
    assert set(REQUESTS) == operations
    assert all(len(row) == len(ACTORS) for row in MATRIX.values())


@pytest.mark.parametrize("operation", list(MATRIX))
async def test_who_may_do_what(api: Api, other_municipality: str, operation: str) -> None:
    world = await World.make(api, other_municipality)
    allowed = _allowed_roles(api, operation)
    observed: dict[str, int] = {}

    for actor in ACTORS:
        method, path, body = await REQUESTS[operation](world)
        token = world.token(actor, allowed)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await api.client.request(method, f"/api/v1{path}", json=body, headers=headers)
        observed[actor] = response.status
        response.close()  # a stream would go on for as long as we listen

    assert observed == dict(zip(ACTORS, MATRIX[operation], strict=True))
