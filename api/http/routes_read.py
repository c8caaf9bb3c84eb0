"""Every GET of the contract's resources and views, answered from the read models after they have
caught up with the log (read-your-writes), at a business date and optionally as recorded up to a
moment (time travel)."""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Final, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from aiohttp import web

from api.http import csv, translate
from api.http import read_schemas as R  # noqa: N812 - R reads as the schema table it is
from api.http.pipeline import Call, Route, json_response
from api.http.problems import InvalidParam, ProblemError, invalid
from api.http.schemas import ID, LARGEST_QUERY_INTEGER, NamedSchema, Schema, moment, named
from api.vocabulary import ADVICE_STATUSES, EVENT_TYPES_ENGLISH, OUTCOMES
from events import Role
from ledger.rules import LOG_READING_ROLES, READING_ROLES
from projections import ReadModel
from projections.log import LogRow

T = TypeVar("T")
READERS: Final = READING_ROLES
AUDITORS: Final = LOG_READING_ROLES
_STATUS_WORDS: Final = {nl: en for en, nl in ADVICE_STATUSES.items()}


def _moment(raw: str) -> str:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise invalid([InvalidParam("vastgelegdTot", "Geen bestaand moment.")]) from None
    return moment(value)


def _as_of(call: Call) -> date:
    raw = call.query.get("peildatum")
    if raw is None:
        return call.services.ledgers.today()
    return date.fromisoformat(raw)


async def _read(call: Call, work: Callable[[ReadModel, date, int | None], T]) -> T:
    """Wait until the views hold every event committed before this request, then read."""
    model, wait = call.read_model, call.services.settings.read_wait_seconds
    as_of = _as_of(call)
    raw_moment = call.query.get("vastgelegdTot")
    until = _moment(raw_moment) if raw_moment is not None else None

    def run() -> T:
        try:
            model.ensure_current(timeout=wait)
        except TimeoutError:
            msg = "De overzichten lopen achter op de log; probeer het zo opnieuw."
            raise ProblemError(503, msg, headers={"Retry-After": "1"}) from None
        upto = model.position_at(until) if until is not None else None
        return work(model, as_of, upto)

    return await call.run(run)


def _not_found() -> ProblemError:
    return ProblemError(
        404, "Dit record bestaat niet in deze gemeente (of nog niet op dat moment)."
    )


def _id_text(call: Call) -> str:
    return str(call.path_id())


def _item_schema(schema: NamedSchema, key: str) -> Schema:
    items: Schema = schema.schema["properties"][key]["items"]
    return items


def _answer(
    call: Call, key: str, items: list[Any], schema: NamedSchema, paged: bool
) -> web.Response:
    """A list as JSON (paged when `paged`), or as CSV, all pages at once, when asked for."""
    if csv.wanted(call.request.headers.get("Accept")):
        return csv.response(csv.columns(_item_schema(schema, key)), items)
    if not paged:
        return json_response({key: items})
    page, size = call.query["pagina"], call.query["paginaGrootte"]
    start = (page - 1) * size
    following = None
    if start + size < len(items):
        query = {k: v for k, v in call.request.query.items() if k != "pagina"}
        following = f"{call.request.path}?{urlencode({**query, 'pagina': page + 1})}"
    return json_response(
        {key: items[start : start + size], "totaal": len(items), "volgende": following}
    )


def _kind_list(kind: str, key: str, shape: Callable[[dict[str, Any], str], Any]) -> Any:
    async def handler(call: Call) -> web.Response:
        municipality = call.caller.municipality
        docs = await _read(call, lambda model, _as_of, upto: model.docs(kind, upto))
        items = [shape(doc, municipality) for doc in docs]
        return _answer(call, key, items, LISTS[key], paged=True)

    return handler


def _kind_item(kind: str, shape: Callable[[dict[str, Any], str], Any]) -> Any:
    async def handler(call: Call) -> web.Response:
        record_id = _id_text(call)
        doc = await _read(call, lambda model, _as_of, upto: model.doc(record_id, upto))
        if doc is None or doc["kind"] != kind:
            raise _not_found()
        return json_response(shape(doc, call.caller.municipality))

    return handler


