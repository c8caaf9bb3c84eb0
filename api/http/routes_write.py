"""Every POST of the contract, each calling one ledger command; and the log they write to
(`GET /gebeurtenissen`, for auditors)."""

from collections.abc import Callable
from datetime import date
from typing import Any, Final
from uuid import UUID, uuid4

from aiohttp import web

from api.http import schemas
from api.http.pipeline import Call, Route
from api.vocabulary import BODY_KINDS, OUTCOMES, VERDICTS
from events import Deviation, Role
from ledger import Actor, AdviceLedger, Recorded
from ledger.bodies import DEFAULT_RESPONSE_TERM_DAYS
from ledger.rules import ADMINISTRATOR_ROLES, OFFICE_ROLES, WRITING_ROLES

ADMIN: Final = ADMINISTRATOR_ROLES
OFFICE: Final = OFFICE_ROLES
WRITERS: Final = WRITING_ROLES


async def register_body(call: Call) -> web.Response:
    actor, body = call.actor, call.body
    term = body.get("reactietermijnDagen", DEFAULT_RESPONSE_TERM_DAYS)
    return await call.record(
        lambda ledger: ledger.register_body(
            actor,
            name=body["naam"],
            kind=BODY_KINDS.english(body["soort"]),
            response_term_days=int(term),
        )
    )


async def open_dossier(call: Call) -> web.Response:
    actor, body = call.actor, call.body
    return await call.record(
        lambda ledger: ledger.open_dossier(
            actor,
            title=body["titel"],
            opened_on=date.fromisoformat(body["geopendOp"]),
            reference=body.get("kenmerk"),
            portfolio_holder=body.get("portefeuillehouder"),
        )
    )


async def request_advice(call: Call) -> web.Response:
    actor, body = call.actor, call.body
    return await call.record(
        lambda ledger: ledger.request_advice(
            actor,
            dossier_id=UUID(body["dossier"]),
            body_id=UUID(body["adviesorgaan"]),
            question=body["vraag"],
            requested_on=date.fromisoformat(body["aangevraagdOp"]),
            due_on=date.fromisoformat(body["uiterlijkOp"]),
        )
    )


async def submit_advice(call: Call) -> web.Response:
    actor, body = call.actor, call.body
    return await call.record(
        lambda ledger: ledger.submit_advice(
            actor,
            body_id=UUID(body["adviesorgaan"]),
            title=body["titel"],
            submitted_on=date.fromisoformat(body["uitgebrachtOp"]),
            solicited=body["gevraagd"],
            points=[point["tekst"] for point in body["punten"]],
            dossier_id=UUID(body["dossier"]) if "dossier" in body else None,
            request_id=UUID(body["adviesaanvraag"]) if "adviesaanvraag" in body else None,
            reference=body.get("kenmerk"),
        )
    )


AdviceCommand = Callable[[AdviceLedger, Actor, UUID, int | None], Recorded]


async def _on_advice(call: Call, command: AdviceCommand) -> web.Response:
    """Run a command on the advice in the path, at the version If-Match expects (if given)."""
    actor, advice_id, expected = call.actor, call.path_id(), call.expected_version()
    return await call.record(lambda ledger: command(ledger, actor, advice_id, expected))


async def record_response(call: Call) -> web.Response:
    body = call.body
    return await _on_advice(
        call,
        lambda ledger, actor, advice_id, expected: ledger.record_response(
            actor,
            advice_id=advice_id,
            point=int(body["punt"]),
            outcome=OUTCOMES.english(body["uitkomst"]),
            text=body["reactie"],
            given_on=date.fromisoformat(body["gegevenOp"]),
            reasons=body.get("motivering"),
            consequence=body.get("consequentie"),
            decision=body.get("besluit"),
            expected_version=expected,
        ),
    )


async def promise_follow_up(call: Call) -> web.Response:
    body, promise_id = call.body, uuid4()
    return await _on_advice(
        call,
        lambda ledger, actor, advice_id, expected: ledger.promise_follow_up(
            actor,
            advice_id=advice_id,
            point=int(body["punt"]),
            description=body["omschrijving"],
            due_on=date.fromisoformat(body["uiterlijkOp"]),
            promise_id=promise_id,
            expected_version=expected,
        ),
    )


async def fulfil_promise(call: Call) -> web.Response:
    body, promise_id = call.body, call.path_id("toezeggingId")
    return await _on_advice(
        call,
        lambda ledger, actor, advice_id, expected: ledger.fulfil_promise(
            actor,
            advice_id=advice_id,
            promise_id=promise_id,
            fulfilled_on=date.fromisoformat(body["nagekomenOp"]),
            note=body["toelichting"],
            expected_version=expected,
        ),
    )


async def give_rejoinder(call: Call) -> web.Response:
    body = call.body
    return await _on_advice(
        call,
        lambda ledger, actor, advice_id, expected: ledger.give_rejoinder(
            actor,
            advice_id=advice_id,
            verdict=VERDICTS.english(body["oordeel"]),
            text=body["tekst"],
            point=int(body["punt"]) if "punt" in body else None,
            given_on=date.fromisoformat(body["gegevenOp"]) if "gegevenOp" in body else None,
            expected_version=expected,
        ),
    )


async def move_due_date(call: Call) -> web.Response:
    body = call.body
    effective = body.get("ingangsdatum")
    return await _on_advice(
        call,
        lambda ledger, actor, advice_id, expected: ledger.move_due_date(
            actor,
            advice_id=advice_id,
            new_due_on=date.fromisoformat(body["nieuweDatum"]),
            reason=body["reden"],
            effective_on=date.fromisoformat(effective) if effective else None,
            expected_version=expected,
        ),
    )


