"""Each of the secretariat's forms: what it shows beside its fields, how its input becomes a
ledger command, and where it goes once stored. Register an advice, a reaction per point, a new
due date, a promise and its fulfilment, a besluit (Awb 3:49 and 3:50 in plain words)."""

from collections.abc import Callable
from typing import Any, Final
from uuid import UUID

from aiohttp import web

from api.pages.forms import Form
from api.pages.office import OfficeForm, names_of
from api.pages.public import record_id
from api.pages.site import site_of
from api.vocabulary import OUTCOMES
from events import Deviation, Outcome
from ledger import Actor, LedgerError, ValidationError
from projections import ReadModel

# The outcomes a reaction can have (not "openstaand"), in the words people use.
ANSWER_OUTCOMES: Final = [o for o in Outcome if o is not Outcome.PENDING]


def _advice_context(model: ReadModel, request: web.Request) -> dict[str, Any] | None:
    advice_id = record_id(request)
    advice = model.advice(advice_id, site_of(request).today())
    if advice is None:
        return None
    return {"advice": advice}


def _new_advice_context(model: ReadModel, _request: web.Request) -> dict[str, Any]:
    return names_of(model)


def _decision_context(model: ReadModel, request: web.Request) -> dict[str, Any] | None:
    names = names_of(model)
    chosen = request.query.get("dossier", "")
    dossier = next((d for d in names["dossiers"] if d["id"] == chosen), None)
    advice = []
    if dossier is not None:
        advice = [
            a
            for a in model.advice_list(site_of(request).today())
            if a["dossier_id"] in (None, dossier["id"]) and a["status"] != "withdrawn"
        ]
    return {**names, "dossier": dossier, "advice_on": advice}


# Commands -----------------------------------------------------------------------------------


def _submit_advice(form: Form, actor: Actor, _context: dict[str, Any]) -> Any:
    body = form.required("adviesorgaan", "het adviesorgaan")
    title = form.required("titel", "de titel")
    submitted = form.day("uitgebrachtOp", "de datum van het advies")
    points = [line.strip() for line in form.get("punten").splitlines() if line.strip()]
    if not points:
        form.error("punten", "Vul minstens één punt in, elk punt op een eigen regel.")
    dossier = form.get("dossier") or None
    if not form.ok or body is None or title is None or submitted is None:
        return None
    return lambda ledger: ledger.submit_advice(
        actor,
        body_id=UUID(body),
        title=title,
        submitted_on=submitted,
        solicited=form.get("gevraagd") == "ja",
        points=points,
        dossier_id=UUID(dossier) if dossier else None,
        reference=form.get("kenmerk") or None,
    )


def _record_response(form: Form, actor: Actor, context: dict[str, Any]) -> Any:
    point = form.number("punt", "het punt waarop u reageert")
    outcome_word = form.get("uitkomst")
    if outcome_word not in [OUTCOMES.dutch(o) for o in ANSWER_OUTCOMES]:
        form.error("uitkomst", "Kies wat het college met het punt doet.")
    text = form.required("reactie", "de reactie van het college")
    given = form.day("gegevenOp", "de datum van de reactie")
    outcome = OUTCOMES.english(outcome_word) if outcome_word in OUTCOMES.choices else None
    if outcome is not None and outcome.needs_reasons and not form.get("motivering"):
        form.error(
            "motivering",
            "Geef de motivering: die is verplicht als een punt niet of deels wordt overgenomen "
            "(Awb 3:50).",
        )
    if not form.ok or point is None or text is None or given is None or outcome is None:
        return None
    advice_id = UUID(context["advice"]["id"])
    return lambda ledger: ledger.record_response(
        actor,
        advice_id=advice_id,
        point=point,
        outcome=outcome,
        text=text,
        given_on=given,
        reasons=form.get("motivering") or None,
        consequence=form.get("consequentie") or None,
    )


