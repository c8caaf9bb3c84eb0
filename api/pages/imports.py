"""The reaction table on the pages: upload, preview with an error per row, record all or none;
and the export of the same table."""

from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from api.pages import table, table_file
from api.pages.render import page, render_for
from api.pages.session import actor_of, checked_form, require
from api.pages.site import OFFICE_ROLES, site_of


@page
async def import_form(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)
    await require(request, municipality, OFFICE_ROLES)
    return await render_for(request, municipality, "import.html", {"plan": None})


@page
async def import_table(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)
    principal = await require(request, municipality, OFFICE_ROLES)
    posted = await checked_form(request)
    upload, kept = posted.get("bestand"), posted.get("inhoud")
    context: dict[str, Any] = {}
    if isinstance(upload, FileField) and upload.filename:
        data = upload.file.read()
    elif isinstance(kept, str) and kept:
        data = kept.encode("utf-8")
    else:
        context.update(plan=None, missing="Kies een CSV-bestand met de reactietabel.")
        return await render_for(request, municipality, "import.html", context, 400)
    actor = actor_of(request, principal)
    today = site.today()
    plan = await site.read(municipality, lambda model: table.check(model, data, today))
    ledger = site.services.ledgers[municipality]
    await site.run(lambda: table.preview(ledger, actor, plan))
    stored: int | None = 0
    done = False
    if posted.get("actie") == "vastleggen" and plan.ok:
        stored = await site.run(lambda: table.record(ledger, actor, plan))
        done = plan.ok
    context.update(
        plan=plan,
        text=table_file.decode(data),
        done=done,
        stored=stored,
    )
    return await render_for(request, municipality, "import.html", context, 200 if plan.ok else 400)


@page
async def export_table(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)
    chosen = request.query.get("adviesorgaan") or None
    today = site.today()
    data = await site.read(municipality, lambda model: table_file.export(model, today, chosen))
    return web.Response(
        body=data,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="reactietabel-{municipality}.csv"',
        },
    )
