"""Every GET of the contract's resources and views, answered from the read models after they have
caught up with the log (read-your-writes), at a business date and optionally as recorded up to a
moment (time travel). Each runs whole on a worker thread (see pipeline.py)."""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Final
from urllib.parse import urlencode

from aiohttp import web
from pydantic import BaseModel

from api.http import answers as A  # noqa: N812 - A reads as the table of answers it is
from api.http import csv
from api.http.events import history_item, log_event
from api.http.fields import Answer
from api.http.pipeline import Call, Route, json_response
from api.http.problems import ProblemError
from api.http.queries import (
    AdviceFilters,
    BoardQuery,
    EventsQuery,
    PagedQuery,
    PointFilters,
    ReadQuery,
    StatisticsQuery,
    TableQuery,
)
from api.http.reading import (
    ADVICE,
    BOARD,
    BODIES,
    DECISIONS,
    DOSSIERS,
    EVENTS,
    HISTORY,
    POINTS,
    REQUESTS,
    TABLE,
    answer_list,
    answer_one,
    context_of,
    found_points,
    not_found,
    read,
)
from events import Role
from ledger.rules import LOG_READING_ROLES, READING_ROLES
from projections import ReadModel
from projections.log import LogRow
from projections.point_list import Filters
from projections.records import AdviceView, FollowUpItem, PointRow

EVENT_SCAN_PAGE: Final = 1000


def _kind_list(kind: str, envelope: type[Answer]) -> Callable[[Call], web.Response]:
    def work(call: Call) -> web.Response:
        return answer_list(call, envelope, read(call, lambda m, _day, upto: m.docs(kind, upto)))

    return work


def _kind_item(kind: str, model: type[Answer]) -> Callable[[Call], web.Response]:
    def work(call: Call) -> web.Response:
        record_id = str(call.path_id())
        doc = read(call, lambda m, _day, upto: m.doc(record_id, upto))
        return answer_one(call, model, doc if doc is not None and doc["kind"] == kind else None)

    return work


def list_requests(call: Call) -> web.Response:
    return answer_list(call, REQUESTS, read(call, lambda m, _day, upto: m.requests(upto)))


def get_request(call: Call) -> web.Response:
    record_id = str(call.path_id())
    return answer_one(
        call, A.Adviesaanvraag, read(call, lambda m, _d, upto: m.request(record_id, upto))
    )


def list_decisions(call: Call) -> web.Response:
    return answer_list(call, DECISIONS, read(call, lambda m, _day, upto: m.decisions(upto)))


def get_decision(call: Call) -> web.Response:
    record_id = str(call.path_id())
    return answer_one(call, A.Besluit, read(call, lambda m, _d, upto: m.decision(record_id, upto)))


def get_dossier(call: Call) -> web.Response:
    record_id = str(call.path_id())
    view = read(call, lambda m, day, upto: m.dossier(record_id, day, upto))
    return answer_one(call, A.Dossieroverzicht, view)


def get_advice(call: Call) -> web.Response:
    """One advice, its encoded answer kept by (municipality, views position, advice, business
    date): see answer_cache.py."""
    advice_id, cache = str(call.path_id()), call.services.answers

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


def list_points(call: Call) -> web.Response:
    query = call.query_as(PointFilters)
    overdue = None if query.verlopen is None else query.verlopen == "true"

    def work(model: ReadModel, as_of: date, upto: int | None) -> Sequence[PointRow]:
        found = found_points(model, query.zoek, upto)
        return model.points(
            as_of,
            upto,
            Filters(query.adviesorgaan, query.dossier, query.uitkomst, query.jaar, overdue, found),
        )

    return answer_list(call, POINTS, read(call, work))


def advice_history(call: Call) -> web.Response:
    advice_id = str(call.path_id())

    def work(model: ReadModel, _as_of: date, upto: int | None) -> list[dict[str, Any]] | None:
        doc = model.doc(advice_id, upto)
        if doc is None or doc["kind"] != "advice":
            return None
        return model.history(advice_id, upto)

    items = read(call, work)
    if items is None:
        raise not_found()
    return answer_list(call, HISTORY, [history_item(i) for i in items])


def _body_for_board(call: Call) -> str | None:
    """The body whose board is asked: a `lid` gets its own by default (another body is 403);
    every other role the whole municipality, or the body it names."""
    asked, caller = call.query_as(BoardQuery).adviesorgaan, call.caller
    if caller.role is Role.MEMBER:
        own = str(caller.body_id)
        if asked is not None and asked != own:
            raise ProblemError(403, "Een lid ziet alleen de volglijst van het eigen adviesorgaan.")
        return own
    return asked


def follow_up_board(call: Call) -> web.Response:
    body_id = _body_for_board(call)

    def work(model: ReadModel, as_of: date, upto: int | None) -> list[FollowUpItem] | None:
        if body_id is not None:
            body = model.doc(body_id, upto)
            if body is None or body["kind"] != "body":
                return None
        return model.follow_up_board(body_id, as_of, upto)

    items = read(call, work)
    if items is None:
        raise not_found()
    return answer_list(call, BOARD, items)


def statistics(call: Call) -> web.Response:
    query = call.query_as(StatisticsQuery)
    stats = read(call, lambda m, day, upto: m.statistics(day, upto, query.adviesorgaan, query.jaar))
    answer = A.Statistieken.model_validate(stats)
    if csv.wanted(call.request.headers.get("Accept")):
        return csv.response(A.Statistieken, [answer])
    return json_response(answer)


