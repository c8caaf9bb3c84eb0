"""Every POST of the contract: its request model records one fact through one ledger command,
and the 201 answer shows the fact as stored."""

from typing import Final

from aiohttp import web

from api.http import idempotency
from api.http.fields import Named
from api.http.pipeline import Call, Route, json_response
from api.http.recorded import answer, created, recorded, row_of
from api.http.requests import (
    Command,
    NieuwAdvies,
    NieuwAdviesorgaan,
    NieuwBesluit,
    NieuwDossier,
    NieuweAdviesaanvraag,
    NieuweIntrekking,
    NieuweNakoming,
    NieuweReactie,
    NieuweTermijnwijziging,
    NieuweToezegging,
    NieuwWederwoord,
)
from events import Role
from ledger import Recorded
from ledger.rules import ADMINISTRATOR_ROLES, OFFICE_ROLES, WRITING_ROLES
from projections.log import LogRow


def record(call: Call) -> web.Response:
    """Run the body's command (once per Idempotency-Key) and answer 201 with what was stored."""
    assert call.body is not None
    body, expected = call.body, call.expected_version() if call.route.if_match else None
    key = call.idempotency_key()  # a malformed If-Match or key is invalid input, also on a replay
    target = call.target(expected)
    municipality = call.caller.municipality
    ledger = call.services.ledgers[municipality]
    if key is None:
        row = row_of(body.record(ledger, target))
    else:
        outcome = ledger.once(key, lambda: body.record(ledger, target))
        if isinstance(outcome, Recorded):
            row = row_of(outcome)
        else:
            idempotency.check_same_request(key, outcome)
            row = _stored_row(call, outcome.position)
    made = answer(row, municipality)
    headers = {"Location": made.location}
    if made.etag is not None:
        headers["ETag"] = made.etag
    return json_response(made.body, 201, headers)


def _stored_row(call: Call, position: int) -> LogRow:
    """The event a stored key recorded, to answer again."""
    rows = call.read_model.log.read(after=position - 1, limit=1)
    assert rows, "a stored key points at a stored event"
    return rows[0]


def _post(
    path: str,
    body: type[Command],
    response: Named,
    operation_id: str,
    summary: str,
    roles: frozenset[Role],
    description: str = "",
) -> Route:
    under_advice = path.startswith("/adviezen/{id}/")
    return Route(
        "POST",
        path,
        operation_id,
        summary,
        tag=path.strip("/").split("/")[0],
        roles=roles,
        work=record,
        status=201,
        body=body,
        response=response,
        if_match=under_advice,
        errors=frozenset({404, 412} if under_advice else ()),
        description=description,
    )


ADVICE_VERSION: Final = {
    "versie": {"type": "integer", "minimum": 1, "description": "Voor If-Match."}
}
PROMISE_ID: Final = {"id": {"type": "string", "format": "uuid"}}
PROMISE_REF: Final = {"toezegging": {"type": "string", "format": "uuid"}}
ADMIN, OFFICE, WRITERS = ADMINISTRATOR_ROLES, OFFICE_ROLES, WRITING_ROLES

# One row per operation, so the table reads as the contract does.
# fmt: off
ROUTES: Final = (
    _post("/adviesorganen", NieuwAdviesorgaan, created("VastgelegdAdviesorgaan", NieuwAdviesorgaan),
          "registreerAdviesorgaan", "Adviesorgaan registreren", ADMIN),
    _post("/dossiers", NieuwDossier, created("VastgelegdDossier", NieuwDossier),
          "openDossier", "Dossier openen", OFFICE),
    _post("/adviesaanvragen", NieuweAdviesaanvraag,
          created("VastgelegdeAdviesaanvraag", NieuweAdviesaanvraag),
          "vraagAdvies", "Advies aanvragen", OFFICE),
    _post("/adviezen", NieuwAdvies, created("UitgebrachtAdvies", NieuwAdvies, ADVICE_VERSION),
          "brengAdviesUit", "Advies uitbrengen", WRITERS,
          "Een lid brengt alleen advies uit namens het eigen adviesorgaan."),
    _post("/adviezen/{id}/reacties", NieuweReactie, recorded("VastgelegdeReactie", NieuweReactie),
          "legReactieVast", "Reactie op een punt", OFFICE),
    _post("/adviezen/{id}/toezeggingen", NieuweToezegging,
          recorded("VastgelegdeToezegging", NieuweToezegging, PROMISE_ID),
          "doeToezegging", "Toezegging doen", OFFICE),
    _post("/adviezen/{id}/toezeggingen/{toezeggingId}/nakoming", NieuweNakoming,
          recorded("VastgelegdeNakoming", NieuweNakoming, PROMISE_REF),
          "komToezeggingNa", "Toezegging nakomen", OFFICE),
    _post("/adviezen/{id}/wederwoorden", NieuwWederwoord,
          recorded("VastgelegdWederwoord", NieuwWederwoord),
          "geefWederwoord", "Wederwoord geven", WRITERS,
          "Een lid van het adviesorgaan dat het advies gaf, of het secretariaat namens dat "
          "adviesorgaan (zo vastgelegd). Met `punt` is het het wederwoord van dat punt; zonder "
          "`punt` geldt het voor elk beantwoord punt dat na zijn laatste antwoord geen eigen "
          "wederwoord heeft."),
    _post("/adviezen/{id}/termijnwijzigingen", NieuweTermijnwijziging,
          recorded("VastgelegdeTermijnwijziging", NieuweTermijnwijziging),
          "wijzigTermijn", "Termijn wijzigen", OFFICE),
    _post("/adviezen/{id}/intrekking", NieuweIntrekking,
          recorded("VastgelegdeIntrekking", NieuweIntrekking),
          "trekAdviesIn", "Advies intrekken", WRITERS,
          "Een lid van het adviesorgaan dat het advies gaf, of het secretariaat; één keer."),
    _post("/besluiten", NieuwBesluit, created("VastgelegdBesluit", NieuwBesluit),
          "neemBesluit", "Besluit vastleggen", OFFICE,
          "Awb 3:49: elk genoemd advies hoort bij dit dossier of bij geen, en elk niet ingetrokken "
          "advies over dit dossier wordt genoemd (anders 400, `adviezen`). Awb 3:50: elk nog "
          "openstaand punt van een genoemd advies heeft een afwijking met motivering nodig, anders "
          "400 met invalidParams `adviezen/<index>/punten/<nummer>`. Een afwijking beantwoordt "
          "haar punt (uitkomst standaard `niet_overgenomen`)."),
)
# fmt: on
