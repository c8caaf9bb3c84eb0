"""`adviesspoor project` keeps the views current; `adviesspoor rebuild` builds them anew."""

import argparse
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

from api.cli.common import describe
from api.cli.shards import check_shards
from events.store import StoreUrl
from projections import ReadModels
from projections.worker import run_worker


def register(subparsers: Any) -> None:
    project = subparsers.add_parser(
        "project", help="houd de overzichten bij (apart proces; stopt op SIGTERM of Ctrl-C)"
    )
    project.set_defaults(handler=project_views)
    rebuild = subparsers.add_parser(
        "rebuild", help="gooi alle overzichten weg en bouw ze opnieuw op uit het logboek"
    )
    rebuild.add_argument("--gemeente", help="alleen deze gemeente (standaard: alle)")
    rebuild.set_defaults(handler=rebuild_views)


def project_views(args: argparse.Namespace) -> int:
    store = args.settings.store
    check_shards(store, "Het bijhouden van de overzichten")
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    databases = store.databases()
    where = ", ".join(describe(db) for db in databases)
    print(f"Overzichten bijhouden voor {where}; stoppen met Ctrl-C.", file=sys.stderr)

    def report(municipality: str, position: int) -> None:
        print(f"{municipality}: bijgewerkt tot positie {position}", file=sys.stderr)

    if len(databases) == 1:
        run_worker(store, stop, report)
    else:
        # Sharded: a worker per database, each woken by its own database's notifications. A
        # database's worker keeps the views of the logs that database holds.
        failed: list[BaseException] = []

        def work(db: StoreUrl) -> None:
            try:
                run_worker(db, stop, report)
            except BaseException as error:
                # One shard's worker gone ends them all: the process stops with the error
                # rather than keep one shard's views quietly behind.
                failed.append(error)
                stop.set()

        workers = [
            threading.Thread(target=work, args=(db,), name=f"project-{n}")
            for n, db in enumerate(databases)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            # Short joins: the main thread stays free to take SIGTERM and Ctrl-C.
            while worker.is_alive():
                worker.join(0.5)
        if failed:
            raise failed[0]
    print("Gestopt.", file=sys.stderr)
    return 0


class ProgressBar:
    """A progress line on stderr: redrawn in place on a terminal, every tenth otherwise."""

    def __init__(self, label: str, start: float) -> None:
        self.label = label
        self.start = start
        self.tty = sys.stderr.isatty()
        self.shown_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        width = 30
        bar = "#" * int(fraction * width)
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        line = (
            f"{self.label} [{bar:<{width}}] {_number(done)}/{_number(total)} gebeurtenissen "
            f"({fraction:.0%}, {_number(int(rate))}/s)"
        )
        if self.tty:
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif int(fraction * 10) > self.shown_tenth:
            self.shown_tenth = int(fraction * 10)
            print(line, file=sys.stderr, flush=True)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def rebuild_views(args: argparse.Namespace) -> int:
    store = args.settings.store
    models = ReadModels(store)
    known = models.municipalities()
    if args.gemeente and args.gemeente not in known:
        print(f"Onbekende gemeente '{args.gemeente}' in {store.url}.", file=sys.stderr)
        return 2
    chosen = [args.gemeente] if args.gemeente else known
    if not chosen:
        print(f"Geen gemeenten gevonden in {store.url}; er is niets te herbouwen.", file=sys.stderr)
        return 0
    total = 0
    try:
        for municipality in chosen:
            start = time.perf_counter()
            bar = ProgressBar(municipality, start)
            position = models[municipality].rebuild(progress=bar)
            if bar.tty:
                print(file=sys.stderr)
            seconds = time.perf_counter() - start
            duration = f"{seconds:.1f}".replace(".", ",")
            print(
                f"{municipality}: opnieuw opgebouwd tot positie {_number(position)} "
                f"in {duration} s.",
                file=sys.stderr,
            )
            total += position
    finally:
        models.close_all()
    print(f"Klaar: {_number(total)} gebeurtenissen in {len(chosen)} gemeente(n).")
    return 0