def statistics_table(call: Call) -> web.Response:
    query = call.query_as(TableQuery)
    rows = read(
        call, lambda m, day, upto: m.statistics_table(day, upto, query.jaar_van, query.jaar_tot)
    )
    return answer_list(call, TABLE, rows)


def list_events(call: Call) -> web.Response:
    """The municipality's own log in order, as recorded up to `vastgelegdTot` when given; with
    `type`, only the events of that kind."""
    query = call.query_as(EventsQuery)
    start, limit = query.vanaf, query.limiet
    wanted = query.type  # the English class name

    def work(model: ReadModel, _as_of: date, upto: int | None) -> list[LogRow]:
        if query.vastgelegd_tot is not None and not upto:
            return []
        if wanted is None:
            return model.log.read(after=start - 1, limit=limit + 1, upto=upto)
        found: list[LogRow] = []
        after = start - 1
        while len(found) <= limit:
            page = model.log.read(after=after, limit=EVENT_SCAN_PAGE, upto=upto)
            found.extend(row for row in page if row.type == wanted)
            if len(page) < EVENT_SCAN_PAGE:
                break
            after = page[-1].position
        return found[: limit + 1]

    rows = read(call, work)
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        kept = {k: v for k, v in call.request.query.items() if k != "vanaf"}
        following = f"{call.request.path}?{urlencode({**kept, 'vanaf': rows[-1].position + 1})}"
    items = [log_event(row) for row in rows]
    if csv.wanted(call.request.headers.get("Accept")):
        return csv.response(A.Gebeurtenis, [A.Gebeurtenis.model_validate(i) for i in items])
    return json_response(EVENTS.model_validate({"gebeurtenissen": items, "volgende": following}))


def _get(
    path: str,
    work: Callable[[Call], web.Response],
    operation_id: str,
    summary: str,
    response: type[BaseModel],
    query: type[ReadQuery] = ReadQuery,
    **more: Any,
) -> Route:
    return Route(
        "GET",
        path,
        operation_id,
        summary,
        tag=path.strip("/").split("/")[0],
        roles=more.pop("roles", READING_ROLES),
        work=work,
        query=query,
        response=response,
        **more,
    )


# fmt: off
ROUTES: Final = (
    _get("/adviesorganen", _kind_list("body", BODIES), "lijstAdviesorganen", "Adviesorganen",
         BODIES, PagedQuery, csv=True),
    _get("/adviesorganen/{id}", _kind_item("body", A.Adviesorgaan), "haalAdviesorgaan",
         "Eén adviesorgaan", A.Adviesorgaan),
    _get("/dossiers", _kind_list("dossier", DOSSIERS), "lijstDossiers", "Dossiers", DOSSIERS,
         PagedQuery, csv=True),
    _get("/dossiers/{id}", get_dossier, "haalDossier",
         "Eén dossier met zijn adviezen (en hun uitkomsten) en besluiten", A.Dossieroverzicht),
    _get("/adviesaanvragen", list_requests, "lijstAdviesaanvragen",
         "Adviesaanvragen, met de adviezen erop en of het eerste op tijd kwam", REQUESTS,
         PagedQuery, csv=True),
    _get("/adviesaanvragen/{id}", get_request, "haalAdviesaanvraag",
         "Eén adviesaanvraag, met de adviezen erop en of het eerste op tijd kwam",
         A.Adviesaanvraag),
    _get("/adviezen", list_advice, "lijstAdviezen", "Adviezen, te filteren en te doorzoeken",
         ADVICE, AdviceFilters, csv=True),
    _get("/adviezen/{id}", get_advice, "haalAdvies",
         "Eén advies met per punt de uitkomst (ETag: de versie)", A.Advies),
    _get("/adviezen/{id}/historie", advice_history, "haalHistorie",
         "Elke gebeurtenis van één advies, oudste eerst", HISTORY, csv=True),
    _get("/besluiten", list_decisions, "lijstBesluiten", "Besluiten", DECISIONS, PagedQuery,
         csv=True),
    _get("/besluiten/{id}", get_decision, "haalBesluit", "Eén besluit", A.Besluit),
    _get("/punten", list_points, "lijstPunten",
         "Elk punt van de niet ingetrokken adviezen, nieuwste advies eerst; te filteren en te "
         "doorzoeken", POINTS, PointFilters, csv=True),
    _get("/volglijst", follow_up_board, "haalVolglijst",
         "Wat er nog gevolgd moet worden: één item per punt en reden", BOARD, BoardQuery,
         errors=frozenset({404}), csv=True,
         description="Een lid krijgt standaard de volglijst van het eigen adviesorgaan (een ander "
         "adviesorgaan geeft 403); elke andere rol die van de hele gemeente, of van het genoemde "
         "adviesorgaan. Ingetrokken adviezen tellen niet mee."),
    _get("/statistieken", statistics, "haalStatistieken",
         "Uitkomsten per adviesorgaan en/of jaar", A.Statistieken, StatisticsQuery, csv=True),
    _get("/statistieken/tabel", statistics_table, "haalStatistiekentabel",
         "De cijfers per adviesorgaan en jaar (voor het jaarverslag), op naam en jaar", TABLE,
         TableQuery, csv=True),
    _get("/gebeurtenissen", list_events, "lijstGebeurtenissen",
         "De gebeurtenissen van de gemeente, in volgorde van de log", EVENTS, EventsQuery,
         roles=LOG_READING_ROLES, csv=True),
)
# fmt: on
