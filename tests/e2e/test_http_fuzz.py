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

import contextlib
import json
import os
import re
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, note, seed, settings
from hypothesis import strategies as st

from tests.faults.harness import Process, Store, amsterdam_day

MUNICIPALITY = "fuzz"
EXAMPLES = int(os.environ.get("ADVIESSPOOR_FUZZ_EXAMPLES") or 300)
SEED = int(os.environ.get("ADVIESSPOOR_FUZZ_SEED") or 20261129)
PROBLEM_JSON = "application/problem+json"
# Every request checked without stopping at the first failure; one list of what broke, at the end.
# With a path ending in .json, every case is also written there.
SURVEY = os.environ.get("ADVIESSPOOR_FUZZ_SURVEY") or ""
STREAM_LISTEN_SECONDS = 0.3

# Raw JSON values, put in place of a placeholder string after the body is serialised.
RAW_VALUES: dict[str, bytes] = {
    "lone surrogate": b'"\\ud800 los"',
    "lone low surrogate": b'"\\udfff"',
    "400 digits": b"1" + b"0" * 400,
    "5000 digits": b"9" * 5000,
    "23 digits": b"9" * 23,
    "1e400": b"1e400",
    "1.0": b"1.0",
    "-0": b"-0",
    "NaN": b"NaN",
    "invalid UTF-8": b'"\xff\xfe"',
    "overlong UTF-8": b'"\xc0\xaf"',
    "deep array": b"[" * 2000 + b"]" * 2000,
}
TEXTS = [
    "",
    " ",
    "\u200b",
    "\u200b\u200d\ufeff",
    "\u0000",
    "a\u0000b",
    "\u001b[2J\u001b]0;pwned\u0007",
    "regel\r\nX-Injected: 1",
    "\u2028\u2029",
    "\ud7ff\ue000",
    "²",
    "１２",
    "x" * 25_000,
]
OTHER_VALUES: list[Any] = [
    0,
    -1,
    1.5,
    True,
    False,
    None,
    [],
    {},
    [1],
    {"a": 1},
    2**63,
    -(2**63) - 1,
]
LAST_EVENT_IDS = ["²".encode(), b"9" * 23, b"9" * 5000, b"1", b"-1", "１".encode(), b"1e3", b" 1"]
DATES = [
    "2024-02-30",
    "2024-2-3",
    "9999-12-31",
    "0000-01-01",
    "2024-01-01T00:00:00Z",
    "２０２４-01-01",
]


@dataclass(frozen=True)
class Raw:
    """One request exactly as it goes on the wire."""

    method: str
    target: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    what: str  # how it was made, to read in a failure report

    def wire(self) -> bytes:
        lines = [f"{self.method} ".encode() + self.target + b" HTTP/1.1"]
        lines += [name + b": " + value for name, value in self.headers]
        if self.body or self.method == "POST":
            lines.append(b"Content-Length: " + str(len(self.body)).encode())
        return b"\r\n".join(lines) + b"\r\n\r\n" + self.body

    def __repr__(self) -> str:
        shown = self.wire()
        if len(shown) > 600:
            shown = shown[:400] + b"..." + shown[-150:]
        return f"Raw({self.what}: {shown!r})"


Check = Callable[[Raw], None]


@dataclass(frozen=True)
class Reply:
    status: int | None  # None: the connection closed without an answer
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()


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
        raw = _raw("POST", path, admin, body)
        reply = _send(server.port, raw)
        assert reply.status == 201, (raw, reply)
        created: dict[str, Any] = json.loads(reply.body)
        return created

    body = post("/adviesorganen", {"naam": "Fuzzraad", "soort": "adviesraad"})["id"]
    dossier = post("/dossiers", {"titel": "Fuzzdossier", "geopendOp": amsterdam_day(-30)})["id"]
    advice = post("/adviezen", _bodies({"adviesorgaan": body})["/adviezen"])["id"]
    promise = post(f"/adviezen/{advice}/toezeggingen", _promise())["id"]
    return {
        "adviesorgaan": body,
        "dossier": dossier,
        "advies": advice,
        "toezegging": promise,
    }