async def list_requests(call: Call) -> web.Response:
    views = await _read(call, lambda model, _as_of, upto: model.requests(upto))
    items = [translate.request(v, call.caller.municipality) for v in views]
    return _answer(call, "adviesaanvragen", items, LISTS["adviesaanvragen"], paged=True)


async def get_request(call: Call) -> web.Response:
    record_id = _id_text(call)
    view = await _read(call, lambda model, _as_of, upto: model.request(record_id, upto))
    if view is None:
        raise _not_found()
    return json_response(translate.request(view, call.caller.municipality))


async def list_decisions(call: Call) -> web.Response:
    views = await _read(call, lambda model, _as_of, upto: model.decisions(upto))
    items = [translate.decision(v, call.caller.municipality) for v in views]
    return _answer(call, "besluiten", items, LISTS["besluiten"], paged=True)


async def get_decision(call: Call) -> web.Response:
    record_id = _id_text(call)
    view = await _read(call, lambda model, _as_of, upto: model.decision(record_id, upto))
    if view is None:
        raise _not_found()
    return json_response(translate.decision(view, call.caller.municipality))


async def get_dossier(call: Call) -> web.Response:
    record_id = _id_text(call)
    view = await _read(call, lambda model, as_of, upto: model.dossier(record_id, as_of, upto))
    if view is None:
        raise _not_found()
    return json_response(translate.dossier_overview(view, call.caller.municipality))


async def get_advice(call: Call) -> web.Response:
    advice_id = _id_text(call)
    view = await _read(call, lambda model, as_of, upto: model.advice(advice_id, as_of, upto))
    if view is None:
        raise _not_found()
    return json_response(
        translate.advice(view, call.caller.municipality), headers={"ETag": f'"{view["version"]}"'}
    )


def _id_query(call: Call, key: str) -> str | None:
    raw = call.query.get(key)
    return None if raw is None else str(UUID(raw))


def _found(call: Call, model: ReadModel, upto: int | None) -> set[tuple[str, int]] | None:
    """The points `zoek` finds (None without `zoek`)."""
    query = call.query.get("zoek")
    return None if query is None else model.search(query, upto)


def _point_filter(call: Call) -> Callable[[dict[str, Any]], bool]:
    """`uitkomst`, `jaar`, `verlopen` and `dossier` of the points view, on one point row."""
    query = call.query
    outcome = OUTCOMES.english(query["uitkomst"]).value if "uitkomst" in query else None
    year, dossier = query.get("jaar"), _id_query(call, "dossier")
    overdue = None if "verlopen" not in query else query["verlopen"] == "true"

    def keep(row: dict[str, Any]) -> bool:
        return (
            outcome in (None, row["outcome"])
            and year in (None, int(row["submitted_on"][:4]))
            and dossier in (None, row["dossier_id"])
            and overdue in (None, row["overdue"])
        )

    return keep


async def list_advice(call: Call) -> web.Response:
    query = call.query
    body_id = _id_query(call, "adviesorgaan")

    def work(model: ReadModel, as_of: date, upto: int | None) -> list[dict[str, Any]]:
        views = model.advice_list(as_of, upto, body_id)
        found = _found(call, model, upto)
        if found is not None:
            views = [v for v in views if any((v["id"], p["number"]) in found for p in v["points"])]
        return views

    views = await _read(call, work)
    if "dossier" in query:
        views = [v for v in views if v["dossier_id"] == _id_query(call, "dossier")]
    if "status" in query:
        views = [v for v in views if v["status"] == _STATUS_WORDS[query["status"]]]
    if "verlopen" in query:
        views = [v for v in views if v["overdue"] is (query["verlopen"] == "true")]
    if "uitkomst" in query:
        wanted = OUTCOMES.english(query["uitkomst"]).value
        views = [v for v in views if any(p["outcome"] == wanted for p in v["points"])]
    if "jaar" in query:
        views = [v for v in views if int(v["submitted_on"][:4]) == query["jaar"]]
    municipality = call.caller.municipality
    items = [translate.advice(v, municipality) for v in views]
    return _answer(call, "adviezen", items, LISTS["adviezen"], paged=True)


