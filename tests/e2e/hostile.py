"""Hostile HTTP requests as raw bytes, for tests/e2e/test_http_fuzz.py: hypothesis strategies that
start from a valid request for every operation and mutate its path ids, query string, headers and
body; and a socket client that sends exactly those bytes and reads the answer back."""

import contextlib
import json
import re
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from tests.faults.client import amsterdam_day

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


@dataclass(frozen=True)
class Reply:
    status: int | None  # None: the connection closed without an answer
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()


def promise() -> dict[str, Any]:
    return {"punt": 1, "omschrijving": "Er komt een brochure.", "uiterlijkOp": amsterdam_day(30)}


def valid_bodies(ids: dict[str, str]) -> dict[str, dict[str, Any]]:
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
        "/adviezen/{advies}/toezeggingen": promise(),
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


def raw_request(
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
        valid = valid_bodies(ids)[template]
        data, how = draw(_body_mutations(valid, ids))
        what.append(how)
    return raw_request(
        method, "", token, extra=extra, target=target, data=data, what="; ".join(what)
    )


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


def send(port: int, raw: Raw) -> Reply:
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