def _promise() -> dict[str, Any]:
    return {"punt": 1, "omschrijving": "Er komt een brochure.", "uiterlijkOp": amsterdam_day(30)}


def _bodies(ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    """A valid body for every POST, by path template."""
    body, advice = ids.get("adviesorgaan", ""), ids.get("advies", "")
    return {
        "/adviesorganen": {"naam": "Raad", "soort": "adviesraad", "reactietermijnDagen": 42},
        "/dossiers": {"titel": "Dossier", "geopendOp": amsterdam_day(-5), "kenmerk": "K1"},
        "/adviezen": {
            "adviesorgaan": body,
            "titel": "Advies",
            "uitgebrachtOp": amsterdam_day(-10),
            "gevraagd": False,
            "punten": [{"tekst": "Punt 1"}, {"tekst": "Punt 2"}, {"tekst": "Punt 3"}],
        },
        "/adviezen/{advies}/reacties": {
            "punt": 1,
            "uitkomst": "niet_overgenomen",
            "reactie": "Nee.",
            "motivering": "Omdat.",
            "gegevenOp": amsterdam_day(-1),
        },
        "/adviezen/{advies}/toezeggingen": _promise(),
        "/adviezen/{advies}/toezeggingen/{toezegging}/nakoming": {
            "nagekomenOp": amsterdam_day(-1),
            "toelichting": "Gedaan.",
        },
        "/adviezen/{advies}/termijnwijzigingen": {
            "nieuweDatum": amsterdam_day(60),
            "reden": "Zomer.",
        },
        "/adviezen/{advies}/wederwoorden": {"punt": 1, "oordeel": "tevreden", "tekst": "Dank."},
        "/besluiten": {
            "dossier": ids.get("dossier", ""),
            "titel": "Besluit",
            "besluitdatum": amsterdam_day(-1),
            "adviezen": [advice],
            "afwijkingen": [
                {"advies": advice, "punt": n, "motivering": "Anders."} for n in (1, 2, 3)
            ],
        },
    }


# (method, path template, role, query keys it knows)
OPERATIONS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("POST", "/adviesorganen", "beheerder", ()),
    ("POST", "/dossiers", "secretariaat", ()),
    ("POST", "/adviezen", "secretariaat", ()),
    ("POST", "/adviezen/{advies}/reacties", "secretariaat", ()),
    ("POST", "/adviezen/{advies}/toezeggingen", "secretariaat", ()),
    ("POST", "/adviezen/{advies}/toezeggingen/{toezegging}/nakoming", "secretariaat", ()),
    ("POST", "/adviezen/{advies}/termijnwijzigingen", "secretariaat", ()),
    ("POST", "/adviezen/{advies}/wederwoorden", "lid", ()),
    ("POST", "/besluiten", "secretariaat", ()),
    ("GET", "/adviezen/{advies}", "secretariaat", ("peildatum", "vastgelegdTot")),
    (
        "GET",
        "/adviezen",
        "lid",
        ("adviesorgaan", "dossier", "status", "verlopen", "pagina", "paginaGrootte"),
    ),
    ("GET", "/adviezen/{advies}/historie", "auditor", ("vastgelegdTot",)),
    ("GET", "/volglijst", "secretariaat", ("adviesorgaan", "peildatum")),
    ("GET", "/statistieken", "secretariaat", ("adviesorgaan", "jaar", "peildatum")),
    ("GET", "/dossiers/{dossier}", "secretariaat", ("peildatum",)),
    ("GET", "/adviesorganen/{adviesorgaan}", "lid", ()),
    ("GET", "/besluiten", "secretariaat", ("pagina", "paginaGrootte")),
    ("GET", "/gebeurtenissen", "auditor", ("vanaf", "limiet", "vastgelegdTot")),
    ("GET", "/gebeurtenissen/stroom", "auditor", ("vanaf",)),
]


def _id_spellings(value: str) -> list[str]:
    return [
        value + "\n",
        value + "\r\n",
        value.upper(),
        value.replace("-", ""),
        "urn:uuid:" + value,
        "{" + value + "}",
        value + " ",
        " " + value,
        value + "\u0000",
        value[:-1] + "Ｆ",
        value + "/",
        "..",
        "9" * 5000,
    ]


