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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, note, seed, settings
from hypothesis import strategies as st

from tests.e2e.hostile import (
    Raw,
    Reply,
    hostile_requests,
    promise,
    raw_request,
    send,
    valid_bodies,
)
from tests.faults.client import amsterdam_day
from tests.faults.harness import Process, Store

MUNICIPALITY = "fuzz"
EXAMPLES = int(os.environ.get("ADVIESSPOOR_FUZZ_EXAMPLES") or 300)
SEED = int(os.environ.get("ADVIESSPOOR_FUZZ_SEED") or 20261129)
PROBLEM_JSON = "application/problem+json"
# Every request checked without stopping at the first failure; one list of what broke, at the end.
# With a path ending in .json, every case is also written there.
SURVEY = os.environ.get("ADVIESSPOOR_FUZZ_SURVEY") or ""
Check = Callable[[Raw], None]


@dataclass
class Fuzzed:
    """The server under fuzz, its tokens and records, and where its log output goes."""

    server: Process
    store: Store
    tokens: dict[str, str]
    ids: dict[str, str]
    log_offset: int = 0

    def new_log(self) -> str:
        with self.server.stderr_path.open("rb") as err:
            err.seek(self.log_offset)
            text = err.read()
        self.log_offset += len(text)
        return text.decode(errors="replace")

    def log_state(self) -> tuple[tuple[str, ...], int]:
        """Which logs exist, and the last position of ours: a 4xx changes neither."""
        assert self.store.directory is not None
        files = tuple(sorted(p.name for p in self.store.directory.glob("*.events.sqlite")))
        return files, max(self.store.positions(MUNICIPALITY), default=0)


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
        ids = _history(server, tokens)
        tokens["lid"] = store.token(MUNICIPALITY, "lid", ids["adviesorgaan"])
        fuzzed = Fuzzed(server, store, tokens, ids)
        fuzzed.new_log()
        yield fuzzed
    finally:
        server.stop()


def _history(server: Process, tokens: dict[str, str]) -> dict[str, str]:
    admin = tokens["beheerder"]

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        raw = raw_request("POST", path, admin, body)
        reply = send(server.port, raw)
        assert reply.status == 201, (raw, reply)
        created: dict[str, Any] = json.loads(reply.body)
        return created

    body = post("/adviesorganen", {"naam": "Fuzzraad", "soort": "adviesraad"})["id"]
    dossier = post("/dossiers", {"titel": "Fuzzdossier", "geopendOp": amsterdam_day(-30)})["id"]
    advice = post("/adviezen", valid_bodies({"adviesorgaan": body})["/adviezen"])["id"]
    promised = post(f"/adviezen/{advice}/toezeggingen", promise())["id"]
    return {
        "adviesorgaan": body,
        "dossier": dossier,
        "advies": advice,
        "toezegging": promised,
    }


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


def _named_cases(ids: dict[str, str], tokens: dict[str, str]) -> list[Raw]:
    """The hostile inputs issue 7 names, sent in every run before the random ones."""
    office, auditor = tokens["secretariaat"], tokens["auditor"]
    advice, body = ids["advies"], ids["adviesorgaan"]
    valid = valid_bodies(ids)
    reacties = f"/adviezen/{advice}/reacties"
    reaction = json.dumps(valid["/adviezen/{advies}/reacties"]).encode()

    def post(path: str, data: bytes, what: str, token: str = office, **more: Any) -> Raw:
        return raw_request("POST", path, token, data=data, what=what, **more)

    def get(target: str, what: str, token: str | None = office, **more: Any) -> Raw:
        return raw_request("GET", "", token, target=f"/api/v1{target}".encode(), what=what, **more)

    def stream(last_seen: bytes) -> Raw:
        extra = ((b"Last-Event-ID", last_seen),)
        return get(
            "/gebeurtenissen/stroom", f"Last-Event-ID {last_seen[:9]!r}", auditor, extra=extra
        )

    def with_field(path: str, name: str, value: Any) -> bytes:
        return json.dumps({**valid[path], name: value}).encode()

    return [
        post(
            "/adviezen",
            with_field("/adviezen", "adviesorgaan", body + "\n"),
            "id met \\n in de inhoud",
        ),
        post(
            "/besluiten",
            with_field("/besluiten", "adviezen", [advice + "\n"]),
            "id met \\n in een lijst",
        ),
        get(f"/statistieken?adviesorgaan={body}%0A", "id met \\n in de query"),
        get(f"/volglijst?adviesorgaan={body}%0A", "id met \\n in de query"),
        stream("²".encode()),
        stream(b"9" * 5000),
        stream(b"9" * 23),
        get("/gebeurtenissen?vanaf=%C2%B2", "vanaf=²", auditor),
        get("/gebeurtenissen?vanaf=" + "9" * 23, "vanaf van 23 cijfers", auditor),
        post(reacties, b'{"punt": 2, ' + reaction[1:], "punt dubbel, als ruwe bytes"),
        post(reacties, reaction.replace(b'"Nee."', b'"\\ud800"'), "losse surrogaat"),
        post(
            reacties,
            reaction.replace(b'"punt": 1', b'"punt": 1' + b"0" * 400),
            "getal van 401 cijfers",
        ),
        post(reacties, reaction.replace(b'"punt": 1', b'"punt": 1e400'), "1e400"),
        post(reacties, reaction.replace(b'"punt": 1', b'"punt": 1.0'), "1.0 als geheel getal"),
        post(reacties, reaction.replace(b'"punt": 1', b'"punt": "1"'), "tekst als geheel getal"),
        post(f"/adviezen/{advice.upper()}/reacties", reaction, "id in hoofdletters"),
        post(f"/adviezen/{advice.replace('-', '')}/reacties", reaction, "id zonder streepjes"),
        post(f"/adviezen/urn:uuid:{advice}/reacties", reaction, "urn:uuid:-id"),
        get(f"/adviezen/{advice}%0A", "pad-id met \\n"),
        raw_request(
            "POST",
            reacties,
            None,
            data=reaction,
            what="kale CR in Authorization",
            extra=((b"Authorization", b"Bearer " + office.encode() + b"\r"),),
        ),
        raw_request(
            "GET",
            "/adviezen",
            None,
            what="Authorization met een regel van 9.000 bytes",
            extra=((b"Authorization", b"Bearer " + office.encode() + b" " + b"a" * 9000),),
        ),
        get("/adviezen", "een kopregel van 9.000 bytes", extra=((b"X-Opvulling", b"a" * 9000),)),
        get(
            "/adviezen",
            "Authorization met \\xff",
            None,
            extra=((b"Authorization", b"Bearer " + office.encode() + b"\xff"),),
        ),
    ]


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
