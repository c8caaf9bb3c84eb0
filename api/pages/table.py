"""The reaction table ("Opmerkingen / Reactie gemeente / Consequentie nota") as CSV: read it in
(with a preview and an error per row; all rows or none, one idempotent batch) and write it out.

Columns: adviesorgaan, advies, punt, opmerking, reactie, uitkomst, motivering, consequentie,
datum; `;` or `,` between them; UTF-8 (with or without BOM) or Windows-1252, as Excel writes it.
A `punt` cell may name several points ("3, 4" or "3-5"): one answer to several remarks. A
reactie that says "zie eerder antwoord" (or "zie boven") with no uitkomst of its own takes the
uitkomst and motivering of the row above it. A row equal to what is recorded already is left
out, so importing an exported table records nothing new. The page and `adviesspoor import-tabel`
both use `check` and `record` here; the file itself (columns, encodings, cells, `export`) is
table_file.py.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from uuid import UUID

from api.pages.table_file import OUTCOME_WORDS, Row, decode, parse_date, parse_points, read_rows
from api.vocabulary import OUTCOME_LABELS
from events import Outcome
from ledger import Actor, AdviceLedger, IdempotencyKey, KeyRecord, ValidationError
from ledger.application import ResponseInput
from projections import ReadModel

_SEE_EARLIER: Final = re.compile(r"^\s*zie\s+(eerder|boven|bovenstaand|vorig)", re.IGNORECASE)
_FIELDS: Final = {
    "point": "punt",
    "outcome": "uitkomst",
    "text": "reactie",
    "reasons": "motivering",
    "given_on": "datum",
    "advice_id": "advies",
}


@dataclass
class Plan:
    """A table read and checked: its rows, errors about the whole file, what it would record."""

    rows: list[Row]
    errors: list[str]
    inputs: list[ResponseInput]
    sources: list[int]  # for each input, the index of its row
    digest: str

    @property
    def ok(self) -> bool:
        return not self.errors and not any(row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for row in self.rows if row.errors)

    def key(self) -> IdempotencyKey:
        """The whole file is one batch: a second import of it records nothing."""
        return IdempotencyKey(f"reactietabel:{self.digest}", self.digest)


def _find_body(bodies: list[dict[str, Any]], cell: str) -> dict[str, Any] | None:
    for body in bodies:
        if cell in (body["id"],) or cell.casefold() == str(body["name"]).casefold():
            return body
    return None


def check(model: ReadModel, data: bytes, today: date) -> Plan:
    """Read the table and check every row against the views (names, titles, points, words);
    the ledger's own rules are checked by `preview`."""
    text = decode(data).replace("\r\n", "\n")
    digest = hashlib.sha256(text.encode()).hexdigest()
    rows, errors = read_rows(text)
    bodies = model.docs("body")
    advice = model.advice_list(today)
    previous: Row | None = None
    inputs: list[ResponseInput] = []
    sources: list[int] = []
    for index, row in enumerate(rows):
        cells = row.cells
        body = _find_body(bodies, cells["adviesorgaan"])
        if body is None:
            row.errors.append(
                f"Adviesorgaan ‘{cells['adviesorgaan']}’ is onbekend in deze gemeente."
            )
        matches = [
            a
            for a in advice
            if (body is None or a["body_id"] == body["id"])
            and (
                cells["advies"] in (a["id"],) or cells["advies"].casefold() == a["title"].casefold()
            )
        ]
        view = matches[0] if len(matches) == 1 else None
        if body is not None and not matches:
            row.errors.append(f"Advies ‘{cells['advies']}’ van dit adviesorgaan is niet gevonden.")
        elif len(matches) > 1:
            row.errors.append(
                "Er zijn meer adviezen met deze titel; gebruik het id van het advies."
            )
        points = parse_points(cells["punt"])
        if points is None:
            row.errors.append("Punt: schrijf een nummer, of meer nummers als ‘3, 4’ of ‘3-5’.")
        elif view is not None:
            wrong = [p for p in points if p > len(view["points"])]
            if wrong:
                row.errors.append(f"Dit advies heeft geen punt {wrong[0]}.")
        word = cells["uitkomst"].strip().lower().replace("_", " ")
        outcome = OUTCOME_WORDS.get(word) if word else None
        reasons = cells["motivering"]
        if not word and _SEE_EARLIER.match(cells["reactie"]) and previous is not None:
            outcome = previous.outcome
            reasons = reasons or previous.cells["motivering"]
            row.cells["motivering"] = reasons
        elif not word and _SEE_EARLIER.match(cells["reactie"]):
            row.errors.append("‘Zie eerder antwoord’ zonder uitkomst, en er is geen rij erboven.")
        elif word and outcome is None:
            row.errors.append(
                f"Uitkomst ‘{cells['uitkomst']}’ is onbekend; kies uit: "
                + ", ".join(OUTCOME_LABELS[o] for o in Outcome if o is not Outcome.PENDING)
                + "."
            )
        given = parse_date(cells["datum"]) if cells["datum"] else None
        if cells["datum"] and given is None:
            row.errors.append(
                f"Datum ‘{cells['datum']}’ is geen datum; schrijf bijvoorbeeld 19-12-2013."
            )
        if not cells["reactie"] and not word:
            row.points = []  # a remark without an answer yet: nothing to record
            previous = row
            continue
        if outcome is None and not row.errors:
            row.errors.append("Vul de uitkomst in.")
        if given is None and not cells["datum"]:
            row.errors.append("Vul de datum van de reactie in.")
        row.outcome, row.given_on = outcome, given
        row.points = points or []
        if view is not None:
            row.advice_id, row.advice_title = view["id"], view["title"]
        previous = row
        if row.errors or view is None or outcome is None or given is None:
            continue
        for number in row.points:
            point = view["points"][number - 1]
            same = (
                point["outcome"] == outcome.value
                and (point["response"] or "") == cells["reactie"]
                and (point["reasons"] or "") == reasons
                and (point["consequence"] or "") == cells["consequentie"]
                and point["answered_on"] == given.isoformat()
            )
            if same:
                row.unchanged.append(number)
                continue
            inputs.append(
                ResponseInput(
                    UUID(view["id"]),
                    number,
                    outcome,
                    cells["reactie"],
                    given,
                    reasons or None,
                    cells["consequentie"] or None,
                )
            )
            sources.append(index)
    return Plan(rows, errors, inputs, sources, digest)