async def list_points(call: Call) -> web.Response:
    body_id = _id_query(call, "adviesorgaan")
    keep = _point_filter(call)

    def work(model: ReadModel, as_of: date, upto: int | None) -> list[dict[str, Any]]:
        rows = model.points(as_of, upto, body_id)
        found = _found(call, model, upto)
        return [
            r for r in rows if keep(r) and (found is None or (r["advice_id"], r["number"]) in found)
        ]

    rows = await _read(call, work)
    items = [translate.point_item(r) for r in rows]
    return _answer(call, "punten", items, LISTS["punten"], paged=True)


async def advice_history(call: Call) -> web.Response:
    advice_id = _id_text(call)

    def work(model: ReadModel, _as_of: date, upto: int | None) -> list[dict[str, Any]] | None:
        doc = model.doc(advice_id, upto)
        if doc is None or doc["kind"] != "advice":
            return None
        return model.history(advice_id, upto)

    items = await _read(call, work)
    if items is None:
        raise _not_found()
    history = [translate.history_item(i) for i in items]
    return _answer(call, "gebeurtenissen", history, R.HISTORY, paged=False)


def _body_for_board(call: Call) -> str | None:
    """The body whose board is asked: a `lid` gets its own by default (another body is 403);
    every other role the whole municipality, or the body it names."""
    asked = _id_query(call, "adviesorgaan")
    caller = call.caller
    if caller.role is Role.MEMBER:
        own = str(caller.body_id)
        if asked is not None and asked != own:
            raise ProblemError(403, "Een lid ziet alleen de volglijst van het eigen adviesorgaan.")
        return own
    return asked


async def follow_up_board(call: Call) -> web.Response:
    body_id = _body_for_board(call)

    def work(model: ReadModel, as_of: date, upto: int | None) -> list[dict[str, Any]] | None:
        if body_id is not None:
            body = model.doc(body_id, upto)
            if body is None or body["kind"] != "body":
                return None
        return model.follow_up_board(body_id, as_of, upto)

    items = await _read(call, work)
    if items is None:
        raise _not_found()
    board = [translate.follow_up_item(i) for i in items]
    return _answer(call, "items", board, R.FOLLOW_UP, paged=False)


async def statistics(call: Call) -> web.Response:
    body_id = _id_query(call, "adviesorgaan")
    year = call.query.get("jaar")
    stats = await _read(
        call, lambda model, as_of, upto: model.statistics(as_of, upto, body_id, year)
    )
    answer = translate.statistics(stats)
    if csv.wanted(call.request.headers.get("Accept")):
        return csv.response(csv.columns(R.STATISTICS.schema), [answer])
    return json_response(answer)


async def statistics_table(call: Call) -> web.Response:
    first, last = call.query.get("jaarVan"), call.query.get("jaarTot")
    rows = await _read(
        call, lambda model, as_of, upto: model.statistics_table(as_of, upto, first, last)
    )
    items = [translate.statistics_row(r) for r in rows]
    return _answer(call, "rijen", items, R.STATISTICS_TABLE, paged=False)


async def list_events(call: Call) -> web.Response:
    """The municipality's own log in order, as recorded up to `vastgelegdTot` when given; with
    `type`, only the events of that kind."""
    start, limit = call.query["vanaf"], call.query["limiet"]
    timed = "vastgelegdTot" in call.query
    wanted = EVENT_TYPES_ENGLISH.get(call.query.get("type", ""))

    def work(model: ReadModel, _as_of: date, upto: int | None) -> list[LogRow]:
        if timed and not upto:
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

    rows = await _read(call, work)
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        query = {k: v for k, v in call.request.query.items() if k != "vanaf"}
        following = f"{call.request.path}?{urlencode({**query, 'vanaf': rows[-1].position + 1})}"
    items = [translate.log_event(row) for row in rows]
    if csv.wanted(call.request.headers.get("Accept")):
        header = csv.columns(_item_schema(R.EVENTS, "gebeurtenissen"))
        return csv.response(header, items)
    return json_response({"gebeurtenissen": items, "volgende": following})


