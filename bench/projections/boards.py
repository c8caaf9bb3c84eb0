"""What a body's views and the points view cost as the municipality grows: `/volglijst` and
`/punten` of one body (100 advices in both), `/punten` of the whole municipality (the count and
one page of 50, as the route serves it), and one advice (`/adviezen/{id}`), with 100 advices in
the municipality and with 100,000; one decision per 20 advices. Beside them, in the same run, the
points view built the way it was before issue 9 (every advice's view folded, then paged): the
baseline.

.venv/bin/python -m bench.projections.boards [--large N] [--repeats N] [--quick]

CPU time of this process per call (`time.process_time`: SQLite runs in it), the median of the
repeats. The view documents are folded from synthetic events (`projections.fold`, no ledger) and
written straight into a views store in a temporary directory, so a large municipality takes
seconds.
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Final

import orjson

from bench.results import record
from events.store import StoreUrl
from projections import ReadModel, answers, fold, views
from projections.point_list import Filters

BODY: Final = "00000000-0000-4000-8000-000000000001"
OWN_ADVICE: Final = 100
OTHER_BODIES: Final = 24
PER_DECISION: Final = 20  # advices per decision
TODAY: Final = date(2026, 11, 28)
PAGE: Final = 5_000
SHOWN: Final = 50  # a page of /punten


def _advice_id(n: int) -> str:
    return f"10000000-0000-4000-8000-{n:012d}"


def _advice(n: int) -> dict[str, Any]:
    """Advice `n`: of the measured body for the first 100, else of one of 24 others."""
    body = BODY if n < OWN_ADVICE else f"00000000-0000-4000-8000-{n % OTHER_BODIES + 2:012d}"
    submitted = TODAY - timedelta(days=30 + n % 300)
    state = {
        "timestamp": "2026-01-01T10:00:00+00:00",
        "body_id": body,
        "dossier_id": None,
        "request_id": None,
        "title": f"Advies {n}",
        "reference": None,
        "submitted_on": submitted.isoformat(),
        "solicited": False,
        "response_term_days": 42,
        "due_on": (submitted + timedelta(days=42)).isoformat(),
        "points": ["Betrek cliënten.", "Meer tijd.", "Een brochure."],
    }
    doc = fold.apply(None, n + 1, _advice_id(n), "AdviceSubmitted", state)
    if n % 2:
        response = {
            "timestamp": "2026-01-02T10:00:00+00:00",
            "point": 1,
            "outcome": "followed",
            "text": "Overgenomen.",
            "reasons": None,
            "consequence": None,
            "given_on": (submitted + timedelta(days=10)).isoformat(),
            "decision": None,
        }
        doc = fold.apply(doc, n + 1, _advice_id(n), "ResponseRecorded", response)
    return doc


def _decision(n: int) -> dict[str, Any]:
    """The decision on advice `n` (one in 20): it deviates on its third point."""
    state = {
        "timestamp": "2026-01-03T10:00:00+00:00",
        "dossier_id": "20000000-0000-4000-8000-000000000001",
        "title": f"Besluit {n}",
        "decided_on": TODAY.isoformat(),
        "reference": None,
        "advice_ids": [_advice_id(n)],
        "deviations": [
            {
                "advice_id": _advice_id(n),
                "point": 3,
                "reasons": "Anders.",
                "outcome": "not_followed",
            }
        ],
    }
    return fold.apply(None, n + 1, f"30000000-0000-4000-8000-{n:012d}", "DecisionTaken", state)


def municipality(directory: Path, advices: int) -> ReadModel:
    model = ReadModel(StoreUrl.parse(f"sqlite:///{directory}").location("bench"))
    for first in range(0, advices, PAGE):
        with model.store.transaction(commit=True) as cursor:
            numbers = range(first, min(first + PAGE, advices))
            docs = [_advice(n) for n in numbers]
            docs += [_decision(n) for n in numbers if n % PER_DECISION == 1]
            model.store.write_page(cursor, docs, numbers[-1] + 1, {d["id"] for d in docs})
    return model


def cpu_ms(work: Callable[[], object], repeats: int) -> float:
    """The median CPU time of `repeats` calls, in milliseconds."""
    work()
    samples = []
    for _ in range(repeats):
        start = time.process_time()
        work()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def served(points: Sequence[Any], page: int = 1) -> object:
    """What the route reads of a points list: its length and one page."""
    return len(points), points[(page - 1) * SHOWN : page * SHOWN]


def before(model: ReadModel, body_id: str | None = None) -> object:
    """The points view as it was built before issue 9: every advice's view, then one page."""
    listed = model.advice_list(TODAY, None, body_id)
    return served(views.points_view(listed))


