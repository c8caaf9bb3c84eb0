"""Hostile input over the real HTTP stack (issue 7): hypothesis builds requests from valid ones and
mutates their bodies, headers, paths and query strings (control characters, lone surrogates, huge
numbers, duplicate JSON keys as raw bytes, wrong types, ids with a trailing newline, other
spellings of a UUID, `Last-Event-ID` of `²`, of 5,000 or of 23 digits, header lines the parser
refuses) and sends them as raw bytes to `adviesspoor serve`, so that nothing a client library
would clean up is cleaned up.

After every request: no 5xx, logged or answered (a stream that started and then died counts);
every 4xx is `application/problem+json`; no token appears in the server's log output or in an
answer; and after a 4xx the log is unchanged (its last position, and no new log file either).

`ADVIESSPOOR_FUZZ_EXAMPLES` (default 300) sets the number of requests, `ADVIESSPOOR_FUZZ_SEED`
a seed of one's own (by default the run is the same every time). `ADVIESSPOOR_FUZZ_SURVEY=1` checks
every request without stopping at the first failure, and lists what broke, per kind, at the end
(`=<file>.json` also writes every case to that file).
"""

import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, note, seed, settings
from hypothesis import strategies as st

from tests.e2e.fuzz_server import MUNICIPALITY, Fuzzed, record_history
from tests.e2e.hostile import (
    Raw,
    Reply,
    hostile_requests,
    raw_request,
    send,
)
from tests.e2e.hostile_named import named_cases as _named_cases
from tests.faults.harness import Process, Store

EXAMPLES = int(os.environ.get("ADVIESSPOOR_FUZZ_EXAMPLES") or 300)
SEED = int(os.environ.get("ADVIESSPOOR_FUZZ_SEED") or 20261129)
PROBLEM_JSON = "application/problem+json"
# Every request checked without stopping at the first failure; one list of what broke, at the end.
# With a path ending in .json, every case is also written there.
SURVEY = os.environ.get("ADVIESSPOOR_FUZZ_SURVEY") or ""
Check = Callable[[Raw], None]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """`adviesspoor serve` on a fresh SQLite store with a body, dossier, advice and tokens."""
    base = tmp_path_factory.mktemp("fuzz")
    store = Store.sqlite(base / "data")
    tokens = {
        role: store.token(MUNICIPALITY, role) for role in ("beheerder", "secretariaat", "auditor")
    }
    server = Process(store, base / "logs")
    server.start()
    try:
        ids = record_history(server, tokens)
        tokens["lid"] = store.token(MUNICIPALITY, "lid", ids["adviesorgaan"])
        fuzzed = Fuzzed(server, store, tokens, ids)
        fuzzed.new_log()
        yield fuzzed
    finally:
        server.stop()


def _server_faults(log: str) -> list[str]:
    """Log lines of answers 500 and up, and of errors the server did not handle."""
    faults = []
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            if line.strip() and not line.startswith(("Adviesspoor", " ")):
                faults.append(line[:200])
            continue
        if not isinstance(entry, dict):
            continue
        status = entry.get("status")
        if (isinstance(status, int) and status >= 500) or entry.get("level") == "error":
            faults.append(line[:300])
    return faults


@pytest.fixture(scope="module")
def strategy(fuzzed: Fuzzed) -> st.SearchStrategy[Raw]:
    return hostile_requests(fuzzed.ids, fuzzed.tokens)


def _violations(raw: Raw, reply: Reply, log: str, changed: str | None, fuzzed: Fuzzed) -> list[str]:
    """Every property of the contract this request and its answer broke, as (category, detail)."""
    found = []
    if reply.status is None:
        found.append(f"geen antwoord: {reply.body[:200]!r}")
    elif reply.status >= 500:
        found.append(f"{reply.status} als antwoord: {reply.body[:200]!r}")
    for fault in _server_faults(log)[:1]:
        kind = "5xx in het serverlog" if '"status":5' in fault else "fout in het serverlog"
        found.append(f"{kind}: {fault}")
    logged = [role for role, token in fuzzed.tokens.items() if token in log]
    if logged:
        found.append(f"token ({', '.join(logged)}) in het serverlog")
    echoed = [role for role, token in fuzzed.tokens.items() if token.encode() in reply.body]
    if echoed:
        found.append(f"token ({', '.join(echoed)}) in het antwoord")
    if reply.status is not None and 400 <= reply.status < 500:
        if reply.content_type != PROBLEM_JSON:
            found.append(f"{reply.status} als {reply.content_type or '?'}: {reply.body[:120]!r}")
        if changed is not None:
            found.append(f"log veranderd na {reply.status}: {changed}")
    return found


def _with_examples(cases: list[Raw]) -> Callable[[Check], Check]:
    """`@example` for every case: hypothesis runs them first, every time."""

    def apply(test: Check) -> Check:
        for case in reversed(cases):
            test = example(case)(test)
        return test

    return apply


def _category(violation: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", violation.split(":")[0]).strip()


def test_hostile_requests_get_no_5xx_problem_json_for_every_4xx_no_token_in_the_log_and_no_change(
    fuzzed: Fuzzed, strategy: st.SearchStrategy[Raw]
) -> None:
    survey: dict[str, list[str]] = {}

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(strategy)
    @_with_examples(_named_cases(fuzzed.ids, fuzzed.tokens))
    def one(raw: Raw) -> None:
        note(repr(raw))
        before = fuzzed.log_state()
        reply = send(fuzzed.server.port, raw)
        if reply.content_type == "text/event-stream":
            time.sleep(0.1)  # a stream logs its line when it ends
        log = fuzzed.new_log()
        after = fuzzed.log_state()
        changed = None if after == before else f"{before} → {after}"
        violations = _violations(raw, reply, log, changed, fuzzed)
        if SURVEY:
            survey.setdefault("antwoorden", []).append(str(reply.status))
            for violation in violations:
                survey.setdefault(_category(violation), []).append(f"{violation} ← {raw!r}")
            return

        assert violations == [], "\n".join(violations)

    one()
    statuses = sorted(Counter(survey.pop("antwoorden", [])).items())
    counted = {category: len(found) for category, found in survey.items()}
    counted["antwoorden"] = statuses  # type: ignore[assignment]
    if SURVEY.endswith(".json"):
        Path(SURVEY).write_text(json.dumps({"telling": counted, "gevallen": survey}, indent=1))
    examples = "\n".join(f"- {found[0][:700]}" for found in survey.values())
    assert survey == {}, f"{counted}\n{examples}"


def test_the_fuzzed_server_still_answers_and_logged_no_token_at_all(fuzzed: Fuzzed) -> None:
    reply = send(
        fuzzed.server.port,
        raw_request("GET", f"/adviezen/{fuzzed.ids['advies']}", fuzzed.tokens["secretariaat"]),
    )
    whole_log = Path(fuzzed.server.stderr_path).read_text(errors="replace")

    assert reply.status == 200
    assert [role for role, token in fuzzed.tokens.items() if token in whole_log] == []
