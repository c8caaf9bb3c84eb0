"""The GETs of the views across records: the points, the follow-up board, the statistics and the
municipality's log, answered like every read (see reading.py)."""

from collections.abc import Sequence
from datetime import date
from typing import Final
from urllib.parse import urlencode

from aiohttp import web

from api.http import answers as A  # noqa: N812 - A reads as the table of answers it is
from api.http import csv
from api.http.events import log_event
from api.http.pipeline import Call, json_response
from api.http.problems import ProblemError
from api.http.queries import (
    BoardQuery,
    EventsQuery,
    PointFilters,
    StatisticsQuery,
    TableQuery,
)
from api.http.reading import (
    BOARD,
    EVENTS,
    POINTS,
    TABLE,
    answer_list,
    found_points,
    get_route,
    not_found,
    read,
)
from events import Role
from ledger.rules import LOG_READING_ROLES
from projections import ReadModel
from projections.log import LogRow
from projections.point_list import Filters
from projections.records import FollowUpItem, PointRow

EVENT_SCAN_PAGE: Final = 1000


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


# fmt: off
ROUTES: Final = (
    get_route("/punten", list_points, "lijstPunten",
         "Elk punt van de niet ingetrokken adviezen, nieuwste advies eerst; te filteren en te "
         "doorzoeken", POINTS, PointFilters, csv=True),
    get_route("/volglijst", follow_up_board, "haalVolglijst",
         "Wat er nog gevolgd moet worden: één item per punt en reden", BOARD, BoardQuery,
         errors=frozenset({404}), csv=True,
         description="Een lid krijgt standaard de volglijst van het eigen adviesorgaan (een ander "
         "adviesorgaan geeft 403); elke andere rol die van de hele gemeente, of van het genoemde "
         "adviesorgaan. Ingetrokken adviezen tellen niet mee."),
    get_route("/statistieken", statistics, "haalStatistieken",
         "Uitkomsten per adviesorgaan en/of jaar", A.Statistieken, StatisticsQuery, csv=True),
    get_route("/statistieken/tabel", statistics_table, "haalStatistiekentabel",
         "De cijfers per adviesorgaan en jaar (voor het jaarverslag), op naam en jaar", TABLE,
         TableQuery, csv=True),
    get_route("/gebeurtenissen", list_events, "lijstGebeurtenissen",
         "De gebeurtenissen van de gemeente, in volgorde van de log", EVENTS, EventsQuery,
         roles=LOG_READING_ROLES, csv=True),
)
# fmt: on
