"""The reaction table as a file: its columns, how Excel writes it (`;` or `,`, UTF-8 with or
without BOM, or Windows-1252), its cells read (points, dates, outcome words) into rows, and the
table written out again (`export`). Checking the rows and recording them: table.py."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from api.pages.forms import parse_day
from api.vocabulary import MONTHS, OUTCOME_LABELS, OUTCOMES
from events import Outcome
from projections import ReadModel

COLUMNS: Final = (
    "adviesorgaan",
    "advies",
    "punt",
    "opmerking",
    "reactie",
    "uitkomst",
    "motivering",
    "consequentie",
    "datum",
)
REQUIRED: Final = ("adviesorgaan", "advies", "punt", "reactie", "uitkomst", "datum")
MAX_ROWS: Final = 5000
_RANGE: Final = re.compile(r"([0-9]{1,4})\s*(?:-|t/m|tot en met)\s*([0-9]{1,4})")
_WORD_DAY: Final = re.compile(r"([0-9]{1,2})\s+([a-z]+)\s+([0-9]{4})")


def _outcome_words() -> dict[str, Outcome]:
    words: dict[str, Outcome] = {}
    for outcome in Outcome:
        if outcome is Outcome.PENDING:
            continue
        words[OUTCOMES.dutch(outcome).replace("_", " ")] = outcome
        words[OUTCOME_LABELS[outcome]] = outcome
    words["kennis genomen"] = Outcome.NOTED
    return words


OUTCOME_WORDS: Final = _outcome_words()


@dataclass
class Row:
    """One row of the table as read, what it will record, and what is wrong with it."""

    line: int
    cells: dict[str, str]
    points: list[int] = field(default_factory=list)
    advice_id: str | None = None
    advice_title: str = ""
    outcome: Outcome | None = None
    given_on: date | None = None
    errors: list[str] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.errors:
            return "fout"
        if not self.points or len(self.unchanged) == len(self.points):
            return "ongewijzigd"
        return "nieuw"


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) or else Windows-1252, as Excel saves CSV."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") >= first.count(",") else ","


def parse_date(value: str) -> date | None:
    """2013-12-19, 19-12-2013 or 19 december 2013."""
    found = _WORD_DAY.fullmatch(value.strip().lower())
    if found and found.group(2) in MONTHS:
        try:
            return date(int(found.group(3)), MONTHS.index(found.group(2)) + 1, int(found.group(1)))
        except ValueError:
            return None
    return parse_day(value)


def parse_points(value: str) -> list[int] | None:
    """`3`, `3, 4`, `3 en 4`, `3-5` → the point numbers; None when unreadable."""
    numbers: list[int] = []
    for part in re.split(r",|;|\ben\b|&", value):
        part = part.strip()
        if not part:
            continue
        span = _RANGE.fullmatch(part)
        if span:
            first, last = int(span.group(1)), int(span.group(2))
            if not 0 < first <= last <= first + 100:
                return None
            numbers.extend(range(first, last + 1))
        elif part.isdigit() and 0 < int(part) < 10_000:
            numbers.append(int(part))
        else:
            return None
    return numbers or None


def read_rows(text: str) -> tuple[list[Row], list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    lines = list(reader)
    if not lines:
        return [], ["Het bestand is leeg."]
    header = [cell.strip().lower() for cell in lines[0]]
    errors = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        errors.append(
            "De kopregel mist de kolom(men) "
            + ", ".join(missing)
            + ". Verwacht: "
            + ", ".join(COLUMNS)
            + "."
        )
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        errors.append("Onbekende kolom(men): " + ", ".join(unknown) + ".")
    if len(lines) - 1 > MAX_ROWS:
        errors.append(f"Het bestand heeft meer dan {MAX_ROWS} regels.")
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
        }
        rows.append(Row(number, {c: values.get(c, "") for c in COLUMNS}))
    if not rows and not errors:
        errors.append("Het bestand heeft geen regels onder de kopregel.")
    return rows, errors


def export(model: ReadModel, today: date, body_id: str | None = None) -> bytes:
    """The reaction table of every (non-withdrawn) advice, as Excel in Dutch opens it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for view in model.advice_list(today, body_id=body_id):
        if view["status"] == "withdrawn":
            continue
        for point in view["points"]:
            answered = point["outcome"] != "pending"
            writer.writerow(
                [
                    view["body_name"] or "",
                    view["title"],
                    point["number"],
                    point["text"],
                    point["response"] or "",
                    OUTCOME_LABELS[Outcome(point["outcome"])] if answered else "",
                    point["reasons"] or "",
                    point["consequence"] or "",
                    point["answered_on"] or "",
                ]
            )
    return ("\ufeff" + out.getvalue()).encode()
