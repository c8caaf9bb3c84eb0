"""Load generators: wrk with a Lua script when it is installed, else an aiohttp client in a
process of its own; closed loop (each connection sends its next request when the last one is
answered); a run measured with the CPU each side spent per request."""

import asyncio
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import aiohttp

from bench.http.servers import HOST, ROOT, Server

MAX_REQUESTS: Final = 5_000_000  # the aiohttp generator's bound, besides its time
LUA: Final = """
local prepared = {}
local counter = 0
init = function(args)
  local items = { %(items)s }
  local headers = { %(headers)s }
  for i, item in ipairs(items) do
    prepared[i] = wrk.format(item[1], item[2], headers, item[3])
  end
  counter = math.random(#prepared)
end
request = function()
  counter = counter %% #prepared + 1
  return prepared[counter]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "p50_ms": %%f, "p99_ms": %%f, "errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


@dataclass(frozen=True)
class Load:
    """What one load generator sends, round robin: method, path and body of every request."""

    base_url: str
    items: tuple[tuple[str, str, str | None], ...]
    token: str
    connections: int
    threads: int


@dataclass(frozen=True)
class Result:
    """One measured run: throughput, latency, failures and the CPU each side spent per request."""

    label: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_us: float
    server_kernel: float  # the share of server_cpu_us spent in the kernel
    client_cpu_us: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


# Servers ------------------------------------------------------------------------------------


def lua_script(load: Load) -> str:
    def text(value: str | None) -> str:
        if value is None:
            return "nil"
        assert "]==]" not in value
        return f"[==[{value}]==]"

    headers = {"Authorization": f"Bearer {load.token}"}
    if any(body is not None for _, _, body in load.items):
        headers["Content-Type"] = "application/json"
    return LUA % {
        "items": ", ".join(
            f"{{{text(method)}, {text(path)}, {text(body)}}}" for method, path, body in load.items
        ),
        "headers": ", ".join(f"[ {text(k)} ] = {text(v)}" for k, v in headers.items()),
    }


def wrk() -> str:
    found = shutil.which("wrk")
    assert found is not None, "checked before the first run"
    return found


def run_wrk(load: Load, seconds: int, workdir: Path) -> dict[str, Any]:
    script = workdir / "load.lua"
    script.write_text(lua_script(load))
    command = [
        wrk(),
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        load.base_url,
    ]
    done = subprocess.run(  # noqa: S603 - wrk from PATH, our own arguments
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return result
    raise RuntimeError(f"wrk gave no result: {done.stdout}{done.stderr}")


def run_aiohttp_generator(load: Load, seconds: int) -> dict[str, Any]:
    spec = {
        "base_url": load.base_url,
        "items": load.items,
        "token": load.token,
        "connections": load.connections,
        "seconds": seconds,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.http", "--load-generator"],
        cwd=ROOT,
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


async def generate(spec: dict[str, Any]) -> dict[str, Any]:
    """Closed-loop load: each connection sends its next request when the last one is answered."""
    base_url: str = spec["base_url"]
    assert base_url.startswith(f"http://{HOST}:"), "loopback only"
    items = [tuple(item) for item in spec["items"]]
    connections, seconds = int(spec["connections"]), float(spec["seconds"])
    headers = {"Authorization": f"Bearer {spec['token']}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        deadline = started + seconds

        async def connection(offset: int) -> None:
            nonlocal errors
            turn = offset
            while time.perf_counter() < deadline and len(latencies) < MAX_REQUESTS:
                method, path, body = items[turn % len(items)]
                turn += 1
                sent = time.perf_counter()
                try:
                    async with session.request(
                        method, base_url + path, data=body, headers=headers
                    ) as response:
                        await response.read()
                        errors += response.status >= 400
                except (aiohttp.ClientError, TimeoutError):
                    errors += 1
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(connection(n) for n in range(connections)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "p50_ms": cuts[49] * 1e3,
        "p99_ms": cuts[98] * 1e3,
        "errors": errors,
    }


def measure(
    label: str, load: Load, seconds: int, server: Server, generator: str, workdir: Path
) -> Result:
    """One timed run; the server's and the generator's CPU are read around it."""
    user, system = server.cpu()
    client_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    if generator == "wrk":
        raw = run_wrk(load, seconds, workdir)
    else:
        raw = run_aiohttp_generator(load, seconds)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    requests = max(1, int(raw["requests"]))
    client = (after.ru_utime + after.ru_stime) - (client_cpu.ru_utime + client_cpu.ru_stime)
    user_after, system_after = server.cpu()
    server_cpu = (user_after - user) + (system_after - system)
    return Result(
        label=label,
        requests=requests,
        seconds=float(raw["seconds"]),
        p50_ms=float(raw["p50_ms"]),
        p99_ms=float(raw["p99_ms"]),
        errors=int(raw["errors"]),
        server_cpu_us=server_cpu / requests * 1e6,
        server_kernel=(system_after - system) / server_cpu if server_cpu else 0.0,
        client_cpu_us=client / requests * 1e6,
    )