def _move_due_date(form: Form, actor: Actor, context: dict[str, Any]) -> Any:
    new = form.day("nieuweDatum", "de nieuwe uiterste datum")
    reason = form.required("reden", "de reden")
    effective = form.day("ingangsdatum", "de ingangsdatum", required=False)
    if not form.ok or new is None or reason is None:
        return None
    advice_id = UUID(context["advice"]["id"])
    return lambda ledger: ledger.move_due_date(
        actor, advice_id=advice_id, new_due_on=new, reason=reason, effective_on=effective
    )


def _promise(form: Form, actor: Actor, context: dict[str, Any]) -> Any:
    point = form.number("punt", "het punt van de toezegging")
    description = form.required("omschrijving", "wat het college toezegt")
    due = form.day("uiterlijkOp", "de uiterste datum")
    if not form.ok or point is None or description is None or due is None:
        return None
    advice_id = UUID(context["advice"]["id"])
    return lambda ledger: ledger.promise_follow_up(
        actor, advice_id=advice_id, point=point, description=description, due_on=due
    )


def _fulfil(form: Form, actor: Actor, context: dict[str, Any]) -> Any:
    promise = form.required("toezegging", "de toezegging")
    fulfilled = form.day("nagekomenOp", "de datum waarop de toezegging is nagekomen")
    note = form.required("toelichting", "een toelichting")
    open_ids = [p["id"] for point in context["advice"]["points"] for p in point["promises"]]
    if promise is not None and promise not in open_ids:
        form.error("toezegging", "Kies een toezegging van dit advies.")
    if not form.ok or promise is None or fulfilled is None or note is None:
        return None
    advice_id = UUID(context["advice"]["id"])
    return lambda ledger: ledger.fulfil_promise(
        actor, advice_id=advice_id, promise_id=UUID(promise), fulfilled_on=fulfilled, note=note
    )


def _take_decision(form: Form, actor: Actor, context: dict[str, Any]) -> Any:
    dossier = context["dossier"]
    if dossier is None:
        form.error("dossier", "Kies eerst het dossier van het besluit.")
        return None
    title = form.required("titel", "de titel van het besluit")
    decided = form.day("besluitdatum", "de datum van het besluit")
    listed = [a["id"] for a in context["advice_on"] if form.get(f"advies-{a['id']}") == "ja"]
    deviations = []
    for advice in context["advice_on"]:
        for point in advice["points"]:
            key = f"afwijking-{advice['id']}-{point['number']}"
            reasons = form.get(key).strip()
            if reasons:
                word = form.get(f"{key}-uitkomst") or OUTCOMES.dutch(Outcome.NOT_FOLLOWED)
                outcome = (
                    OUTCOMES.english(word) if word in OUTCOMES.choices else Outcome.NOT_FOLLOWED
                )
                deviations.append(Deviation(UUID(advice["id"]), point["number"], reasons, outcome))
    if not form.ok or title is None or decided is None:
        return None
    form.values["_listed"] = ",".join(listed)
    return lambda ledger: ledger.take_decision(
        actor,
        dossier_id=UUID(dossier["id"]),
        title=title,
        decided_on=decided,
        advice_ids=[UUID(a) for a in listed],
        reference=form.get("kenmerk") or None,
        deviations=deviations,
    )


def _decision_refused(form: Form, error: LedgerError, context: dict[str, Any]) -> None:
    """Awb 3:49 and 3:50 in plain words: which advice is missing, which points are still open
    (each message at the motivering field of that point)."""
    if not isinstance(error, ValidationError):
        form.refused(error, "take_decision", {})
        return
    listed = [i for i in form.get("_listed").split(",") if i]
    titles = {a["id"]: a["title"] for a in context["advice_on"]}
    for item in error.invalid:
        parts = item.field.split("/")
        if parts[0] == "advice_ids" and len(parts) == 4 and int(parts[1]) < len(listed):
            advice_id, number = listed[int(parts[1])], parts[3]
            form.error(
                f"afwijking-{advice_id}-{number}",
                f"Punt {number} van ‘{titles.get(advice_id, advice_id)}’ heeft nog geen reactie. "
                "Geef hier de motivering van de afwijking (Awb 3:50), "
                "of leg eerst een reactie vast.",
            )
        elif parts[0] == "advice_ids":
            form.error("adviezen", item.reason)
        elif parts[0] in ("decided_on", "title", "dossier_id"):
            form.refused(ValidationError([item]), "take_decision", DECISION_FIELDS)
        else:
            form.error("adviezen", item.reason)


