"""Signing in and out (a token exchanged for a session cookie), the volglijst of a body, and the
wederwoord form."""

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from aiohttp import web
from aiohttp_session import get_session

from api.http.auth import Principal
from api.pages.forms import Form
from api.pages.public import record_id
from api.pages.render import page, render, render_for
from api.pages.session import actor_of, checked_form, require, start_session
from api.pages.site import OFFICE_ROLES, PageError, Redirect, site_of
from api.pages.words import FOLLOW_UP, FOLLOW_UP_ORDER
from api.vocabulary import VERDICTS
from events import Role
from ledger import LedgerError
from projections import ReadModel


def _safe_next(target: str, municipality: str) -> str:
    """Only a path of this site (never `//elsewhere`), else the volglijst."""
    # Browsers read `/\\host` as `//host` (another site): no backslash, no control character.
    plain = "\\" not in target and all(c.isprintable() for c in target)
    if plain and target.startswith("/") and not target.startswith("//"):
        return target if not urlsplit(target).netloc else f"/{municipality}/volglijst"
    return f"/{municipality}/volglijst"


@page
async def sign_in_form(request: web.Request) -> web.StreamResponse:
    form = Form({"terug": request.query.get("terug", "")})
    return await render(request, "sign_in.html", {"form": form, "form_page": True})


@page
async def sign_in(request: web.Request) -> web.StreamResponse:
    posted = await checked_form(request)
    form = Form.of(posted, ["token", "terug"])
    secret = form.get("token")
    site = site_of(request)
    token = None
    if not secret:
        form.error("token", "Vul uw token in.")
    else:
        token = await site.run(lambda: site.services.edge_store.find_token(secret))
        if token is None:
            form.error("token", "Dit token is onbekend of ingetrokken.")
    if token is None:
        form.values["token"] = ""  # a secret is never sent back
        return await render(request, "sign_in.html", {"form": form, "form_page": True}, 400)
    principal = Principal.of(token)
    await start_session(request, principal)
    raise Redirect(_safe_next(form.get("terug"), principal.municipality))


@page
async def sign_out(request: web.Request) -> web.StreamResponse:
    await checked_form(request)
    session = await get_session(request)
    session.invalidate()
    return await render(request, "signed_out.html", {"user_left": True})


def _sorted_items(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The board's items, each with what it means and what to do, overdue first."""
    order = {reason: index for index, reason in enumerate(FOLLOW_UP_ORDER)}
    shown = [
        {**item, "label": FOLLOW_UP[item["reason"]][0], "todo": FOLLOW_UP[item["reason"]][1]}
        for item in items
    ]
    return sorted(
        shown, key=lambda i: (order[i["reason"]], i["due_on"], i["advice_title"], i["point"])
    )


@page
async def follow_up(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)
    principal = await require(request, municipality)
    # A member sees its own body; the secretariat (and auditors) every body, or one they choose.
    chosen = request.query.get("adviesorgaan", "")
    body_id = str(principal.body_id) if principal.role is Role.MEMBER else (chosen or None)
    today = site.today()

    def work(model: ReadModel) -> dict[str, Any]:
        bodies = sorted(model.docs("body"), key=lambda b: str(b["name"]).casefold())
        known = body_id if any(b["id"] == body_id for b in bodies) else None
        return {
            "items": _sorted_items(model.follow_up_board(known, today)),
            "bodies": bodies,
            "body_id": known,
        }

    data = await site.read(municipality, work)
    return await render_for(request, municipality, "follow_up.html", data)


def _may_rejoin(principal: Principal, advice: Mapping[str, Any]) -> bool:
    if principal.role in OFFICE_ROLES:
        return True
    return principal.role is Role.MEMBER and str(principal.body_id) == advice["body_id"]


async def _rejoinder_page(
    request: web.Request, municipality: str, advice_id: str, form: Form, status: int = 200
) -> web.StreamResponse:
    site = site_of(request)
    today = site.today()
    advice = await site.read(municipality, lambda model: model.advice(advice_id, today))
    if advice is None:
        raise PageError(404)
    principal = await require(request, municipality)
    if not _may_rejoin(principal, advice):
        raise PageError(403, "Alleen het adviesorgaan dat dit advies gaf geeft een wederwoord.")
    answered = [p for p in advice["points"] if p["outcome"] != "pending"]
    return await render_for(
        request,
        municipality,
        "rejoinder.html",
        {
            "advice": advice,
            "answered": answered,
            "form": form,
        },
        status,
    )


@page
async def rejoinder_form(request: web.Request) -> web.StreamResponse:
    municipality = await site_of(request).municipality(request)
    advice_id = record_id(request)
    await require(request, municipality)
    form = Form({"punt": request.query.get("punt", ""), "oordeel": "", "tekst": ""})
    return await _rejoinder_page(request, municipality, advice_id, form)


@page
async def rejoinder(request: web.Request) -> web.StreamResponse:
    site = site_of(request)
    municipality = await site.municipality(request)
    advice_id = record_id(request)
    principal = await require(request, municipality)
    form = Form.of(await checked_form(request), ["punt", "oordeel", "tekst"])
    point = None
    if form.get("punt") not in ("", "alle"):
        point = form.number("punt", "een punt")
    if form.get("oordeel") not in VERDICTS.choices:
        form.error("oordeel", "Kies of u tevreden of ontevreden bent.")
    text = form.required("tekst", "uw wederwoord")
    if form.ok and text is not None:
        actor = actor_of(request, principal)
        verdict = VERDICTS.english(form.get("oordeel"))
        try:
            await site.run(
                lambda: site.services.ledgers[municipality].give_rejoinder(
                    actor, advice_id=UUID(advice_id), verdict=verdict, text=text, point=point
                )
            )
        except LedgerError as error:
            form.refused(
                error, "give_rejoinder", {"punt": "punt", "tekst": "tekst", "oordeel": "oordeel"}
            )
        else:
            raise Redirect(f"/{municipality}/adviezen/{advice_id}?vastgelegd=wederwoord")
    return await _rejoinder_page(request, municipality, advice_id, form, 400)
