"""Hostile requests on the wire: their exact bytes, sent over a socket, and the answer read back."""

import contextlib
import json
import socket
import time
from dataclasses import dataclass
from typing import Any

STREAM_LISTEN_SECONDS = 0.3


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
