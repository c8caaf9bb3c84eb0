"""Hostile HTTP requests as raw bytes, for tests/e2e/test_http_fuzz.py: hypothesis strategies that
start from a valid request for every operation and mutate its path ids, query string, headers and
body. The valid requests and the values come from hostile_values.py; hostile_wire.py sends the
bytes and reads the answer back (both re-exported here)."""

import json
import re
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from tests.e2e.hostile_values import (
    DATES,
    LAST_EVENT_IDS,
    OPERATIONS,
    OTHER_VALUES,
    RAW_VALUES,
    TEXTS,
    promise,
    valid_bodies,
)
from tests.e2e.hostile_wire import Raw, Reply, raw_request, send

__all__ = ["Raw", "Reply", "hostile_requests", "promise", "raw_request", "send", "valid_bodies"]


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