def _raw(
    method: str,
    path: str,
    token: str | None,
    body: Any = None,
    extra: tuple[tuple[bytes, bytes], ...] = (),
    target: bytes | None = None,
    data: bytes | None = None,
    what: str = "geldig",
) -> Raw:
    headers: list[tuple[bytes, bytes]] = [(b"Host", b"127.0.0.1"), (b"Connection", b"close")]
    if token is not None:
        headers.append((b"Authorization", b"Bearer " + token.encode()))
    if method == "POST":
        headers.append((b"Content-Type", b"application/json"))
    headers += extra
    payload = data if data is not None else (json.dumps(body).encode() if body is not None else b"")
    return Raw(method, target or f"/api/v1{path}".encode(), tuple(headers), payload, what)


@st.composite
def hostile_requests(draw: st.DrawFn, ids: dict[str, str], tokens: dict[str, str]) -> Raw:
    method, template, role, query_keys = draw(st.sampled_from(OPERATIONS))
    what: list[str] = [f"{method} {template}"]
    names = re.findall(r"{(\w+)}", template)
    values = {name: ids[name] for name in names}
    path_bytes = {name: quote(value, safe="").encode() for name, value in values.items()}
    if names and draw(st.integers(0, 3)) == 3:
        name = draw(st.sampled_from(names))
        spelling = draw(st.sampled_from(_id_spellings(values[name])))
        path_bytes[name] = quote(spelling, safe="").encode()
        what.append(f"id {name}={spelling[:60]!r}")
    target = b"/api/v1" + template.encode()
    for name, encoded in path_bytes.items():
        target = target.replace(b"{" + name.encode() + b"}", encoded)
    # Hypothesis leans to small integers: 0 is "leave it", the highest value "mutate".
    if draw(st.integers(0, 9)) == 9:
        raw_byte = draw(st.sampled_from([b"\x01", b" ", b"\x7f", b"\xff", b"%", b"%zz", b"\r"]))
        target += raw_byte
        what.append(f"ruw {raw_byte!r} in het pad")

    query = draw(_queries(query_keys, ids))
    if query:
        target += b"?" + query
        what.append(f"query {query[:80]!r}")

    token: str | None = tokens[role]
    switch = draw(st.integers(0, 11))
    if switch == 9:
        token = None
    elif switch == 10:
        token = draw(st.sampled_from(list(tokens.values())))
    elif switch == 11:
        token = "onzin" + "x" * 38
    extra: tuple[tuple[bytes, bytes], ...] = ()
    if draw(st.integers(0, 2)) == 2:
        extra = tuple(draw(st.lists(_header_mutations(token, ids), min_size=1, max_size=2)))
    if extra:
        what.append("headers " + ", ".join(repr(name) for name, _ in extra))
    if template.endswith("/stroom") and draw(st.booleans()):
        last_seen = draw(st.sampled_from(LAST_EVENT_IDS))
        extra += ((b"Last-Event-ID", last_seen),)
        what.append(f"Last-Event-ID {last_seen[:30]!r}")
    if any(name == b"Authorization" for name, _ in extra):
        token = None  # the mutated header replaces the plain one

    data = None
    if method == "POST":
        valid = _bodies(ids)[template]
        data, how = draw(_body_mutations(valid, ids))
        what.append(how)
    return _raw(method, "", token, extra=extra, target=target, data=data, what="; ".join(what))


def _queries(known: tuple[str, ...], ids: dict[str, str]) -> st.SearchStrategy[bytes]:
    keys = st.sampled_from(
        [*known, "onbekend", "vanaf", "limiet", "peildatum", "adviesorgaan", "pagina"]
    )
    values = st.sampled_from(
        [
            "1",
            "0",
            "-1",
            "1.0",
            "²",
            "１",
            "9" * 23,
            "9" * 5000,
            "2024-02-30",
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00+99:00",
            "\n",
            "\u0000",
            "\u001b[2J",
            ids["adviesorgaan"] + "\n",
            ids["adviesorgaan"].upper(),
            ids["adviesorgaan"],
            "true",
            "x" * 3000,
        ]
    )
    encoded = st.tuples(keys, values).map(
        lambda pair: quote(pair[0], safe="").encode() + b"=" + quote(pair[1], safe="").encode()
    )
    broken = st.sampled_from(
        [b"vanaf=%ED%A0%80", b"vanaf=%FF", b"vanaf=%zz", b"=1", b"&&", b"vanaf"]
    )
    return st.lists(st.one_of(encoded, encoded, broken), max_size=3).map(
        lambda parts: b"&".join(parts)
    )