def _get(
    path: str,
    handler: Any,
    operation_id: str,
    summary: str,
    response: NamedSchema,
    query: Mapping[str, Schema] | None = None,
    paged: bool = False,
    **more: Any,
) -> Route:
    return Route(
        "GET",
        path,
        handler,
        operation_id=operation_id,
        summary=summary,
        tag=path.strip("/").split("/")[0],
        roles=READERS,
        query={**R.READ_QUERY, **(R.PAGE_QUERY if paged else {}), **(query or {})},
        response=response,
        **more,
    )


def _list(name: str, key: str, item: Schema) -> NamedSchema:
    return R.page_of(name, key, item)


def _one(name: str, schema: Schema) -> NamedSchema:
    return named(name, schema)


LISTS: Final[Mapping[str, NamedSchema]] = {
    "adviesorganen": _list("Adviesorganen", "adviesorganen", R.BODY),
    "dossiers": _list("Dossiers", "dossiers", R.DOSSIER),
    "adviesaanvragen": _list("Adviesaanvragen", "adviesaanvragen", R.REQUEST),
    "adviezen": _list("Adviezen", "adviezen", R.ADVICE),
    "besluiten": _list("Besluiten", "besluiten", R.DECISION),
    "punten": _list("Punten", "punten", R.POINT_ITEM),
}
YEAR: Final[Schema] = {"type": "integer", "minimum": 1900, "maximum": 2999}
SEARCH: Final[Schema] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 500,
    "description": "Zoeken in het Nederlands (woordvormen: `mantelzorger` vindt `mantelzorgers`) "
    "in de tekst, reactie en motivering van een punt en de titel van het advies.",
}
OVERDUE: Final[Schema] = {
    "type": "string",
    "enum": ["true", "false"],
    "description": "Alleen wat (niet) verlopen is op de peildatum.",
}
POINT_FILTERS: Final[Mapping[str, Schema]] = {
    "adviesorgaan": {**ID, "description": "Alleen de punten van dit adviesorgaan."},
    "dossier": {**ID, "description": "Alleen de punten van adviezen in dit dossier."},
    "uitkomst": {**R.OUTCOME, "description": "Alleen de punten met deze uitkomst."},
    "jaar": {**YEAR, "description": "Alleen de punten van adviezen uitgebracht in dit jaar."},
    "verlopen": OVERDUE,
    "zoek": SEARCH,
}
ADVICE_FILTERS: Final[Mapping[str, Schema]] = {
    "adviesorgaan": {**ID, "description": "Alleen de adviezen van dit adviesorgaan."},
    "dossier": {**ID, "description": "Alleen de adviezen in dit dossier."},
    "status": {**R.STATUS, "description": "Alleen de adviezen met deze status."},
    "verlopen": OVERDUE,
    "uitkomst": {
        **R.OUTCOME,
        "description": "Alleen de adviezen met minstens één punt met deze uitkomst.",
    },
    "jaar": {**YEAR, "description": "Alleen de adviezen uitgebracht in dit jaar."},
    "zoek": {
        **SEARCH,
        "description": "Alleen de adviezen met een punt dat dit vindt. " + SEARCH["description"],
    },
}
BOARD_OF: Final[Schema] = {
    **ID,
    "description": "Alleen dit adviesorgaan; een lid krijgt standaard het eigen adviesorgaan.",
}
STATISTICS_QUERY: Final[Mapping[str, Schema]] = {
    "adviesorgaan": {**ID, "description": "Alleen de adviezen van dit adviesorgaan."},
    "jaar": {**YEAR, "description": "Alleen de adviezen uitgebracht in dit jaar."},
}
TABLE_QUERY: Final[Mapping[str, Schema]] = {
    "jaarVan": {**YEAR, "description": "Vanaf dit jaar (inclusief)."},
    "jaarTot": {**YEAR, "description": "Tot en met dit jaar."},
}
READ_ERRORS: Final = frozenset({503})
EVENT_SCAN_PAGE: Final = 1000

