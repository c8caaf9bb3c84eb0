"""Every GET of the contract's records (bodies, dossiers, requests, advice, decisions),
answered from the read models after they have caught up with the log (read-your-writes), at a
business date and optionally as recorded up to a moment (time travel); see reading.py for how a
read runs (on the event loop or a worker thread) and routes_views.py for the views across them."""

from collections.abc import Callable
from datetime import date
from typing import Any, Final

from aiohttp import web

from api.http import answers as A  # noqa: N812 - A reads as the table of answers it is
from api.http.events import history_item
from api.http.fields import Answer
from api.http.pipeline import Call
from api.http.queries import (
    AdviceFilters,
    PagedQuery,
)
from api.http.reading import (
    ADVICE,
    BODIES,
    DECISIONS,
    DOSSIERS,
    HISTORY,
    REQUESTS,
    answer_list,
    answer_one,
    context_of,
    found_points,
    get_route,
    not_found,
    read,
)
from projections import ReadModel
from projections.records import AdviceView


def _kind_list(kind: str, envelope: type[Answer]) -> Callable[[Call], web.Response]:
    def work(call: Call) -> web.Response:
        return answer_list(call, envelope, read(call, lambda m, _day, upto: m.docs(kind, upto)))

    return work


def _kind_item(kind: str, model: type[Answer]) -> Callable[[Call], web.Response]:
    def work(call: Call) -> web.Response:
        record_id = call.record_id()
        doc = read(call, lambda m, _day, upto: m.doc(record_id, upto))
        return answer_one(call, model, doc if doc is not None and doc["kind"] == kind else None)

    return work


def list_requests(call: Call) -> web.Response:
    return answer_list(call, REQUESTS, read(call, lambda m, _day, upto: m.requests(upto)))


def get_request(call: Call) -> web.Response:
    record_id = call.record_id()
    return answer_one(
        call, A.Adviesaanvraag, read(call, lambda m, _d, upto: m.request(record_id, upto))
    )


def list_decisions(call: Call) -> web.Response:
    return answer_list(call, DECISIONS, read(call, lambda m, _day, upto: m.decisions(upto)))


def get_decision(call: Call) -> web.Response:
    record_id = call.record_id()
    return answer_one(call, A.Besluit, read(call, lambda m, _d, upto: m.decision(record_id, upto)))


def get_dossier(call: Call) -> web.Response:
    record_id = call.record_id()
    view = read(call, lambda m, day, upto: m.dossier(record_id, day, upto))
    return answer_one(call, A.Dossieroverzicht, view)


def get_advice(call: Call) -> web.Response:
    """One advice, its encoded answer kept by (municipality, views position, advice, business
    date): see answer_cache.py."""
    advice_id, cache = call.record_id(), call.services.answers

    def work(model: ReadModel, as_of: date, upto: int | None) -> tuple[bytes, str] | None:
        key = (call.caller.municipality, call.views_position, advice_id, as_of)
        found = cache.get(key) if upto is None else None
        if found is not None:
            return found
        view = model.advice(advice_id, as_of, upto)
        if view is None:
            return None
        answer = A.Advies.model_validate(view, context=context_of(call))
        made = (answer.__pydantic_serializer__.to_json(answer, by_alias=True), view["version"])
        if upto is None:
            cache.put(key, (made[0], f'"{made[1]}"'))
        return made[0], f'"{made[1]}"'

    made = read(call, work)
    if made is None:
        raise not_found()
    body, etag = made
    return web.Response(body=body, content_type="application/json", headers={"ETag": etag})


def list_advice(call: Call) -> web.Response:
    query = call.query_as(AdviceFilters)

    def work(model: ReadModel, as_of: date, upto: int | None) -> list[AdviceView]:
        views = model.advice_list(as_of, upto, query.adviesorgaan, query.dossier)
        found = found_points(model, query.zoek, upto)
        overdue = None if query.verlopen is None else query.verlopen == "true"
        return [
            v
            for v in views
            if (found is None or any((v["id"], p["number"]) in found for p in v["points"]))
            and query.status in (None, v["status"])
            and overdue in (None, v["overdue"])
            and (query.uitkomst is None or any(p["outcome"] == query.uitkomst for p in v["points"]))
            and query.jaar in (None, int(v["submitted_on"][:4]))
        ]

    return answer_list(call, ADVICE, read(call, work))


def advice_history(call: Call) -> web.Response:
    advice_id = call.record_id()

    def work(model: ReadModel, _as_of: date, upto: int | None) -> list[dict[str, Any]] | None:
        doc = model.doc(advice_id, upto)
        if doc is None or doc["kind"] != "advice":
            return None
        return model.history(advice_id, upto)

    items = read(call, work)
    if items is None:
        raise not_found()
    return answer_list(call, HISTORY, [history_item(i) for i in items])


# fmt: off
ROUTES: Final = (
    get_route("/adviesorganen", _kind_list("body", BODIES), "lijstAdviesorganen", "Adviesorganen",
         BODIES, PagedQuery, csv=True),
    get_route("/adviesorganen/{id}", _kind_item("body", A.Adviesorgaan), "haalAdviesorgaan",
         "Eén adviesorgaan", A.Adviesorgaan, light=True),
    get_route("/dossiers", _kind_list("dossier", DOSSIERS), "lijstDossiers", "Dossiers", DOSSIERS,
         PagedQuery, csv=True),
    get_route("/dossiers/{id}", get_dossier, "haalDossier",
         "Eén dossier met zijn adviezen (en hun uitkomsten) en besluiten", A.Dossieroverzicht),
    get_route("/adviesaanvragen", list_requests, "lijstAdviesaanvragen",
         "Adviesaanvragen, met de adviezen erop en of het eerste op tijd kwam", REQUESTS,
         PagedQuery, csv=True),
    get_route("/adviesaanvragen/{id}", get_request, "haalAdviesaanvraag",
         "Eén adviesaanvraag, met de adviezen erop en of het eerste op tijd kwam",
         A.Adviesaanvraag, light=True),
    get_route("/adviezen", list_advice, "lijstAdviezen", "Adviezen, te filteren en te doorzoeken",
         ADVICE, AdviceFilters, csv=True),
    get_route("/adviezen/{id}", get_advice, "haalAdvies",
         "Eén advies met per punt de uitkomst (ETag: de versie)", A.Advies, light=True),
    get_route("/adviezen/{id}/historie", advice_history, "haalHistorie",
         "Elke gebeurtenis van één advies, oudste eerst", HISTORY, csv=True),
    get_route("/besluiten", list_decisions, "lijstBesluiten", "Besluiten", DECISIONS, PagedQuery,
         csv=True),
    get_route("/besluiten/{id}", get_decision, "haalBesluit", "Eén besluit", A.Besluit,
         light=True),
)
# fmt: on