def _apply_refusals(plan: Plan, error: ValidationError) -> None:
    for item in error.invalid:
        parts = item.field.split("/")
        if parts[0] == "rows" and len(parts) >= 2 and parts[1].isdigit():
            row = plan.rows[plan.sources[int(parts[1])]]
            name = _FIELDS.get(parts[2], parts[2]) if len(parts) > 2 else ""
            row.errors.append(f"{name.capitalize()}: {item.reason}" if name else item.reason)
        else:
            plan.errors.append(item.reason)


def preview(ledger: AdviceLedger, actor: Actor, plan: Plan) -> None:
    """Check the rows against the ledger's rules too (Awb 3:50, dates), storing nothing; also
    when other rows are wrong already, so every error shows at once."""
    if not plan.inputs:
        return
    try:
        ledger.record_responses(actor, plan.inputs, check_only=True)
    except ValidationError as error:
        _apply_refusals(plan, error)


def record(ledger: AdviceLedger, actor: Actor, plan: Plan) -> int | None:
    """Record every new row in one transaction, once per file: the number of reactions stored,
    or None when this file was imported before (nothing is stored then)."""
    if not plan.ok or not plan.inputs:
        return 0
    try:
        outcome = ledger.once(plan.key(), lambda: _record_all(ledger, actor, plan))
    except ValidationError as error:
        _apply_refusals(plan, error)
        return 0
    return None if isinstance(outcome, KeyRecord) else len(plan.inputs)


def _record_all(ledger: AdviceLedger, actor: Actor, plan: Plan) -> Any:
    recorded = ledger.record_responses(actor, plan.inputs)
    assert recorded is not None
    return recorded
