"""How the secretariat's forms work (office_forms.py has each form): an empty form, then a post
that is checked, runs the same ledger command as the JSON API, or comes back with the input kept
and every message, having stored nothing; and the secretariat's start page."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from api.pages.forms import Form
from api.pages.render import page, render_for
from api.pages.session import actor_of, checked_form, require
from api.pages.site import OFFICE_ROLES, PageError, Redirect, site_of
from ledger import Actor, AdviceLedger, LedgerError, Recorded
from projections import ReadModel

Context = Callable[[ReadModel, web.Request], dict[str, Any] | None]
Command = Callable[[Form, Actor, dict[str, Any]], Callable[[AdviceLedger], Recorded] | None]


@dataclass(frozen=True)
class OfficeForm:
    """One form: its template, fields, what it shows beside them, and the command it runs
    (None when the form itself found errors), with the ledger's field names mapped to its own."""

    template: str
    fields: tuple[str, ...]
    context: Context
    command: Command
    ledger_command: str
    field_map: dict[str, str]
    done: Callable[[str, dict[str, Any]], str]
    defaults: Callable[[web.Request, dict[str, Any]], dict[str, str]] = lambda _r, _c: {}
    refused: Callable[[Form, LedgerError, dict[str, Any]], None] | None = None


def handlers(
    spec: OfficeForm,
) -> tuple[
    Callable[[web.Request], Awaitable[web.StreamResponse]],
    Callable[[web.Request], Awaitable[web.StreamResponse]],
]:
    """The GET (empty form) and POST (check, record, or show the errors) handlers of a form."""

    async def show(
        request: web.Request, form: Form | None, status: int = 200
    ) -> web.StreamResponse:
        site = site_of(request)
        municipality = await site.municipality(request)
        await require(request, municipality, OFFICE_ROLES)
        context = await site.read(municipality, lambda model: spec.context(model, request))
        if context is None:
            raise PageError(404)
        if form is None:
            form = Form({name: "" for name in spec.fields} | spec.defaults(request, context))
        return await render_for(
            request, municipality, spec.template, {"form": form, **context}, status
        )

    @page
    async def get(request: web.Request) -> web.StreamResponse:
        return await show(request, None)

    @page
    async def post(request: web.Request) -> web.StreamResponse:
        site = site_of(request)
        municipality = await site.municipality(request)
        principal = await require(request, municipality, OFFICE_ROLES)
        posted = await checked_form(request)
        form = Form.of(posted, list(spec.fields))
        form.values.update(
            {k: str(v) for k, v in posted.items() if k.startswith(("advies-", "afwijking-"))}
        )
        context = await site.read(municipality, lambda model: spec.context(model, request))
        if context is None:
            raise PageError(404)
        command = spec.command(form, actor_of(request, principal), context)
        if command is not None and form.ok:
            ledgers = site.services.ledgers
            try:
                await site.run(lambda: command(ledgers[municipality]))
            except LedgerError as error:
                if spec.refused is not None:
                    spec.refused(form, error, context)
                else:
                    form.refused(error, spec.ledger_command, spec.field_map)
            else:
                raise Redirect(spec.done(municipality, context))
        return await show(request, form, 400)

    return get, post


def names_of(model: ReadModel) -> dict[str, Any]:
    bodies = sorted(model.docs("body"), key=lambda b: str(b["name"]).casefold())
    dossiers = sorted(model.docs("dossier"), key=lambda d: str(d["title"]).casefold())
    return {"bodies": bodies, "dossiers": dossiers}


@page
async def office_home(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)
    await require(request, municipality, OFFICE_ROLES)
    today = site.today()

    def work(model: ReadModel) -> dict[str, Any]:
        listed = sorted(
            model.advice_list(today),
            key=lambda a: (a["submitted_on"], a["created_at"]),
            reverse=True,
        )
        return {"advice": listed, **names_of(model)}

    data = await site.read(municipality, work)
    return await render_for(request, municipality, "office_home.html", data)
