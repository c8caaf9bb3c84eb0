"""`adviesspoor demo` loads the demo data; `adviesspoor overzicht` prints every point's outcome."""

import argparse
import textwrap
from uuid import UUID

import psycopg

from api.cli_events import (
    CommandError,
    Subparsers,
    describe,
    fail,
    open_log,
    silence_stdout,
)
from api.demo import DemoError, read_demo
from api.demo.loader import load_municipality
from api.vocabulary import OUTCOMES
from events.store import StoreUrlError
from ledger import AdviceLedger, AdvisoryBody, LedgerError, Ledgers, store_url_from_env

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
        description="Toont per advies het adviesorgaan, uitgebrachtOp en reactieUiterlijkOp, "
        "VERLOPEN als er na die datum nog een punt openstaat, en per punt de uitkomst.",
    )
    overview.add_argument("--gemeente", default="groningen", help="standaard: groningen")
    overview.set_defaults(handler=show_overview)


def run_demo(_args: argparse.Namespace) -> int:
    try:
        store = store_url_from_env()
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
        reader = open_log(municipality)
    except CommandError as error:
        return fail(error)
    try:
        # The log is the one place that knows every advice; the title is in the submitted event.
        submitted = [
            (UUID(row.aggregate_id), str(row.state["title"]))
            for page in reader.pages()
            for row in page
            if row.type == "AdviceSubmitted"
        ]
    except psycopg.OperationalError as error:
        return fail(CommandError(f"De database is niet bereikbaar: {error}", 1))
    finally:
        reader.close()
    ledgers = Ledgers(store_url_from_env())
    try:
        _print_overview(ledgers[municipality], submitted)
    except BrokenPipeError:
        silence_stdout()
    except LedgerError as error:
        return fail(CommandError(error.message, 1))
    except psycopg.OperationalError as error:
        return fail(CommandError(f"De database is niet bereikbaar: {error}", 1))
    finally:
        ledgers.close_all()
    return 0


def _print_overview(ledger: AdviceLedger, submitted: list[tuple[UUID, str]]) -> None:
    today = ledger.today()
    count = f"{len(submitted)} {'advies' if len(submitted) == 1 else 'adviezen'}"
    print(f"Gemeente {ledger.municipality}: {count}, peildatum {today}")
    bodies: dict[UUID, AdvisoryBody] = {}
    for advice_id, title in submitted:
        advice = ledger.get_advice(advice_id)
        if advice.body_id not in bodies:
            bodies[advice.body_id] = ledger.get_body(advice.body_id)
        header = (
            f"  {bodies[advice.body_id].name} · uitgebrachtOp {advice.submitted_on}"
            f" · reactieUiterlijkOp {advice.due_on}"
        )
        if advice.withdrawn:
            header += " · INGETROKKEN"
        elif advice.pending_points() and today > advice.due_on:
            header += " · VERLOPEN"
        print(f"\n{title}\n{header}")
        for point in advice.points:
            text = textwrap.shorten(point.text, POINT_TEXT_WIDTH, placeholder=" …")
            print(
                f"  {point.number:>3}. {text:<{POINT_TEXT_WIDTH}}  {OUTCOMES.dutch(point.outcome)}"
            )
