"""Every GET of the contract's resources and views, answered from the read models after they have
caught up with the log (read-your-writes), at a business date and optionally as recorded up to a
moment (time travel)."""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Final, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from aiohttp import web

from api import read_schemas as R  # noqa: N812 - R reads as the schema table it is
from api import translate
from api.middlewares import Call, Route, json_response
from api.problems import InvalidParam, ProblemError, invalid
from api.schemas import EVENTS, ID, LARGEST_QUERY_INTEGER, NamedSchema, Schema, moment, named
from api.vocabulary import ADVICE_STATUSES
from events import Role
from projections import ReadModel
from projections.log import LogRow

T = TypeVar("T")
READERS: Final = frozenset({Role.ADMINISTRATOR, Role.SECRETARIAT, Role.MEMBER, Role.AUDITOR})
AUDITORS: Final = frozenset({Role.AUDITOR})
READ_WAIT_SECONDS: Final = 5.0
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
    model = call.read_model
    as_of = _as_of(call)
    raw_moment = call.query.get("vastgelegdTot")
    until = _moment(raw_moment) if raw_moment is not None else None

    def run() -> T:
        try:
            model.ensure_current(timeout=READ_WAIT_SECONDS)
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


def _page(call: Call, key: str, items: list[Any]) -> web.Response:
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
        return _page(call, key, [shape(doc, municipality) for doc in docs])

    return handler


def _kind_item(kind: str, shape: Callable[[dict[str, Any], str], Any]) -> Any:
    async def handler(call: Call) -> web.Response:
        record_id = _id_text(call)
        doc = await _read(call, lambda model, _as_of, upto: model.doc(record_id, upto))
        if doc is None or doc["kind"] != kind:
            raise _not_found()
        return json_response(shape(doc, call.caller.municipality))

    return handler


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


async def list_advice(call: Call) -> web.Response:
    query = call.query
    views = await _read(call, lambda model, as_of, upto: model.advice_list(as_of, upto))
    if "adviesorgaan" in query:
        views = [v for v in views if v["body_id"] == str(UUID(query["adviesorgaan"]))]
    if "dossier" in query:
        views = [v for v in views if v["dossier_id"] == str(UUID(query["dossier"]))]
    if "status" in query:
        views = [v for v in views if v["status"] == _STATUS_WORDS[query["status"]]]
    if "verlopen" in query:
        views = [v for v in views if v["overdue"] is (query["verlopen"] == "true")]
    municipality = call.caller.municipality
    return _page(call, "adviezen", [translate.advice(v, municipality) for v in views])


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
    return json_response({"gebeurtenissen": [translate.history_item(i) for i in items]})


def _body_for_board(call: Call) -> str:
    """The body whose board is asked: required, except that a `lid` gets its own by default."""
    asked = call.query.get("adviesorgaan")
    caller = call.caller
    if caller.role is Role.MEMBER:
        own = str(caller.body_id)
        if asked is not None and str(UUID(asked)) != own:
            raise ProblemError(403, "Een lid ziet alleen de volglijst van het eigen adviesorgaan.")
        return own
    if asked is None:
        raise invalid([InvalidParam("adviesorgaan", "Noem het adviesorgaan van de volglijst.")])
    return str(UUID(asked))


async def follow_up_board(call: Call) -> web.Response:
    body_id = _body_for_board(call)

    def work(model: ReadModel, as_of: date, upto: int | None) -> list[dict[str, Any]] | None:
        body = model.doc(body_id, upto)
        if body is None or body["kind"] != "body":
            return None
        return model.follow_up_board(body_id, as_of, upto)

    items = await _read(call, work)
    if items is None:
        raise _not_found()
    return json_response({"items": [translate.follow_up_item(i) for i in items]})


async def statistics(call: Call) -> web.Response:
    asked = call.query.get("adviesorgaan")
    body_id = str(UUID(asked)) if asked is not None else None
    year = call.query.get("jaar")
    stats = await _read(
        call, lambda model, as_of, upto: model.statistics(as_of, upto, body_id, year)
    )
    return json_response(translate.statistics(stats))


async def list_events(call: Call) -> web.Response:
    """The municipality's own log in order, as recorded up to `vastgelegdTot` when given."""
    start, limit = call.query["vanaf"], call.query["limiet"]
    timed = "vastgelegdTot" in call.query

    def work(model: ReadModel, _as_of: date, upto: int | None) -> list[LogRow]:
        if timed and not upto:
            return []
        return model.log.read(after=start - 1, limit=limit + 1, upto=upto)

    rows = await _read(call, work)
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        query = {k: v for k, v in call.request.query.items() if k != "vanaf"}
        following = f"{call.request.path}?{urlencode({**query, 'vanaf': rows[-1].position + 1})}"
    items = [translate.log_event(row) for row in rows]
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


