"""`adviesspoor demo` loads the demo data; `adviesspoor overzicht` prints every point's outcome."""

import argparse
import textwrap
from datetime import date
from typing import Any

import psycopg

from api.cli.common import (
    CommandError,
    Subparsers,
    describe,
    fail,
    open_log,
    shown,
    silence_stdout,
)
from api.demo import DemoError, read_demo
from api.demo.loader import load_municipality
from api.vocabulary import BODY_KIND_LABELS, MONTHS, OUTCOME_LABELS
from events import BodyKind, Outcome
from events.store import StoreUrlError
from ledger import LedgerError, Ledgers, amsterdam_today
from projections import ReadModel
from projections.records import AdviceView

POINT_TEXT_WIDTH = 80


def register(subparsers: Subparsers) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="leg de demogegevens vast (Groningen, Midden-Groningen); opnieuw draaien kan altijd",
        description="Legt de demogegevens (api/demo/data.json) vast via de gewone opdrachten, "
        "alleen wat nog ontbreekt: een tweede keer legt niets vast.",
    )
    demo.set_defaults(handler=run_demo)
    overview = subparsers.add_parser(
        "overzicht",
        help="toon elk advies met per punt de uitkomst",
        description="Toont per advies het adviesorgaan, wanneer het werd uitgebracht en tot "
        "wanneer het college kan reageren, ‘termijn verstreken’ als er daarna nog een punt "
        "openstaat, en per punt wat ermee gebeurde.",
    )
    overview.add_argument("--gemeente", default="groningen", help="standaard: groningen")
    overview.set_defaults(handler=show_overview)


def run_demo(args: argparse.Namespace) -> int:
    try:
        store = args.settings.store
        municipalities = read_demo()
    except StoreUrlError as error:
        return fail(CommandError(str(error), 2))
    except DemoError as error:
        return fail(CommandError(str(error), 1))
    ledgers = Ledgers(store)
    recorded: list[str] = []
    try:
        for data in municipalities:
            ledger = ledgers[data.slug]
            before = ledger.last_position()
            print(f"{data.name}: {load_municipality(ledger, data).describe()}", flush=True)
            after = ledger.last_position()
            recorded.append(f"{data.slug} {after - before} (log t/m positie {after})")
    except (LedgerError, DemoError) as error:
        return fail(CommandError(f"De demo is niet volledig vastgelegd: {error}", 1))
    except psycopg.OperationalError as error:
        return fail(CommandError(f"De database is niet bereikbaar: {error}", 1))
    finally:
        ledgers.close_all()
    print(f"Klaar, in {describe(store)}. Nieuwe gebeurtenissen: {', '.join(recorded)}.")
    return 0


def show_overview(args: argparse.Namespace) -> int:
    municipality: str = args.gemeente
    try:
        open_log(args.settings.store, municipality).close()
        model = ReadModel(args.settings.store.location(municipality))
    except CommandError as error:
        return fail(error)
    try:
        model.catch_up()
        today = amsterdam_today()
        _print_overview(municipality, model.advice_list(today), model.docs("body"), today)
    except BrokenPipeError:
        silence_stdout()
    except psycopg.OperationalError as error:
        return fail(CommandError(f"De database is niet bereikbaar: {error}", 1))
    finally:
        model.close()
    return 0


def dutch_date(day: str | date) -> str:
    """`2013-10-16` as people write it: `16 oktober 2013`."""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _print_overview(
    municipality: str, advice: list[AdviceView], bodies: list[dict[str, Any]], today: date
) -> None:
    count = f"{len(advice)} {'advies' if len(advice) == 1 else 'adviezen'}"
    print(f"Gemeente {municipality}: {count}, stand op {dutch_date(today)}")
    kinds = {b["id"]: BODY_KIND_LABELS[BodyKind(b["body_kind"])] for b in bodies}
    for view in advice:
        header = (
            f"  {shown(view['body_name'])} ({kinds.get(view['body_id'], 'adviesorgaan')})"
            f" · uitgebracht {dutch_date(view['submitted_on'])}"
            f" · reactie uiterlijk {dutch_date(view['due_on'])}"
        )
        answered = [p for p in view["points"] if p["first_answered_on"] is not None]
        all_late = bool(answered) and all(p["late"] for p in answered)
        if view["status"] == "withdrawn":
            header += " · ingetrokken"
        elif view["overdue"]:
            header += " · termijn verstreken"
        if all_late:
            header += " · te laat beantwoord"
        print(f"\n{shown(view['title'])}\n{header}")
        for point in view["points"]:
            text = textwrap.shorten(shown(point["text"]), POINT_TEXT_WIDTH, placeholder=" …")
            label = OUTCOME_LABELS[Outcome(point["outcome"])]
            if point["answered_by"] == "deviation":
                label += " (in het besluit)"
            if point["late"] and not all_late:
                label += ", te laat"
            print(f"  {point['number']:>3}. {text:<{POINT_TEXT_WIDTH}}  {label}")
