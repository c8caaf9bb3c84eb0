"""The public pages (no sign-in): the municipalities, the terugkoppeling with filters, search and
pages, one advice with its timeline (and as it was recorded on a date), one body, the figures."""

import re
from datetime import date
from typing import Any, Final
from urllib.parse import urlencode

from aiohttp import web

from api.http import answers, csv
from api.pages import charts
from api.pages.render import page, render, render_for
from api.pages.site import PageError, site_of
from api.pages.timeline import timeline
from api.pages.words import amsterdam_day, end_of_day_utc, municipality_name
from api.vocabulary import OUTCOMES
from events import Outcome
from projections import ReadModel, public, views

PAGE_SIZE: Final = 20
_ID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def record_id(request: web.Request, name: str = "id") -> str:
    given = request.match_info[name]
    if not _ID.fullmatch(given):
        raise PageError(404)
    return given


def _bodies(model: ReadModel) -> list[dict[str, Any]]:
    return sorted(model.docs("body"), key=lambda b: str(b["name"]).casefold())


@page
async def home(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    known = await site.municipalities()
    items = [{"slug": slug, "name": municipality_name(slug)} for slug in known]
    return await render(request, "home.html", {"municipalities": items})


def _filters(
    request: web.Request, bodies: list[dict[str, Any]], years: list[int]
) -> dict[str, Any]:
    """The list's filters from the query; anything unknown is ignored, as a person would expect."""
    query = request.query
    body = query.get("adviesorgaan", "")
    year = query.get("jaar", "")
    outcome = query.get("uitkomst", "")
    search = query.get("zoek", "").strip()[:200]
    page_number = query.get("pagina", "1")
    return {
        "body": body if any(b["id"] == body for b in bodies) else "",
        "year": int(year) if year.isdigit() and int(year) in years else None,
        "outcome": outcome if outcome in OUTCOMES.choices else "",
        "search": search,
        "page": int(page_number) if page_number.isdigit() and 0 < int(page_number) < 10_000 else 1,
    }


def _link(path: str, filters: dict[str, Any], page_number: int) -> str:
    query = {
        "adviesorgaan": filters["body"],
        "jaar": filters["year"] or "",
        "uitkomst": filters["outcome"],
        "zoek": filters["search"],
    }
    kept = {k: v for k, v in query.items() if v}
    if page_number > 1:
        kept["pagina"] = str(page_number)
    return path + (f"?{urlencode(kept)}" if kept else "")


async def _advice_list(
    request: web.Request, municipality: str, fixed_body: str | None = None
) -> dict[str, Any]:
    """The terugkoppeling list: filters, one page of advice, and the links to other pages."""
    site = site_of(request)
    today = site.today()
    raw = request.query

    def work(model: ReadModel) -> dict[str, Any]:
        bodies, years = _bodies(model), public.years(model)
        filters = _filters(request, bodies, years)
        if fixed_body is not None:
            filters["body"] = fixed_body
        found = model.search(filters["search"]) if filters["search"] else None
        outcome = OUTCOMES.english(filters["outcome"]).value if filters["outcome"] else None
        listed = public.advice_page(
            model,
            today,
            body_id=filters["body"] or None,
            year=filters["year"],
            outcome=outcome,
            only=None if found is None else {advice for advice, _ in found},
            page=filters["page"],
            size=PAGE_SIZE,
        )
        return {
            "bodies": bodies,
            "years": years,
            "filters": filters,
            "advice": listed.items,
            "found": found or set(),
            "total": listed.total,
        }

    data = await site.read(municipality, work)
    filters, total = data["filters"], data["total"]
    pages = max(1, -(-total // PAGE_SIZE))
    path = request.path
    data["pagination"] = {
        "current": filters["page"],
        "pages": pages,
        "previous": _link(path, filters, filters["page"] - 1) if filters["page"] > 1 else None,
        "next": _link(path, filters, filters["page"] + 1) if filters["page"] < pages else None,
        # The first and the last page, and two on either side of this one.
        "links": [
            (n, _link(path, filters, n))
            for n in range(1, pages + 1)
            if n in (1, pages) or abs(n - filters["page"]) <= 2
        ],
    }
    data["outcomes"] = [(OUTCOMES.dutch(o), o.value) for o in Outcome]
    data["filtered"] = any(raw.get(k) for k in ("adviesorgaan", "jaar", "uitkomst", "zoek"))
    return data


@page
async def municipality_page(request: web.Request) -> web.StreamResponse:
    municipality = await site_of(request).municipality(request)
    data = await _advice_list(request, municipality)
    return await render_for(request, municipality, "municipality.html", data)


@page
async def body_page(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)
    body_id = record_id(request)
    body = await site.read(municipality, lambda model: model.doc(body_id))
    if body is None or body["kind"] != "body":
        raise PageError(404)
    data = await _advice_list(request, municipality, fixed_body=body_id)
    stats = await site.read(
        municipality, lambda model: model.statistics(site.today(), body_id=body_id)
    )
    return await render_for(
        request, municipality, "body.html", {"body": body, "stats": stats, **data}
    )


def _as_recorded(request: web.Request, model: ReadModel) -> tuple[int | None, date | None]:
    """Time travel: `tot` (a log position) or `vastgelegdOp` (a date: as recorded at its end)."""
    position, day = request.query.get("tot", ""), request.query.get("vastgelegdOp", "")
    if position.isdigit() and 0 < int(position) < 2**62:
        upto = int(position)
        recorded = model.log.moment_of(upto)
        return upto, amsterdam_day(recorded) if recorded is not None else None
    if _DAY.fullmatch(day):
        try:
            chosen = date.fromisoformat(day)
        except ValueError:
            return None, None
        return model.position_at(end_of_day_utc(chosen)), chosen
    return None, None


def advice_data(model: ReadModel, advice_id: str, today: date, request: web.Request) -> Any:
    """What the advice page shows, as recorded now or then (`tot`, `vastgelegdOp`)."""
    upto, then = _as_recorded(request, model)
    as_of = min(then, today) if then is not None else today
    view = model.advice(advice_id, as_of, upto)
    if view is None:
        return None
    decisions = []
    for decision_id in view["decisions"]:
        doc = model.doc(decision_id, upto)
        if doc is not None:
            made = model.history(decision_id, upto)
            decisions.append({**doc, "actor": made[0]["actor"] if made else None})
    return {
        "advice": view,
        "decisions": decisions,
        "body": model.doc(view["body_id"], upto),
        "timeline": timeline(model.history(advice_id, upto), decisions, advice_id),
        "upto": upto,
        "then": then,
    }


@page
async def advice_page(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)
    advice_id = record_id(request)
    today = site.today()
    data = await site.read(
        municipality, lambda model: advice_data(model, advice_id, today, request)
    )
    if data is None:
        raise PageError(404, "Dit advies bestaat niet, of was op die datum nog niet vastgelegd.")
    return await render_for(request, municipality, "advice.html", data)


@page
async def statistics_page(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)
    today = site.today()

    def work(model: ReadModel) -> dict[str, Any]:
        bodies, years = _bodies(model), public.years(model)
        filters = _filters(request, bodies, years)
        listed = model.advice_list(today)
        chosen = [
            v
            for v in listed
            if filters["body"] in ("", v["body_id"]) and filters["year"] in (None, views.year_of(v))
        ]
        table = views.statistics_table(listed)
        return {
            "bodies": bodies,
            "years": years,
            "filters": filters,
            "stats": views.statistics(chosen),
            "table": table,
        }

    data = await site.read(municipality, work)
    data["charts"] = charts.for_statistics(data["stats"], data["table"])
    return await render_for(request, municipality, "statistics.html", data)


@page
async def statistics_csv(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)
    rows = await site.read(municipality, lambda model: model.statistics_table(site.today()))
    rows_of_table = [answers.Statistiekrij.model_validate(row) for row in rows]
    response = csv.response(answers.Statistiekrij, rows_of_table)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="jaarverslag-adviezen-{municipality}.csv"'
    )
    return response
