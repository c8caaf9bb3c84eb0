"""`setup_pages(app, services)`: the pages for people, beside the JSON API on the same services."""

from pathlib import Path
from typing import Final

import aiohttp_jinja2
import jinja2
from aiohttp import web

from api.http.middleware import PageHeaders, PageLayer
from api.http.pipeline import Services
from api.pages import feeds, imports, members, office, office_forms, public, words
from api.pages.render import page_headers, pages_layer
from api.pages.session import COOKIE, SESSION_SECONDS, SessionStorage, session_key
from api.pages.site import SITE, Site

STATIC: Final = Path(__file__).parent / "static"


def _environment(app: web.Application) -> jinja2.Environment:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("api.pages", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        # Templates are package data: read once, never checked again (no stat per include).
        auto_reload=False,
    )
    env.filters.update(
        datum=words.dutch_date,
        moment=words.dutch_moment,
        uitkomst=words.outcome_label,
        soort=words.body_kind_label,
        oordeel=words.verdict_label,
        oordeelwoord=words.verdict_word,
        gemeente=words.municipality_name,
    )
    return env


def setup_pages(app: web.Application, services: Services) -> tuple[PageLayer, PageHeaders]:
    """Templates, the session cookie and the pages' routes; returns the pages' part of the edge
    middleware and their headers, for `api.http.middleware.edge`."""
    _environment(app)
    app[SITE] = Site(services)
    storage = SessionStorage(
        session_key(),
        cookie_name=COOKIE,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="Strict",
    )
    router = app.router
    router.add_static("/static", STATIC, name="static", append_version=False)
    router.add_get("/", public.home, name="pages_home")
    router.add_get("/aanmelden", members.sign_in_form)
    router.add_post("/aanmelden", members.sign_in)
    router.add_post("/afmelden", members.sign_out)
    g = "/{gemeente}"
    advice = g + "/adviezen/{id}"
    office_advice = g + "/beheer/adviezen/{id}"
    router.add_get(g, public.municipality_page)
    router.add_get(g + "/statistieken", public.statistics_page)
    router.add_get(g + "/statistieken/tabel.csv", public.statistics_csv)
    router.add_get(g + "/reactietabel.csv", imports.export_table)
    router.add_get(g + "/feed.atom", feeds.municipality_feed)
    router.add_get(g + "/adviesorganen/{id}", public.body_page)
    router.add_get(g + "/adviesorganen/{id}/feed.atom", feeds.body_feed)
    router.add_get(advice, public.advice_page)
    router.add_get(advice + "/wederwoord", members.rejoinder_form)
    router.add_post(advice + "/wederwoord", members.rejoinder)
    router.add_get(g + "/volglijst", members.follow_up)
    router.add_get(g + "/beheer", office.office_home)
    router.add_get(g + "/beheer/reactietabel", imports.import_form)
    router.add_post(g + "/beheer/reactietabel", imports.import_table)
    for path, spec in (
        (g + "/beheer/advies", office_forms.NEW_ADVICE),
        (g + "/beheer/besluit", office_forms.DECISION),
        (office_advice + "/reactie", office_forms.RESPONSE),
        (office_advice + "/termijn", office_forms.DUE_DATE),
        (office_advice + "/toezegging", office_forms.PROMISE),
        (office_advice + "/nakoming", office_forms.FULFIL),
    ):
        get, post = office.handlers(spec)
        router.add_get(path, get)
        router.add_post(path, post)
    # Around the API's part of the edge (problem+json and the trailing-slash rule), so a page's
    # address with a slash is redirected before that rule, and what it answers as problem+json
    # for a page becomes a Dutch page.
    return pages_layer(storage), page_headers
