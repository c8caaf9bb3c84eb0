"""What every page shares: the municipality and the read models it reads (read-your-writes), and
the two ways a page ends other than with itself: an error page, or a redirect.

The rest of the room: session.py (who is signed in, CSRF), render.py (templates, Dutch error pages,
the middleware and the headers).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Final, TypeVar

from aiohttp import web

from api.http.pipeline import Services
from events import Role
from events.store import check_municipality
from projections import ReadModel

T = TypeVar("T")
READ_WAIT_SECONDS: Final = 5.0
OFFICE_ROLES: Final = frozenset({Role.ADMINISTRATOR, Role.SECRETARIAT})


class PageError(Exception):
    """A page that cannot be shown: answered as a Dutch HTML error page with this status."""

    def __init__(self, status: int, detail: str | None = None) -> None:
        super().__init__(detail or "")
        self.status = status
        self.detail = detail


class Redirect(Exception):  # noqa: N818 - not an error: where the page sends the browser instead
    """Send the browser elsewhere (303 See Other after a form, or to sign in first)."""

    def __init__(self, location: str, status: int = 303) -> None:
        super().__init__(location)
        self.location = location
        self.status = status


def redirect(location: str, status: int = 303) -> web.Response:
    return web.Response(status=status, headers={"Location": location})


@dataclass
class Site:
    """The pages' services: the JSON API's own (ledgers, read models, tokens, thread pool)."""

    services: Services
    _known: tuple[float, list[str]] = field(default=(0.0, []))

    async def run(self, work: Callable[[], T]) -> T:
        return await self.services.run(work)

    async def municipalities(self) -> list[str]:
        """The municipalities with a log, looked up at most every few seconds."""
        checked, known = self._known
        if time.monotonic() - checked > 5:
            known = await self.run(self.services.read_models.municipalities)
            self._known = (time.monotonic(), known)
        return known

    async def municipality(self, request: web.Request) -> str:
        slug = request.match_info["gemeente"]
        try:
            check_municipality(slug)
        except ValueError:
            raise PageError(404) from None
        if slug not in await self.municipalities():
            self._known = (0.0, [])
            if slug not in await self.municipalities():
                raise PageError(404)
        return slug

    def model(self, municipality: str) -> ReadModel:
        return self.services.read_models[municipality]

    async def read(self, municipality: str, work: Callable[[ReadModel], T]) -> T:
        """Read once the views hold every event committed before this request."""
        model = self.model(municipality)

        def run() -> T:
            try:
                model.ensure_current(timeout=READ_WAIT_SECONDS)
            except TimeoutError:
                raise PageError(503) from None
            return work(model)

        return await self.run(run)

    def today(self) -> date:
        return self.services.ledgers.today()


SITE = web.AppKey("pages_site", Site)


def site_of(request: web.Request) -> Site:
    return request.app[SITE]
