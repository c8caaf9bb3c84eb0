"""The aiohttp application factory: services, routes, the edge; everything opened is closed."""

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from aiohttp import web

from api.edge_store import EdgeStore
from api.http import log_watch, routes_proofs, routes_read, routes_views, routes_write, stream
from api.http.answer_cache import AnswerCache
from api.http.documentation import index, with_document
from api.http.fields import BASE_PATH
from api.http.middleware import edge
from api.http.pipeline import Route, Services, endpoint
from api.logging import ensure_logging
from api.pages import setup_pages
from api.settings import Settings
from events.store import StoreUrl
from ledger import Ledgers, amsterdam_today
from projections import ReadModels

SERVICES = web.AppKey("services", Services)
ROUTES = web.AppKey("routes", tuple[Route, ...])
# Every operation, by resource; the pages and the proofs add their tables here.
ROUTE_TABLES: tuple[tuple[Route, ...], ...] = (
    tuple(routes_write.ROUTES),
    tuple(routes_read.ROUTES),
    tuple(routes_views.ROUTES),
    tuple(stream.ROUTES),
    tuple(routes_proofs.ROUTES),
)


def create_app(
    store: StoreUrl,
    *,
    today: Callable[[], date] = amsterdam_today,
    settings: Settings | None = None,
) -> web.Application:
    """The HTTP API on one store: `/api/v1`, every municipality, as API.md describes it."""
    settings = settings or Settings()
    ensure_logging()
    app = web.Application(client_max_size=settings.max_body)
    services = Services(
        ledgers=Ledgers(store, today),
        edge_store=EdgeStore(store),
        read_models=ReadModels(store),
        executor=ThreadPoolExecutor(max_workers=settings.threads, thread_name_prefix="ledger"),
        settings=settings,
        answers=AnswerCache(settings.answer_cache),
    )
    setup_services(app, services)
    stream.setup(app)
    setup_routes(app, services)
    app.middlewares.append(edge(setup_pages(app, services)))
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


def setup_routes(app: web.Application, services: Services) -> None:
    """Every route of every route module, and the OpenAPI document describing all of them."""
    table = with_document([route for routes in ROUTE_TABLES for route in routes])
    app[ROUTES] = tuple(table)
    # aiohttp tries the routes under one path prefix in the order they were added, so the GETs
    # (most requests) go first: `GET /adviezen/{id}` need not try the POSTs under `/adviezen`.
    for route in sorted(table, key=lambda route: route.method != "GET"):
        app.router.add_route(
            route.method, BASE_PATH + route.path, endpoint(route, services), name=route.operation_id
        )
    app.router.add_get(BASE_PATH, index, name="index")