async def withdraw_advice(call: Call) -> web.Response:
    body = call.body
    return await _on_advice(
        call,
        lambda ledger, actor, advice_id, expected: ledger.withdraw_advice(
            actor, advice_id=advice_id, reason=body["reden"], expected_version=expected
        ),
    )


async def take_decision(call: Call) -> web.Response:
    actor, body = call.actor, call.body
    deviations = [
        Deviation(
            UUID(item["advies"]),
            int(item["punt"]),
            item["motivering"],
            OUTCOMES.english(item.get("uitkomst", "niet_overgenomen")),
        )
        for item in body.get("afwijkingen", [])
    ]
    return await call.record(
        lambda ledger: ledger.take_decision(
            actor,
            dossier_id=UUID(body["dossier"]),
            title=body["titel"],
            decided_on=date.fromisoformat(body["besluitdatum"]),
            advice_ids=[UUID(advice) for advice in body["adviezen"]],
            reference=body.get("kenmerk"),
            deviations=deviations,
        )
    )


def _post(
    path: str,
    handler: Any,
    operation_id: str,
    summary: str,
    roles: frozenset[Role],
    body: schemas.NamedSchema,
    response: schemas.NamedSchema,
    command: str,
    **more: Any,
) -> Route:
    under_advice = path.startswith("/adviezen/{id}/")
    return Route(
        "POST",
        path,
        handler,
        operation_id=operation_id,
        summary=summary,
        tag=path.strip("/").split("/")[0],
        roles=roles,
        status=201,
        body=body,
        response=response,
        command=command,
        if_match=under_advice,
        errors=frozenset({404, 412} if under_advice else ()),
        **more,
    )


S = schemas
# One row per operation, so the table reads as the contract does.
# fmt: off
ROUTES: Final = [
    _post(
        "/adviesorganen", register_body, "registreerAdviesorgaan", "Adviesorgaan registreren",
        ADMIN, S.REGISTER_BODY, S.created("Adviesorgaan", S.REGISTER_BODY), "register_body",
    ),
    _post(
        "/dossiers", open_dossier, "openDossier", "Dossier openen",
        OFFICE, S.OPEN_DOSSIER, S.created("Dossier", S.OPEN_DOSSIER), "open_dossier",
    ),
    _post(
        "/adviesaanvragen", request_advice, "vraagAdvies", "Advies aanvragen",
        OFFICE, S.REQUEST_ADVICE, S.created("Adviesaanvraag", S.REQUEST_ADVICE), "request_advice",
    ),
    _post(
        "/adviezen", submit_advice, "brengAdviesUit", "Advies uitbrengen",
        WRITERS, S.SUBMIT_ADVICE,
        S.created("UitgebrachtAdvies", S.SUBMIT_ADVICE, S.ADVICE_AS_STORED), "submit_advice",
        description="Een lid brengt alleen advies uit namens het eigen adviesorgaan.",
    ),
    _post(
        "/adviezen/{id}/reacties", record_response, "legReactieVast", "Reactie op een punt",
        OFFICE, S.RECORD_RESPONSE, S.recorded("Reactie", S.RECORD_RESPONSE), "record_response",
    ),
    _post(
        "/adviezen/{id}/toezeggingen", promise_follow_up, "doeToezegging", "Toezegging doen",
        OFFICE, S.PROMISE, S.recorded("Toezegging", S.PROMISE, {"id": S.ID}), "promise_follow_up",
    ),
    _post(
        "/adviezen/{id}/toezeggingen/{toezeggingId}/nakoming", fulfil_promise, "komToezeggingNa",
        "Toezegging nakomen", OFFICE, S.FULFIL,
        S.recorded("Nakoming", S.FULFIL, {"toezegging": S.ID}), "fulfil_promise",
    ),
    _post(
        "/adviezen/{id}/wederwoorden", give_rejoinder, "geefWederwoord", "Wederwoord geven",
        WRITERS, S.REJOINDER, S.recorded("Wederwoord", S.REJOINDER), "give_rejoinder",
        description="Een lid van het adviesorgaan dat het advies gaf, of het secretariaat namens "
        "dat adviesorgaan (zo vastgelegd). Met `punt` is het het wederwoord van dat punt; zonder "
        "`punt` geldt het voor elk beantwoord punt dat na zijn laatste antwoord geen eigen "
        "wederwoord heeft.",
    ),
    _post(
        "/adviezen/{id}/termijnwijzigingen", move_due_date, "wijzigTermijn", "Termijn wijzigen",
        OFFICE, S.MOVE_DUE_DATE, S.recorded("Termijnwijziging", S.MOVE_DUE_DATE), "move_due_date",
    ),
    _post(
        "/adviezen/{id}/intrekking", withdraw_advice, "trekAdviesIn", "Advies intrekken",
        WRITERS, S.WITHDRAW, S.recorded("Intrekking", S.WITHDRAW), "withdraw_advice",
        description="Een lid van het adviesorgaan dat het advies gaf, of het secretariaat; "
        "één keer.",
    ),
    _post(
        "/besluiten", take_decision, "neemBesluit", "Besluit vastleggen",
        OFFICE, S.TAKE_DECISION, S.created("Besluit", S.TAKE_DECISION), "take_decision",
        description="Awb 3:49: elk genoemd advies hoort bij dit dossier of bij geen, en elk niet "
        "ingetrokken advies over dit dossier wordt genoemd (anders 400, `adviezen`). Awb 3:50: elk "
        "nog openstaand punt van een genoemd advies heeft een afwijking met motivering nodig, "
        "anders 400 met invalidParams `adviezen/<index>/punten/<nummer>`. Een afwijking "
        "beantwoordt haar punt (uitkomst standaard `niet_overgenomen`).",
    ),
]
# fmt: on
