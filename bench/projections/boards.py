"""What a body's views cost as the municipality grows: `/volglijst` and `/punten` of one body
(the SQL filter on the indexed `body_id` column) with 100 advices in the municipality and with
100,000, the body itself having the same 100 in both; beside them, `/punten` of the whole
municipality, which does grow with it.

.venv/bin/python -m bench.projections.boards [--large N] [--repeats N] [--quick]

The view documents are folded from synthetic events (`projections.fold`, no ledger) and written
straight into a views store in a temporary directory, so a large municipality takes seconds.
"""

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Final

from events.store import StoreUrl
from projections import ReadModel, fold
from projections.point_list import Filters

BODY: Final = "00000000-0000-4000-8000-000000000001"
OWN_ADVICE: Final = 100
OTHER_BODIES: Final = 24
TODAY: Final = date(2026, 11, 28)
PAGE: Final = 5_000


def _docs(count: int, first: int) -> list[dict[str, Any]]:
    """`count` advice documents: the first 100 of the measured body, the rest of 24 others."""
    docs: list[dict[str, Any]] = []
    for n in range(first, first + count):
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
        advice_id = f"10000000-0000-4000-8000-{n:012d}"
        doc = fold.apply(None, n + 1, advice_id, "AdviceSubmitted", state)
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
            doc = fold.apply(doc, n + 1, advice_id, "ResponseRecorded", response)
        docs.append(doc)
    return docs


def municipality(directory: Path, advices: int) -> ReadModel:
    model = ReadModel(StoreUrl.parse(f"sqlite:///{directory}").location("bench"))
    for first in range(0, advices, PAGE):
        with model.store.transaction(commit=True) as cursor:
            docs = _docs(min(PAGE, advices - first), first)
            model.store.write_page(cursor, docs, first + len(docs), {d["id"] for d in docs})
    return model


def timed(work: Callable[[], object], repeats: int) -> float:
    """The median of `repeats` calls, in milliseconds."""
    work()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.projections.boards", description=__doc__)
    parser.add_argument("--large", type=int, default=100_000, help="advices, large municipality")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="2,000 advices, 3 repeats")
    args = parser.parse_args(argv)
    if args.quick:
        args.large, args.repeats = 2_000, 3
    print(f"{OWN_ADVICE} advices of the body; municipalities of {OWN_ADVICE} and {args.large:,}")
    with tempfile.TemporaryDirectory(prefix="adviesspoor-bench-boards-") as scratch:
        started = time.perf_counter()
        small = municipality(Path(scratch) / "small", OWN_ADVICE)
        large = municipality(Path(scratch) / "large", args.large)
        print(f"views written in {time.perf_counter() - started:.1f} s")
        rows: list[tuple[str, Callable[[ReadModel], object]]] = [
            ("/volglijst?adviesorgaan=", lambda m: m.follow_up_board(BODY, TODAY)),
            (
                "/punten?adviesorgaan=",
                lambda m: m.points(TODAY, filters=Filters(body_id=BODY))[:50],
            ),
            ("/punten (whole municipality)", lambda m: m.points(TODAY)[:50]),
        ]
        print(f"  {'view':<30} {'100 advices':>12} {f'{args.large:,} advices':>16}  ratio")
        for label, work in rows:
            few = timed(partial(work, small), args.repeats)
            many = timed(partial(work, large), max(1, args.repeats // 5))
            print(f"  {label:<30} {few:>10.2f} ms {many:>14.2f} ms  {many / few:.2f}x")
        small.close()
        large.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