# fmt: off
ROUTES: Final = [
    _get("/adviesorganen", _kind_list("body", "adviesorganen", translate.body),
         "lijstAdviesorganen", "Adviesorganen", LISTS["adviesorganen"], paged=True, csv=True),
    _get("/adviesorganen/{id}", _kind_item("body", translate.body), "haalAdviesorgaan",
         "Eén adviesorgaan", _one("AdviesorgaanWeergave", R.BODY)),
    _get("/dossiers", _kind_list("dossier", "dossiers", translate.dossier), "lijstDossiers",
         "Dossiers", LISTS["dossiers"], paged=True, csv=True),
    _get("/dossiers/{id}", get_dossier, "haalDossier",
         "Eén dossier met zijn adviezen (en hun uitkomsten) en besluiten",
         _one("Dossieroverzicht", R.DOSSIER_OVERVIEW)),
    _get("/adviesaanvragen", list_requests, "lijstAdviesaanvragen",
         "Adviesaanvragen, met de adviezen erop en of het eerste op tijd kwam",
         LISTS["adviesaanvragen"], paged=True, csv=True),
    _get("/adviesaanvragen/{id}", get_request, "haalAdviesaanvraag",
         "Eén adviesaanvraag, met de adviezen erop en of het eerste op tijd kwam",
         _one("AdviesaanvraagWeergave", R.REQUEST)),
    _get("/adviezen", list_advice, "lijstAdviezen", "Adviezen, te filteren en te doorzoeken",
         LISTS["adviezen"], ADVICE_FILTERS, paged=True, csv=True),
    _get("/adviezen/{id}", get_advice, "haalAdvies",
         "Eén advies met per punt de uitkomst (ETag: de versie)", _one("Advies", R.ADVICE)),
    _get("/adviezen/{id}/historie", advice_history, "haalHistorie",
         "Elke gebeurtenis van één advies, oudste eerst", R.HISTORY, csv=True),
    _get("/besluiten", list_decisions, "lijstBesluiten", "Besluiten", LISTS["besluiten"],
         paged=True, csv=True),
    _get("/besluiten/{id}", get_decision, "haalBesluit", "Eén besluit",
         _one("BesluitWeergave", R.DECISION)),
    _get("/punten", list_points, "lijstPunten",
         "Elk punt van de niet ingetrokken adviezen, nieuwste advies eerst; te filteren en te "
         "doorzoeken", LISTS["punten"], POINT_FILTERS, paged=True, csv=True),
    _get("/volglijst", follow_up_board, "haalVolglijst",
         "Wat er nog gevolgd moet worden: één item per punt en reden", R.FOLLOW_UP,
         {"adviesorgaan": BOARD_OF}, errors=frozenset({404}), csv=True,
         description="Een lid krijgt standaard de volglijst van het eigen adviesorgaan (een ander "
         "adviesorgaan geeft 403); elke andere rol die van de hele gemeente, of van het genoemde "
         "adviesorgaan. Ingetrokken adviezen tellen niet mee."),
    _get("/statistieken", statistics, "haalStatistieken",
         "Uitkomsten per adviesorgaan en/of jaar", R.STATISTICS, STATISTICS_QUERY, csv=True),
    _get("/statistieken/tabel", statistics_table, "haalStatistiekentabel",
         "De cijfers per adviesorgaan en jaar (voor het jaarverslag), op naam en jaar",
         R.STATISTICS_TABLE, TABLE_QUERY, csv=True),
    Route(
        "GET",
        "/gebeurtenissen",
        list_events,
        operation_id="lijstGebeurtenissen",
        summary="De gebeurtenissen van de gemeente, in volgorde van de log",
        tag="gebeurtenissen",
        roles=AUDITORS,
        query={
            **R.READ_QUERY,
            "vanaf": {
                "type": "integer",
                "minimum": 1,
                "maximum": LARGEST_QUERY_INTEGER,
                "default": 1,
                "description": "De eerste positie (inclusief).",
            },
            "limiet": {
                "type": "integer",
                "minimum": 1,
                "maximum": 1000,
                "default": 100,
                "description": "Hoeveel gebeurtenissen hoogstens.",
            },
            "type": R.EVENT_TYPE_QUERY,
        },
        response=R.EVENTS,
        csv=True,
    ),
]
# fmt: on