def _header_mutations(
    token: str | None, ids: dict[str, str]
) -> st.SearchStrategy[tuple[bytes, bytes]]:
    secret = (token or "geen").encode()
    # Hypothesis draws the first entries most often: what the application itself must refuse
    # comes first, what the HTTP parser refuses (bare CR, lines over 8,190 bytes) last.
    return st.sampled_from(
        [
            (b"Last-Event-ID", "²".encode()),
            (b"Last-Event-ID", b"9" * 23),
            (b"Last-Event-ID", b"9" * 5000),
            (b"If-Match", b'"' + b"9" * 23 + b'"'),
            (b"Idempotency-Key", b"k" * 300),
            (b"Idempotency-Key", "sleutel-é".encode()),
            (b"Content-Type", b"application/json; charset=latin-1"),
            (b"Last-Event-ID", b"-1"),
            (b"Last-Event-ID", "１".encode()),
            (b"If-Match", b'W/"1"'),
            (b"If-Match", '"²"'.encode()),
            (b"Idempotency-Key", b""),
            (b"Authorization", b"Bearer " + secret + b"\xff"),
            (b"Authorization", b"Bearer\t" + secret),
            (b"Authorization", b"bearer " + secret),
            (b"X-Request-ID", b"r" * 5000),
            (b"X-Request-ID", "verzoek-é".encode()),
            (b"Content-Type", b"text/plain"),
            (b"Accept", b"text/csv"),
            (b"Accept", b"\xff"),
            (b"Transfer-Encoding", b"gzip"),
            (b"Idempotency-Key", b"k\x01"),
            (b"If-Match", b'"1"\x0b'),
            (b"X-Request-ID", b"\x1b[2J"),
            (b"Content-Type", b"application/json\x00"),
            (b"Last-Event-ID", (ids["advies"] + "\n").encode()[:-1] + b"\x0b"),
            (b"Authorization", b"Bearer " + secret + b"\x00"),
            (b"Authorization", b"Bearer " + secret + b"\r"),
            (b"Authorization", b"Bearer " + secret + b"\rX: y"),
            (b"Authorization", b"Bearer " + secret + b" " + b"a" * 9000),
            (b"X-Opvulling", b"a" * 9000),
            (b"X-Opvulling", b"a\rb"),
            (b"X-" + b"N" * 9000, b"1"),
        ]
    )


@st.composite
def _body_mutations(
    draw: st.DrawFn, valid: dict[str, Any], ids: dict[str, str]
) -> tuple[bytes, str]:
    kind = draw(st.integers(0, 9))
    body = json.loads(json.dumps(valid))
    fields = sorted(body)
    if kind == 0:
        return json.dumps(body).encode(), "geldige inhoud"
    if kind == 1:
        whole = draw(
            st.sampled_from([b"", b"[]", b'"x"', b"null", b"{", b"\xff\xfe", b"{}" * 2, b"\x00"])
        )
        return whole, f"inhoud {whole!r}"
    if kind == 2:
        name = draw(st.sampled_from(fields))
        twice = json.dumps({name: body[name]})[1:-1].encode()
        return b"{" + twice + b", " + json.dumps(body).encode()[1:], f"{name} dubbel"
    if kind == 3:
        name = draw(st.sampled_from(fields))
        del body[name]
        body[draw(st.sampled_from(["onbekend", name + " ", name.upper(), name + "\n"]))] = 1
        return json.dumps(body).encode(), f"veld {name} anders gespeld"
    placeholders: dict[str, bytes] = {}
    for number in range(draw(st.integers(1, 3))):
        target, name = draw(_field(body))
        choice = draw(st.integers(0, 3))
        if choice == 0:
            # An id field gets another spelling of its id (a trailing newline first of all).
            current = target[name]
            some_id = current[0] if isinstance(current, list) and current else current
            some_id = some_id if _looks_like_id(some_id) else ids["advies"]
            value: Any = draw(st.sampled_from(_id_spellings(some_id)))
            target[name] = [value] if isinstance(target[name], list) else value
        elif choice == 1:
            label = draw(st.sampled_from(sorted(RAW_VALUES)))
            marker = f"@@waarde{number}@@"
            placeholders[f'"{marker}"'] = RAW_VALUES[label]
            target[name] = marker
        elif choice == 2:
            target[name] = draw(st.sampled_from(TEXTS + DATES))
        else:
            target[name] = draw(st.sampled_from(OTHER_VALUES))
    data = json.dumps(body, ensure_ascii=draw(st.booleans())).encode()
    for marker, raw in placeholders.items():
        data = data.replace(marker.encode(), raw)
    return data, f"velden veranderd: {data[:200]!r}"


