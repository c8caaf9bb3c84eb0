"""Run by bench/http/instructions.py in a process of its own (PYTHONPATH: the tree measured):
raw keep-alive requests fed to aiohttp's connection handler of the app, no socket.

driver.py api|hello PATH TOKEN list|cpu|count N

`list`: the id of the longest advice in the answer to PATH. `cpu`: CPU µs per request over N
requests after a warm-up. `count`: N requests after the warm-up, nothing timed (callgrind counts).
"""

import asyncio
import sys
import time
from typing import Any

import orjson
from aiohttp import web

WARM_UP = 200


class Transport(asyncio.Transport):
    """Collects what the server writes; `done` is set once a whole answer has arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.data = bytearray()
        self.done = asyncio.Event()
        self.closing = False
        self.expected: int | None = None  # the answer's length, once its head has arrived

    def start(self) -> None:
        """Before the next request."""
        self.data.clear()
        self.done.clear()
        self.expected = None

    def write(self, data: Any) -> None:
        self.data += data
        if self.expected is None:
            end = self.data.find(b"\r\n\r\n")
            if end < 0:
                return
            # Found in the lowered head by `find` (C, whatever the order of the headers): a
            # regular expression scanning the head cost ≈ 20,000 instructions an answer whose
            # Content-Length came last, and so counted against the server.
            head = bytes(self.data[:end]).lower()
            at = head.find(b"\r\ncontent-length:") + 17
            assert at > 16, head
            stop = head.find(b"\r\n", at)
            self.expected = end + 4 + int(head[at : stop if stop > 0 else len(head)])
        if len(self.data) >= self.expected:
            self.done.set()

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 40000) if name == "peername" else default

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def app_of(kind: str, path: str) -> tuple[web.Application, type[web.AppRunner]]:
    if kind == "hello":

        async def hello(_request: web.Request) -> web.Response:
            return web.Response(text="Hello, world")

        app = web.Application()
        app.router.add_get(path.partition("?")[0], hello)
        return app, web.AppRunner
    from api.http.app import create_app
    from api.http.server import EdgeRunner
    from api.logging import configure_logging
    from api.settings import Settings

    configure_logging(fast=True)
    settings = Settings.from_env()
    return create_app(settings.store, settings=settings), EdgeRunner


async def drive(kind: str, path: str, token: str, mode: str, count: int) -> str:
    app, runner_class = app_of(kind, path)
    runner = runner_class(app, access_log=None)
    await runner.setup()
    assert runner.server is not None
    handler = runner.server()
    transport = Transport()
    handler.connection_made(transport)
    bearer = f"Authorization: Bearer {token}\r\n" if token else ""
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n{bearer}\r\n".encode()

    async def one() -> bytes:
        transport.start()
        handler.data_received(request)
        await transport.done.wait()
        answer = bytes(transport.data)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        return answer

    try:
        if mode == "list":
            found = orjson.loads((await one()).partition(b"\r\n\r\n")[2])["adviezen"]
            return str(max(found, key=lambda advice: len(orjson.dumps(advice)))["id"])
        for _ in range(WARM_UP):
            await one()
        started = time.process_time()
        for _ in range(count):
            await one()
        return f"{(time.process_time() - started) / max(count, 1) * 1e6:.1f}"
    finally:
        handler.connection_lost(None)
        await runner.cleanup()


if __name__ == "__main__":
    kind, path, token, mode, count = sys.argv[1:6]
    print(asyncio.run(drive(kind, path, token, mode, int(count))))
