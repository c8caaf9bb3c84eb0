"""Reading data.json: every field's type, every code word and every key it refers to checked,
into the records of records.py; a problem is a `DemoError` that names where it is."""

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import NoReturn, TypeVar

import orjson

from api.demo.records import (
    Advice,
    Body,
    Decision,
    DemoError,
    Deviation,
    Dossier,
    Municipality,
    Promise,
    Response,
)
from events import BodyKind, Outcome
from events.store import SLUG

DATA_FILE = Path(__file__).with_name("data.json")

E = TypeVar("E", bound=StrEnum)


def read_demo(path: Path = DATA_FILE) -> tuple[Municipality, ...]:
    """The demo data, checked: field types, code words, and every key it refers to."""
    try:
        raw = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        msg = f"De demogegevens ontbreken: {path} bestaat niet."
        raise DemoError(msg) from None
    except orjson.JSONDecodeError as error:
        msg = f"De demogegevens in {path} zijn geen geldige JSON: {error}"
        raise DemoError(msg) from None
    municipalities = tuple(
        _municipality(item) for item in _Record(raw, path.name).records("municipalities")
    )
    for municipality in municipalities:
        _check_references(municipality)
    return municipalities


class _Record:
    """One JSON object of the demo data, read field by field with its type checked."""

    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, dict):
            self._fail(where, "is geen object")
        self._raw: dict[str, object] = raw
        self.where = where

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str):
            self._fail(f"{self.where}.{name}", "is geen tekst")
        return value

    def optional_text(self, name: str) -> str | None:
        return None if self._get(name) is None else self.text(name)

    def number(self, name: str) -> int:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            self._fail(f"{self.where}.{name}", "is geen geheel getal")
        return value

    def flag(self, name: str) -> bool:
        value = self._get(name)
        if not isinstance(value, bool):
            self._fail(f"{self.where}.{name}", "is geen true of false")
        return value

    def day(self, name: str) -> date:
        try:
            return date.fromisoformat(self.text(name))
        except ValueError:
            self._fail(f"{self.where}.{name}", "is geen datum JJJJ-MM-DD")

    def word(self, name: str, words: type[E]) -> E:
        value = self.text(name)
        try:
            return words(value)
        except ValueError:
            self._fail(f"{self.where}.{name}", f"kent het woord '{value}' niet")

    def texts(self, name: str) -> tuple[str, ...]:
        items = self._items(name)
        if not all(isinstance(item, str) for item in items):
            self._fail(f"{self.where}.{name}", "bevat iets anders dan teksten")
        return tuple(str(item) for item in items)

    def records(self, name: str) -> list["_Record"]:
        items = self._items(name)
        return [_Record(item, f"{self.where}.{name}[{i}]") for i, item in enumerate(items)]

    def _items(self, name: str) -> list[object]:
        value = self._get(name)
        if not isinstance(value, list):
            self._fail(f"{self.where}.{name}", "is geen lijst")
        return value

    def _get(self, name: str) -> object:
        if name not in self._raw:
            self._fail(f"{self.where}.{name}", "ontbreekt")
        return self._raw[name]

    @staticmethod
    def _fail(where: str, problem: str) -> NoReturn:
        msg = f"De demogegevens kloppen niet: {where} {problem}."
        raise DemoError(msg)


def _municipality(r: _Record) -> Municipality:
    return Municipality(
        slug=r.text("slug"),
        name=r.text("name"),
        bodies=tuple(_body(item) for item in r.records("bodies")),
        dossiers=tuple(_dossier(item) for item in r.records("dossiers")),
        advice=tuple(_advice(item) for item in r.records("advice")),
        decisions=tuple(_decision(item) for item in r.records("decisions")),
    )


def _body(r: _Record) -> Body:
    return Body(
        r.text("key"), r.text("name"), r.word("kind", BodyKind), r.number("response_term_days")
    )


def _dossier(r: _Record) -> Dossier:
    return Dossier(
        key=r.text("key"),
        title=r.text("title"),
        reference=r.optional_text("reference"),
        portfolio_holder=r.optional_text("portfolio_holder"),
        opened_on=r.day("opened_on"),
    )


def _advice(r: _Record) -> Advice:
    return Advice(
        key=r.text("key"),
        body=r.text("body"),
        dossier=r.optional_text("dossier"),
        title=r.text("title"),
        submitted_on=r.day("submitted_on"),
        solicited=r.flag("solicited"),
        reference=r.optional_text("reference"),
        points=r.texts("points"),
        responses=tuple(
            Response(
                point=item.number("point"),
                outcome=item.word("outcome", Outcome),
                text=item.text("text"),
                reasons=item.optional_text("reasons"),
                consequence=item.optional_text("consequence"),
                given_on=item.day("given_on"),
            )
            for item in r.records("responses")
        ),
        promises=tuple(
            Promise(item.number("point"), item.text("description"), item.day("due_on"))
            for item in r.records("promises")
        ),
    )


def _decision(r: _Record) -> Decision:
    return Decision(
        key=r.text("key"),
        dossier=r.text("dossier"),
        title=r.text("title"),
        decided_on=r.day("decided_on"),
        reference=r.optional_text("reference"),
        advice=r.texts("advice"),
        deviations=tuple(
            Deviation(
                item.text("advice"),
                item.number("point"),
                item.text("reasons"),
                item.word("outcome", Outcome),
            )
            for item in r.records("deviations")
        ),
    )


def _check_references(m: Municipality) -> None:
    """Every key the data refers to exists in the same municipality, and keys are unique."""
    problems: list[str] = []
    if not SLUG.fullmatch(m.slug):
        problems.append(f"'{m.slug}' is geen geldige gemeentenaam (kleine letters, cijfers, '-')")
    for kind, keys in (
        ("adviesorgaan", [b.key for b in m.bodies]),
        ("dossier", [d.key for d in m.dossiers]),
        ("advies", [a.key for a in m.advice]),
        ("besluit", [d.key for d in m.decisions]),
    ):
        problems += [f"{kind} '{k}' staat er twee keer in" for k in set(keys) if keys.count(k) > 1]
    bodies = {b.key for b in m.bodies}
    dossiers = {d.key for d in m.dossiers}
    advice = {a.key: a for a in m.advice}
    for a in m.advice:
        if a.body not in bodies:
            problems.append(f"advies '{a.key}' noemt onbekend adviesorgaan '{a.body}'")
        if a.dossier is not None and a.dossier not in dossiers:
            problems.append(f"advies '{a.key}' noemt onbekend dossier '{a.dossier}'")
        numbers = [r.point for r in a.responses] + [p.point for p in a.promises]
        problems += [
            f"advies '{a.key}' heeft geen punt {n}" for n in numbers if not 1 <= n <= len(a.points)
        ]
    for d in m.decisions:
        if d.dossier not in dossiers:
            problems.append(f"besluit '{d.key}' noemt onbekend dossier '{d.dossier}'")
        problems += [
            f"besluit '{d.key}' noemt onbekend advies '{k}'" for k in d.advice if k not in advice
        ]
        for dev in d.deviations:
            where = f"besluit '{d.key}', afwijking van '{dev.advice}' punt {dev.point}"
            target = advice.get(dev.advice)
            if dev.advice not in d.advice or target is None:
                problems.append(f"{where}: dat advies staat niet in het besluit")
            elif not 1 <= dev.point <= len(target.points):
                problems.append(f"{where}: dat punt bestaat niet")
    if problems:
        msg = f"De demogegevens van {m.name} kloppen niet: " + "; ".join(problems) + "."
        raise DemoError(msg)
