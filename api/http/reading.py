"""What every GET shares: reading once the views caught up (or on the event loop while they are
current), time travel, the envelopes of lists (paged or whole) and their CSV, one record or 404."""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Final, TypeVar
from urllib.parse import urlencode

from aiohttp import web
from pydantic import BaseModel, Field, create_model

from api.http import answers as A  # noqa: N812 - A reads as the table of answers it is
from api.http import csv
from api.http.fields import Answer, Count, moment
from api.http.pipeline import Call, OffTheLoop, Route, json_response
from api.http.problems import InvalidParam, ProblemError, invalid
from api.http.queries import (
    PagedQuery,
    ReadQuery,
)
from ledger.rules import READING_ROLES
from projections import ReadModel

T = TypeVar("T")
Read = Callable[[ReadModel, date, int | None], T]


def read(call: Call, work: Read[T]) -> T:
    """Once the views hold every event committed before this request: `work` at the business
    date (`peildatum`), up to the log position recorded at `vastgelegdTot`."""
    query = call.query_as(ReadQuery)
    model, wait = call.read_model, call.services.settings.read_wait_seconds
    as_of = query.peildatum or call.services.ledgers.today()
    until = moment_of(query.vastgelegd_tot) if query.vastgelegd_tot is not None else None
    if call.on_loop and until is not None:
        raise OffTheLoop  # time travel replays the record's log: not on the event loop
    try:
        if not call.on_loop:
            call.views_position = model.ensure_current(timeout=wait)
        else:
            position = model.current_position()
            if position is None:
                raise OffTheLoop  # a catch-up may take a while: not on the event loop
            call.views_position = position
    except TimeoutError:
        msg = "De overzichten lopen achter op de log; probeer het zo opnieuw."
        raise ProblemError(503, msg, headers={"Retry-After": "1"}) from None
    return work(model, as_of, model.position_at(until) if until is not None else None)


def moment_of(raw: str) -> str:
    try:
        return moment(datetime.fromisoformat(raw))
    except ValueError:
        raise invalid([InvalidParam("vastgelegdTot", "Geen bestaand moment.")]) from None


def not_found() -> ProblemError:
    return ProblemError(
        404, "Dit record bestaat niet in deze gemeente (of nog niet op dat moment)."
    )


def context_of(call: Call) -> dict[str, str]:
    return {"municipality": call.caller.municipality}


def page_of(name: str, key: str, item: type[Answer]) -> type[Answer]:
    """The envelope of a paged list: `{<key>: [...], totaal, volgende}`."""
    following = (str | None, Field(description="Pad van de volgende pagina."))
    items = list[item]  # type: ignore[valid-type]
    fields: dict[str, Any] = {key: (items, ...), "totaal": (Count, ...), "volgende": following}
    return create_model(name, __base__=Answer, **fields)


def whole_of(name: str, key: str, item: type[Answer]) -> type[Answer]:
    """The envelope of a list answered whole: `{<key>: [...]}`."""
    fields: dict[str, Any] = {key: (list[item], ...)}  # type: ignore[valid-type]
    return create_model(name, __base__=Answer, **fields)


def answer_list(call: Call, envelope: type[Answer], views: Sequence[Any]) -> web.Response:
    """A list as JSON (paged when its envelope is), or as CSV, all pages at once, when asked."""
    key = next(iter(envelope.model_fields))
    item: type[BaseModel] = envelope.model_fields[key].annotation.__args__[0]  # type: ignore[union-attr]
    context = context_of(call)
    if csv.wanted(call.request.headers.get("Accept")):
        return csv.response(item, [item.model_validate(v, context=context) for v in views])
    if "totaal" not in envelope.model_fields:
        return json_response(envelope.model_validate({key: views}, context=context))
    query = call.query_as(PagedQuery)
    page, size = query.pagina, query.pagina_grootte
    start = (page - 1) * size
    following = None
    if start + size < len(views):
        kept = {k: v for k, v in call.request.query.items() if k != "pagina"}
        following = f"{call.request.path}?{urlencode({**kept, 'pagina': page + 1})}"
    data = {key: views[start : start + size], "totaal": len(views), "volgende": following}
    return json_response(envelope.model_validate(data, context=context))


def answer_one(
    call: Call, model: type[Answer], view: Any, headers: dict[str, str] | None = None
) -> web.Response:
    if view is None:
        raise not_found()
    return json_response(model.model_validate(view, context=context_of(call)), headers=headers)


def found_points(
    model: ReadModel, query: str | None, upto: int | None
) -> set[tuple[str, int]] | None:
    """The points `zoek` finds (None without `zoek`)."""
    return None if query is None else model.search(query, upto)


def get_route(
    path: str,
    work: Callable[[Call], web.Response],
    operation_id: str,
    summary: str,
    response: type[BaseModel],
    query: type[ReadQuery] = ReadQuery,
    **more: Any,
) -> Route:
    """A GET operation: its tag is the first segment of its path; read by the reading roles
    unless `roles=` says otherwise."""
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


BODIES: Final = page_of("Adviesorganen", "adviesorganen", A.Adviesorgaan)
DOSSIERS: Final = page_of("Dossiers", "dossiers", A.Dossier)
REQUESTS: Final = page_of("Adviesaanvragen", "adviesaanvragen", A.Adviesaanvraag)
ADVICE: Final = page_of("Adviezen", "adviezen", A.Advies)
DECISIONS: Final = page_of("Besluiten", "besluiten", A.Besluit)
POINTS: Final = page_of("Punten", "punten", A.PuntItem)
HISTORY: Final = whole_of("Historie", "gebeurtenissen", A.HistorieItem)
BOARD: Final = whole_of("Volglijst", "items", A.VolglijstItem)
TABLE: Final = whole_of("Statistiekentabel", "rijen", A.Statistiekrij)
EVENTS: Final = create_model(
    "Gebeurtenissen",
    __base__=Answer,
    gebeurtenissen=(list[A.Gebeurtenis], ...),
    volgende=(str | None, Field(description="Pad van de volgende reeks.")),
)
