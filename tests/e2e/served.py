"""`adviesspoor serve` as its own process on a free port, for tests of what only a real server
does (the HTTP parser's refusals, signals); what it logs is kept for the test to read."""

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from tests.integration.cli_support import free_port


@dataclass
class Served:
    """A running server: its port, and every line it wrote to stderr so far."""

    port: int
    process: asyncio.subprocess.Process
    log: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"


@asynccontextmanager
async def served(database_url: str, *options: str) -> AsyncIterator[Served]:
    port = free_port()
    env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api", "serve", "--port", str(port), *options, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stderr is not None
    server = Served(port, process)

    async def keep_log(stream: asyncio.StreamReader) -> None:
        async for line in stream:
            server.log.append(line.decode(errors="replace"))

    logging = asyncio.create_task(keep_log(process.stderr))
    try:
        await asyncio.wait_for(process.stdout.readline(), 30)
        yield server
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), 60)
        await logging


async def raw_exchange(port: int, request: bytes) -> bytes:
    """Send bytes as they are (no client library tidies them up) and read the whole answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
