"""Decode + validate + encode per request, without HTTP: the pydantic models of this tree against
today's path in an older checkout (orjson + a duplicate-key scan + jsonschema for a body;
`translate` + orjson for an answer), each timed in a process of its own, in the same run.

.venv/bin/python -m bench.http.codec --before DIR [--repeats N]
"""

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[2]
# The same body and view in both processes; a view is folded from a small log of 3 points.
SETUP: Final = """
import time, orjson
from datetime import date
from projections import answers, fold, views
BODY = orjson.dumps({"punt": 2, "uitkomst": "niet_overgenomen", "reactie": "Niet over.",
    "gegevenOp": "2026-11-20", "motivering": "Het budget is verdeeld.", "consequentie": "Geen."})
def event(_record, **state):
    return {"timestamp": "2026-11-01T10:00:00+00:00", **state}
body = fold.apply(None, 1, "b", "AdvisoryBodyRegistered", event("b", name="WIJ-raad",
    kind="client_council", response_term_days=42))
doc = fold.apply(None, 2, "a", "AdviceSubmitted", event("a", body_id="b", title="Advies",
    submitted_on="2026-11-01", solicited=True, points=["Een", "Twee", "Drie"], dossier_id=None,
    request_id=None, reference=None, response_term_days=42, due_on="2026-12-13"))
doc = fold.apply(doc, 3, "a", "ResponseRecorded", event("a", point=1, outcome="followed",
    text="Goed.", reasons=None, consequence=None, given_on="2026-11-10", decision=None))
VIEW = views.advice_view(doc, date(2026, 11, 28), answers.context([body]))
def timed(work, n):
    work()
    best = 1e9
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            work()
        best = min(best, (time.perf_counter() - start) / n)
    return best * 1e6
"""
BEFORE: Final = """
from api.middlewares import duplicate_keys
from api.schemas import RECORD_RESPONSE, check
from api.translate import advice
def decode():
    body = orjson.loads(BODY)
    duplicate_keys(BODY)
    check(RECORD_RESPONSE.schema, body)
def encode():
    return orjson.dumps(advice(VIEW, "groningen"))
"""
AFTER: Final = """
from api.http.answers import Advies
from api.http.invalid import decode as decode_body
from api.http.requests import NieuweReactie
def decode():
    decode_body(BODY, NieuweReactie)
def encode():
    answer = Advies.model_validate(VIEW, context={"municipality": "groningen"})
    return answer.__pydantic_serializer__.to_json(answer, by_alias=True)
"""
REPORT: Final = """
print(orjson.dumps({"decode": timed(decode, N), "encode": timed(encode, N),
    "bytes": len(encode())}).decode())
"""


def measure(root: Path, code: str, repeats: int) -> dict[str, float]:
    script = SETUP + code + f"N = {repeats}\n" + REPORT
    done = subprocess.run(  # noqa: S603 - this interpreter running our own measuring script
        [sys.executable, "-c", script],
        cwd=root,
        env={"PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring in {root} failed: {done.stderr[-1500:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http.codec", description=__doc__)
    parser.add_argument("--before", required=True, metavar="DIR", help="an older checkout")
    parser.add_argument("--repeats", type=int, default=2000)
    args = parser.parse_args(argv)
    before = measure(Path(args.before).resolve(), BEFORE, args.repeats)
    after = measure(ROOT, AFTER, args.repeats)
    print("per request, µs (best of 5 × N, one process each)   before   after   ratio")
    for key, label in (
        ("decode", "POST body: decode + validate"),
        ("encode", "GET answer: encode"),
    ):
        print(
            f"  {label:<48} {before[key]:>7.1f} {after[key]:>7.1f}  {after[key] / before[key]:.2f}x"
        )
    print(f"  answer size, bytes: before {before['bytes']:.0f}, after {after['bytes']:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