ADVICE_FILTERS: Final[Mapping[str, Schema]] = {
    "adviesorgaan": {**ID, "description": "Alleen de adviezen van dit adviesorgaan."},
    "dossier": {**ID, "description": "Alleen de adviezen in dit dossier."},
    "status": {**R.STATUS, "description": "Alleen de adviezen met deze status."},
    "verlopen": {
        "type": "string",
        "enum": ["true", "false"],
        "description": "Alleen de adviezen die (niet) verlopen zijn op de peildatum.",
    },
}
BOARD_OF: Final[Schema] = {
    **ID,
    "description": "Het adviesorgaan van de volglijst; verplicht, behalve voor een lid.",
}
STATISTICS_QUERY: Final[Mapping[str, Schema]] = {
    "adviesorgaan": {**ID, "description": "Alleen de adviezen van dit adviesorgaan."},
    "jaar": {
        "type": "integer",
        "minimum": 1900,
        "maximum": 2999,
        "description": "Alleen de adviezen uitgebracht in dit jaar.",
    },
}
READ_ERRORS: Final = frozenset({503})

# fmt: off
ROUTES: Final = [
    _get("/adviesorganen", _kind_list("body", "adviesorganen", translate.body),
         "lijstAdviesorganen", "Adviesorganen", _list("Adviesorganen", "adviesorganen", R.BODY),
         paged=True),
    _get("/adviesorganen/{id}", _kind_item("body", translate.body), "haalAdviesorgaan",
         "Eén adviesorgaan", _one("AdviesorgaanWeergave", R.BODY)),
    _get("/dossiers", _kind_list("dossier", "dossiers", translate.dossier), "lijstDossiers",
         "Dossiers", _list("Dossiers", "dossiers", R.DOSSIER), paged=True),
    _get("/dossiers/{id}", get_dossier, "haalDossier",
         "Eén dossier met zijn adviezen (en hun uitkomsten) en besluiten",
         _one("Dossieroverzicht", R.DOSSIER_OVERVIEW)),
    _get("/adviesaanvragen", _kind_list("request", "adviesaanvragen", translate.request),
         "lijstAdviesaanvragen", "Adviesaanvragen",
         _list("Adviesaanvragen", "adviesaanvragen", R.REQUEST), paged=True),
    _get("/adviesaanvragen/{id}", _kind_item("request", translate.request), "haalAdviesaanvraag",
         "Eén adviesaanvraag", _one("AdviesaanvraagWeergave", R.REQUEST)),
    _get("/adviezen", list_advice, "lijstAdviezen", "Adviezen, te filteren",
         _list("Adviezen", "adviezen", R.ADVICE), ADVICE_FILTERS, paged=True),
    _get("/adviezen/{id}", get_advice, "haalAdvies",
         "Eén advies met per punt de uitkomst (ETag: de versie)", _one("Advies", R.ADVICE)),
    _get("/adviezen/{id}/historie", advice_history, "haalHistorie",
         "Elke gebeurtenis van één advies, oudste eerst", R.HISTORY),
    _get("/besluiten", _kind_list("decision", "besluiten", translate.decision), "lijstBesluiten",
         "Besluiten", _list("Besluiten", "besluiten", R.DECISION), paged=True),
    _get("/besluiten/{id}", _kind_item("decision", translate.decision), "haalBesluit",
         "Eén besluit", _one("BesluitWeergave", R.DECISION)),
    _get("/volglijst", follow_up_board, "haalVolglijst",
         "Wat het adviesorgaan nog moet volgen: één item per punt en reden", R.FOLLOW_UP,
         {"adviesorgaan": BOARD_OF}, errors=frozenset({404}),
         description="`adviesorgaan` is verplicht, behalve voor een lid (standaard het eigen "
         "adviesorgaan; een ander adviesorgaan geeft 403). Ingetrokken adviezen tellen niet mee."),
    _get("/statistieken", statistics, "haalStatistieken",
         "Uitkomsten per adviesorgaan en/of jaar", R.STATISTICS, STATISTICS_QUERY),
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
        },
        response=EVENTS,
    ),
]
# fmt: on