def _to_advice(municipality: str, context: dict[str, Any]) -> str:
    return f"/{municipality}/adviezen/{context['advice']['id']}?vastgelegd=ja"


def _today_default(name: str) -> Callable[[web.Request, dict[str, Any]], dict[str, str]]:
    def defaults(request: web.Request, _context: dict[str, Any]) -> dict[str, str]:
        return {name: site_of(request).today().isoformat(), "punt": request.query.get("punt", "")}

    return defaults


NEW_ADVICE = OfficeForm(
    "office_advice.html",
    ("adviesorgaan", "dossier", "titel", "kenmerk", "uitgebrachtOp", "gevraagd", "punten"),
    _new_advice_context,
    _submit_advice,
    "submit_advice",
    {
        "adviesorgaan": "adviesorgaan",
        "dossier": "dossier",
        "titel": "titel",
        "uitgebrachtOp": "uitgebrachtOp",
        "punten": "punten",
        "gevraagd": "gevraagd",
    },
    lambda municipality, _context: f"/{municipality}?vastgelegd=advies",
    lambda request, _c: {"uitgebrachtOp": site_of(request).today().isoformat(), "gevraagd": "nee"},
)
RESPONSE = OfficeForm(
    "office_response.html",
    ("punt", "uitkomst", "reactie", "motivering", "consequentie", "gegevenOp"),
    _advice_context,
    _record_response,
    "record_response",
    {
        "punt": "punt",
        "uitkomst": "uitkomst",
        "reactie": "reactie",
        "motivering": "motivering",
        "consequentie": "consequentie",
        "gegevenOp": "gegevenOp",
    },
    _to_advice,
    _today_default("gegevenOp"),
)
DUE_DATE = OfficeForm(
    "office_due_date.html",
    ("nieuweDatum", "reden", "ingangsdatum"),
    _advice_context,
    _move_due_date,
    "move_due_date",
    {"nieuweDatum": "nieuweDatum", "reden": "reden", "ingangsdatum": "ingangsdatum"},
    _to_advice,
    _today_default("ingangsdatum"),
)
PROMISE = OfficeForm(
    "office_promise.html",
    ("punt", "omschrijving", "uiterlijkOp"),
    _advice_context,
    _promise,
    "promise_follow_up",
    {"punt": "punt", "omschrijving": "omschrijving", "uiterlijkOp": "uiterlijkOp"},
    _to_advice,
)
FULFIL = OfficeForm(
    "office_fulfil.html",
    ("toezegging", "nagekomenOp", "toelichting"),
    _advice_context,
    _fulfil,
    "fulfil_promise",
    {"nagekomenOp": "nagekomenOp", "toelichting": "toelichting", "toezegging": "toezegging"},
    _to_advice,
    lambda request, _c: {
        "nagekomenOp": site_of(request).today().isoformat(),
        "toezegging": request.query.get("toezegging", ""),
    },
)
DECISION_FIELDS: Final = {"titel": "titel", "besluitdatum": "besluitdatum", "dossier": "dossier"}
DECISION = OfficeForm(
    "office_decision.html",
    ("titel", "kenmerk", "besluitdatum"),
    _decision_context,
    _take_decision,
    "take_decision",
    DECISION_FIELDS,
    lambda municipality, _context: f"/{municipality}?vastgelegd=besluit",
    lambda request, context: {
        "besluitdatum": site_of(request).today().isoformat(),
        **{
            f"advies-{a['id']}": "ja"
            for a in context["advice_on"]
            if context["dossier"] and a["dossier_id"] == context["dossier"]["id"]
        },
    },
    _decision_refused,
)