@st.composite
def _field(draw: st.DrawFn, body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A field of the body to change: ids first, and also inside lists of objects."""
    ids_first = sorted(body, key=lambda name: not _looks_like_id(body[name]))
    name = draw(st.sampled_from(ids_first))
    value = body[name]
    if isinstance(value, list) and value and isinstance(value[0], dict) and draw(st.booleans()):
        inner = value[0]
        inner_first = sorted(inner, key=lambda n: not _looks_like_id(inner[n]))
        return inner, draw(st.sampled_from(inner_first))
    return body, name


def _looks_like_id(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and _looks_like_id(value[0])
    return isinstance(value, str) and len(value) == 36 and value.count("-") == 4


def _send(port: int, raw: Raw) -> Reply:
    """Send the bytes; read the answer until the server closes (a stream: for a moment)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        # The server may answer and close before it has read everything.
        with contextlib.suppress(OSError):
            sock.sendall(raw.wire())
        received = b""
        stream_until: float | None = None
        while True:
            if stream_until is not None:
                left = stream_until - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(left)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except OSError:
                break
            if not chunk:
                break
            received += chunk
            if stream_until is None and b"\r\n\r\n" in received:
                head = received.split(b"\r\n\r\n", 1)[0].lower()
                if b"text/event-stream" in head:
                    stream_until = time.monotonic() + STREAM_LISTEN_SECONDS
    return _parse(received)


def _parse(received: bytes) -> Reply:
    if not received.startswith(b"HTTP/1.") or b"\r\n\r\n" not in received:
        return Reply(None, {}, received)
    head, body = received.split(b"\r\n\r\n", 1)
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if (
        headers.get("transfer-encoding") == "chunked"
        and headers.get("content-type") != "text/event-stream"
    ):
        body = _unchunk(body)
    return Reply(status, headers, body)


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2 :]
    return out


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
    valid = _bodies(ids)
    reacties = f"/adviezen/{advice}/reacties"
    reaction = json.dumps(valid["/adviezen/{advies}/reacties"]).encode()

    def post(path: str, data: bytes, what: str, token: str = office, **more: Any) -> Raw:
        return _raw("POST", path, token, data=data, what=what, **more)

    def get(target: str, what: str, token: str | None = office, **more: Any) -> Raw:
        return _raw("GET", "", token, target=f"/api/v1{target}".encode(), what=what, **more)

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
        _raw(
            "POST",
            reacties,
            None,
            data=reaction,
            what="kale CR in Authorization",
            extra=((b"Authorization", b"Bearer " + office.encode() + b"\r"),),
        ),
        _raw(
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
        reply = _send(fuzzed.server.port, raw)
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
    reply = _send(
        fuzzed.server.port,
        _raw("GET", f"/adviezen/{fuzzed.ids['advies']}", fuzzed.tokens["secretariaat"]),
    )
    whole_log = Path(fuzzed.server.stderr_path).read_text(errors="replace")

    assert reply.status == 200
    assert [role for role, token in fuzzed.tokens.items() if token in whole_log] == []
