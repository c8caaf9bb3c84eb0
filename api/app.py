"""The aiohttp application factory: services, headers, routes; everything opened is closed."""

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from types import ModuleType
from typing import Final

from aiohttp import web

from api import log_watch
from api.edge_store import EdgeStore
from api.logging import ensure_logging
from api.middlewares import (
    MAX_BODY,
    MIDDLEWARES,
    REQUEST_ID,
    Route,
    Services,
    endpoint,
)
from api.openapi import API_VERSION, SECURITY_HEADERS, with_document
from api.pages import setup_pages
from api.schemas import BASE_PATH
from events.store import StoreUrl
from ledger import Ledgers, amsterdam_today
from projections import ReadModels

DEFAULT_WORKERS: Final = 8

SERVICES = web.AppKey("services", Services)
ROUTES = web.AppKey("routes", tuple[Route, ...])


def _route_modules() -> list[ModuleType]:
    # Each module has `ROUTES` (a list of Route) and may have `setup(app)` for what its handlers
    # need (added to the app before the routes); imported here because they import this package's
    # middlewares, which must not import them back.
    from api import routes_proofs, routes_read, routes_stream, routes_write

    return [routes_write, routes_read, routes_stream, routes_proofs]


def create_app(
    store: StoreUrl,
    *,
    today: Callable[[], date] = amsterdam_today,
    workers: int = DEFAULT_WORKERS,
) -> web.Application:
    """The HTTP API on one store: `/api/v1`, every municipality, as API.md describes it."""
    ensure_logging()
    app = web.Application(middlewares=MIDDLEWARES, client_max_size=MAX_BODY)
    services = Services(
        ledgers=Ledgers(store, today),
        edge_store=EdgeStore(store),
        read_models=ReadModels(store),
        executor=ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ledger"),
    )
    setup_services(app, services)
    setup_headers(app)
    setup_routes(app, services)
    setup_pages(app, services)
    log_watch.setup(app, services)
    return app


def setup_services(app: web.Application, services: Services) -> None:
    """Open what the handlers use at start-up, and close it after the last request."""
    app[SERVICES] = services

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        await services.run(services.edge_store.prepare)
        yield
        # Let in-flight ledger calls finish before their stores close.
        await asyncio.get_running_loop().run_in_executor(None, services.executor.shutdown)
        services.ledgers.close_all()
        services.read_models.close_all()
        services.edge_store.close()

    app.cleanup_ctx.append(lifetime)


def setup_headers(app: web.Application) -> None:
    """`API-Version`, the security headers and the request id on every response."""

    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        response.headers.update(SECURITY_HEADERS)
        response.headers["API-Version"] = API_VERSION
        response.headers["Server"] = "adviesspoor"  # not which framework, nor which version
        request_id = request.get(REQUEST_ID)
        if request_id is not None:
            response.headers["X-Request-ID"] = request_id

    app.on_response_prepare.append(add_headers)


def setup_routes(app: web.Application, services: Services) -> None:
    """Every route of every route module, and the OpenAPI document describing all of them."""
    modules = _route_modules()
    routes: list[Route] = []
    for module in modules:
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app)
        routes.extend(module.ROUTES)
    table = with_document(routes)
    app[ROUTES] = tuple(table)
    for route in table:
        app.router.add_route(
            route.method, BASE_PATH + route.path, endpoint(route, services), name=route.operation_id
        )