def before_advice(model: ReadModel, advice_id: str) -> object:
    """One advice as it was read before: its body, its dossier and every decision."""
    doc = model.doc(advice_id)
    assert doc is not None
    rows = model.store.query(
        "SELECT doc FROM {docs} WHERE id IN (?, ?) OR kind = 'decision'",
        [doc["body_id"], doc["dossier_id"] or doc["body_id"]],
    )
    return views.advice_view(doc, TODAY, answers.context(orjson.loads(row[0]) for row in rows))


ROWS: Final[list[tuple[str, Callable[[ReadModel], object]]]] = [
    ("/volglijst?adviesorgaan=", lambda m: m.follow_up_board(BODY, TODAY)),
    ("/punten?adviesorgaan=", lambda m: served(m.points(TODAY, filters=Filters(body_id=BODY)))),
    ("/punten", lambda m: served(m.points(TODAY))),
    ("/punten?pagina=6 (the last at 100)", lambda m: served(m.points(TODAY), 6)),
    ("/punten?verlopen=true", lambda m: served(m.points(TODAY, filters=Filters(overdue=True)))),
    (
        "/punten?uitkomst=gevolgd",
        lambda m: served(m.points(TODAY, filters=Filters(outcome="followed"))),
    ),
    ("/adviezen/{id}", lambda m: m.advice(_advice_id(7), TODAY)),
    ("before: /adviezen/{id}", lambda m: before_advice(m, _advice_id(7))),
    ("before: /punten?adviesorgaan=", lambda m: before(m, BODY)),
    ("before: /punten", before),
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.projections.boards", description=__doc__)
    parser.add_argument("--large", type=int, default=100_000, help="advices, large municipality")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="2,000 advices, 3 repeats")
    args = parser.parse_args(argv)
    if args.quick:
        args.large, args.repeats = 2_000, 3
    print(f"{OWN_ADVICE} advices of the body; municipalities of {OWN_ADVICE} and {args.large:,}")
    print(f"one decision per {PER_DECISION} advices; CPU ms per call (median)")
    with tempfile.TemporaryDirectory(prefix="adviesspoor-bench-boards-") as scratch:
        started = time.perf_counter()
        small = municipality(Path(scratch) / "small", OWN_ADVICE)
        large = municipality(Path(scratch) / "large", args.large)
        print(f"views written in {time.perf_counter() - started:.1f} s")
        print(f"  {'view':<36} {'100 advices':>12} {f'{args.large:,} advices':>16}  ratio")
        ratios = {}
        for label, work in ROWS:
            few = cpu_ms(partial(work, small), args.repeats)
            many = cpu_ms(partial(work, large), max(1, args.repeats // 5))
            ratios[label] = many / few
            print(f"  {label:<36} {few:>9.2f} ms {many:>13.2f} ms  {many / few:.2f}x")
        small.close()
        large.close()
    print(f"load average {os.getloadavg()[0]:.1f}")
    record(
        "punten_growth",
        ratios["/punten"],
        f"/punten CPU at {args.large:,} ÷ at 100 advices",
        f"before: {ratios['before: /punten']:.0f}x",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
