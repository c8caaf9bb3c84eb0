"""The HTTP API under load: reads and writes of the real server against an aiohttp hello world.

.venv/bin/python -m bench.http [--store sqlite|postgresql] [--seconds S] [--connections N]
    [--warmup S] [--advices N] [--threads N] [--generator auto|wrk|aiohttp] [--postgres-url URL]
    [--dir DIR] [--profile FILE] [--quick]

Every server runs as a process of its own on 127.0.0.1 (a free port): `adviesspoor serve` on a
temporary store with a small history made through the API, and a tiny aiohttp app answering
{"hallo": "wereld"}, the baseline. One load generator (wrk with a Lua script when it is installed,
else an aiohttp client in a process of its own) drives each with the same connections, after an
uncounted warm-up. Next to rates and latencies it prints the CPU each server process spent per
request (read from /proc, all threads), which stays comparable when other work shares the CPUs.
Servers stop at the end, also on an error, Ctrl-C or SIGTERM; on PostgreSQL the throwaway
municipality's schema and the bench's tokens are removed. `--profile FILE` samples the server
with py-spy during an extra run of the GETs.
"""

import argparse
import asyncio
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from bench.machine import filesystem

ROOT: Final = Path(__file__).resolve().parents[1]
HOST: Final = "127.0.0.1"
BASE: Final = "/api/v1"
DEFAULT_POSTGRES_URL: Final = "postgresql://postgres@127.0.0.1:5432/test"
POINTS: Final = 3
MAX_REQUESTS: Final = 5_000_000  # the aiohttp generator's bound, besides its time
READ_GOAL: Final = 0.5  # reads at least half the hello world's rate...
P99_GOAL_MS: Final = 10.0  # ...with a p99 under 10 ms
RESPONSES: Final = (
    {"uitkomst": "overgenomen", "reactie": "Het college neemt dit punt over."},
    {"uitkomst": "kennisgenomen", "reactie": "Het college neemt hiervan kennis."},
    {
        "uitkomst": "niet_overgenomen",
        "reactie": "Het college neemt dit punt niet over.",
        "motivering": "Het budget voor 2027 is al verdeeld.",
    },
)
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


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port nobody listens on, and not one already given to a server that is still starting."""
    while True:
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port: int = probe.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system time of a process and all its threads so far (Linux; zeros elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


@dataclass
class Server:
    """A server process of our own, stopped with SIGTERM (then SIGKILL) when the bench ends."""

    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    ready_path: str
    log: Path

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.log.read_text(errors="replace").strip()[-600:]
                msg = f"{self.name} stopped with code {self.process.returncode}: {said}"
                raise RuntimeError(msg)
            try:
                with urllib.request.urlopen(self.base_url + self.ready_path, timeout=1):  # noqa: S310 - our own loopback URL
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cpu(self) -> tuple[float, float]:
        return cpu_seconds(self.process.pid)


def start_server(
    stack: ExitStack, name: str, args: Sequence[str], ready: str, env: dict[str, str], log: Path
) -> Server:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - this interpreter running our own modules
            [sys.executable, *args, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,  # Ctrl-C reaches the bench only, which stops it in order
        )
    server = Server(name, process, f"http://{HOST}:{port}", ready, log)
    stack.callback(server.stop)
    return server


def hello_app() -> web.Application:
    async def hello(_request: web.Request) -> web.Response:
        return web.json_response({"hallo": "wereld"})

    app = web.Application()
    app.router.add_get("/", hello)
    return app


def serve_hello(port: int) -> int:
    """The baseline server: aiohttp's own hello world, on the same event loop kind as ours."""
    web.run_app(hello_app(), host=HOST, port=port, print=None, access_log=None)
    return 0


# Load generators ----------------------------------------------------------------------------


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


# The history --------------------------------------------------------------------------------


def amsterdam_today() -> date:
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


@dataclass(frozen=True)
class History:
    advices: tuple[str, ...]
    events: int


async def make_history(base_url: str, token: str, advices: int) -> History:
    """A body, a dossier, advices of three points and some responses, all through the API."""
    today = amsterdam_today()
    headers = {"Authorization": f"Bearer {token}"}
    events = 0
    async with aiohttp.ClientSession(base_url, headers=headers) as session:

        async def created(path: str, body: dict[str, Any]) -> str:
            nonlocal events
            async with session.post(BASE + path, json=body) as response:
                answer = await response.json(content_type=None)
                if response.status != 201:
                    raise RuntimeError(f"POST {path}: {response.status} {answer}")
                events += 1
                return str(answer.get("id") or answer.get("advies"))

        body_id = await created("/adviesorganen", {"naam": "WIJ-raad", "soort": "clientenraad"})
        dossier = {"titel": "Met elkaar voor elkaar", "geopendOp": str(today - timedelta(60))}
        dossier_id = await created("/dossiers", dossier)
        ids = []
        for n in range(advices):
            advice = {
                "adviesorgaan": body_id,
                "dossier": dossier_id,
                "titel": f"Advies {n + 1} over het beleidsplan sociaal domein",
                "uitgebrachtOp": str(today - timedelta(days=20)),
                "gevraagd": n % 2 == 0,
                "punten": [{"tekst": f"Betrek cliënten bij punt {p}."} for p in range(POINTS)],
            }
            advice_id = await created("/adviezen", advice)
            ids.append(advice_id)
            for point in range(1, n % (POINTS + 1) + 1):
                await created(f"/adviezen/{advice_id}/reacties", response_body(point, today))
    return History(tuple(ids), events)


def response_body(point: int, today: date) -> dict[str, Any]:
    given = str(today - timedelta(days=5))
    return {"punt": point, **RESPONSES[point % len(RESPONSES)], "gegevenOp": given}


@dataclass(frozen=True)
class State:
    """The advices as a GET answers them: events (versions) and bytes, summed over all."""

    events: int
    size: int


async def state(base_url: str, token: str, advices: Sequence[str]) -> State:
    headers = {"Authorization": f"Bearer {token}"}
    events = size = 0
    async with aiohttp.ClientSession(base_url, headers=headers) as session:
        for advice_id in advices:
            async with session.get(f"{BASE}/adviezen/{advice_id}") as response:
                body = await response.read()
                events += int(json.loads(body)["versie"])
                size += len(body)
    return State(events, size)


def server_log(log: Path) -> tuple[Counter[str], Counter[str]]:
    """The answers the server logged (one line per request), by method and status; its errors."""
    answers: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        if entry.get("event") == "request":
            answers[f"{entry['method']} {entry['status']}"] += 1
        elif entry.get("level") == "error":
            causes = [f"{e['exc_type']}: {e['exc_value']}" for e in entry.get("exception", [])]
            errors[f"{entry['event']} ({'; '.join(causes)})"] += 1
    return answers, errors


async def settled_state(base_url: str, token: str, advices: Sequence[str]) -> State:
    """The advices' state once the requests still queued in the server (wrk has gone) are done."""
    last = await state(base_url, token, advices)
    for _ in range(50):
        await asyncio.sleep(0.2)
        again = await state(base_url, token, advices)
        if again == last:
            break
        last = again
    return last


# Stores -------------------------------------------------------------------------------------


def make_tokens(env: dict[str, str], municipality: str, roles: Sequence[str]) -> dict[str, str]:
    """Tokens as an operator makes them: `adviesspoor token create`, one process per role."""
    command = [sys.executable, "-m", "api", "token", "create", "--gemeente", municipality]
    processes = {
        role: subprocess.Popen(  # noqa: S603 - this interpreter running our own command line
            [*command, "--rol", role, "--naam", f"bench-{role}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in roles
    }
    tokens = {}
    for role, process in processes.items():
        out, err = process.communicate(timeout=60)
        if process.returncode != 0:
            raise RuntimeError(f"token create --rol {role}: {err.strip()}")
        tokens[role] = out.strip()
        found = re.search(r"Token (\S+) gemaakt", err)
        tokens[f"{role}-id"] = found.group(1) if found else ""
    return tokens


@contextmanager
def postgres_cleanup(url: str, municipality: str, tokens: dict[str, str]) -> Iterator[None]:
    """Drop the throwaway municipality and delete the bench's tokens, however the bench ends."""
    import psycopg  # here: importing the driver slows down every SQLite run
    from psycopg import sql

    try:
        yield
    finally:
        schema = "gemeente_" + municipality.replace("-", "_")
        ids = [value for key, value in tokens.items() if key.endswith("-id") and value]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
            if ids:
                conn.execute("DELETE FROM adviesspoor.tokens WHERE id = ANY(%s)", (ids,))


def postgres_settings(url: str) -> str:
    import psycopg

    with psycopg.connect(url, connect_timeout=3) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
        commit = conn.execute("SHOW synchronous_commit").fetchone()
    assert version is not None
    assert fsync is not None
    assert commit is not None
    return f"PostgreSQL {version[0]}, fsync {fsync[0]}, synchronous_commit {commit[0]}"


# Machine ------------------------------------------------------------------------------------


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine(generator: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = ""
    # A Python client is about as slow as the hello world it drives: that row measures the client.
    tool = "aiohttp client in a process of its own (install wrk for a fair baseline)"
    if generator == "wrk":
        version = subprocess.run(  # noqa: S603 - wrk found on PATH, a fixed argument
            [wrk(), "--version"], capture_output=True, text=True, check=False
        ).stdout
        tool = version.split(" Copyright")[0].strip() or "wrk"
    return (
        f"{os.cpu_count()} CPUs ({cpu}){memory}, {platform.platform()}\n"
        f"software: Python {platform.python_version()}, aiohttp {metadata.version('aiohttp')}, "
        f"SQLite {sqlite3.sqlite_version}, eventsourcing {metadata.version('eventsourcing')}\n"
        f"load generator: {tool}"
    )


# The run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """One row of the table: what is measured, and the row it is compared with."""

    label: str
    server: Server
    load: Load
    warmup: int
    baseline: str
    role: str = ""  # "hello", "reads" or "writes": the rows the goals are about


def plans(
    args: argparse.Namespace, hello: Server, api: Server, token: str, advices: Sequence[str]
) -> list[Plan]:
    """Hello world, GET, POST at the chosen connections; in a full run also one connection each
    (the latency without queueing) and the hello world again (drift)."""
    today = amsterdam_today()
    reads = [("GET", f"{BASE}/adviezen/{a}", None) for a in advices]
    writes = [
        ("POST", f"{BASE}/adviezen/{a}/reacties", json.dumps(response_body(point, today)))
        for point in range(1, POINTS + 1)
        for a in advices
    ]
    hello_items = [("GET", "/", None)]

    def load(
        server: Server, items: Sequence[tuple[str, str, str | None]], connections: int
    ) -> Load:
        threads = max(1, min(args.threads, connections))
        return Load(server.base_url, tuple(items), token, connections, threads)

    n, warm = args.connections, args.warmup
    hello_n, hello_1 = f"hello world, {n} connections", "hello world, 1 connection"
    hello_row = Plan(hello_n, hello, load(hello, hello_items, n), warm, hello_n, "hello")
    reads_row = Plan(
        f"GET  /adviezen/{{id}}, {n}", api, load(api, reads, n), warm, hello_n, "reads"
    )
    writes_row = Plan(
        f"POST /adviezen/{{id}}/reacties, {n}", api, load(api, writes, n), warm, hello_n, "writes"
    )
    if args.quick:
        return [hello_row, reads_row, writes_row]
    # The POSTs come last but for the drift check: every reactie makes its advice's answer longer.
    return [
        hello_row,
        reads_row,
        Plan(hello_1, hello, load(hello, hello_items, 1), 0, hello_1),
        Plan("GET  /adviezen/{id}, 1", api, load(api, reads, 1), 0, hello_1),
        writes_row,
        Plan(f"hello world, {n}, again", hello, load(hello, hello_items, n), 0, hello_n),
    ]


def report(chosen: Sequence[Plan], results: dict[str, Result]) -> None:
    width = max(len(plan.label) for plan in chosen)
    print(
        f"  {'':<{width}}  {'req/s':>8}  {'p50 ms':>7}  {'p99 ms':>7}  {'errors':>6}  "
        f"{'server CPU µs/req':>17}  {'kernel':>6}  {'client CPU µs/req':>17}  {'ratio':>6}"
    )
    for plan in chosen:
        result, baseline = results[plan.label], results[plan.baseline]
        print(
            f"  {plan.label:<{width}}  {result.rate:>8,.0f}  {result.p50_ms:>7.2f}  "
            f"{result.p99_ms:>7.2f}  {result.errors:>6}  {result.server_cpu_us:>17,.0f}  "
            f"{result.server_kernel:>6.0%}  "
            f"{result.client_cpu_us:>17,.0f}  {result.rate / baseline.rate:>5.2f}x"
        )
    role = {plan.role: results[plan.label] for plan in chosen if plan.role}
    hello, reads, writes = role["hello"], role["reads"], role["writes"]
    for name, result in (("reads", reads), ("writes", writes)):
        print(
            f"  {name} vs hello world: {result.rate / hello.rate:.2f}x req/s, "
            f"{result.server_cpu_us / hello.server_cpu_us:.1f}x server CPU per request, "
            f"p99 {result.p99_ms:.1f} ms"
        )
    met = reads.rate / hello.rate >= READ_GOAL and reads.p99_ms < P99_GOAL_MS
    print(
        f"  goal for reads (≥ {READ_GOAL}x hello world, p99 < {P99_GOAL_MS:.0f} ms at "
        f"{chosen[0].load.connections} connections): {'met' if met else 'NOT met'}"
    )
    if chosen[-1].role != "writes":
        again = results[chosen[-1].label]
        print(f"  hello world drift over the run: {again.rate / hello.rate - 1:+.0%}")


def profile(plan: Plan, seconds: int, out: Path, generator: str, workdir: Path) -> list[str]:
    """Sample the server under this load with py-spy (only the thread holding the GIL: where
    Python time goes); the costliest functions as lines to print, the raw stacks kept in `out`."""
    spy = shutil.which("py-spy")
    if spy is None:
        return ["  profile skipped: py-spy is not on PATH (pip install py-spy)"]
    command = [spy, "record", "--pid", str(plan.server.process.pid), "--gil", "--nonblocking"]
    command += ["--rate", "250", "--duration", str(seconds), "--format", "raw", "-o", str(out)]
    sampler = subprocess.Popen(  # noqa: S603 - py-spy found on PATH, our own arguments
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    time.sleep(0.5)
    measure(plan.label, plan.load, seconds, plan.server, generator, workdir)
    _, err = sampler.communicate(timeout=seconds + 30)
    if sampler.returncode != 0 or not out.exists():
        return [f"  profile failed: {err.decode(errors='replace').strip()[:300]}"]
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            # The entry point (api/__main__, cli, cli_serve) holds every main-thread sample.
            if re.search(r"\((api|projections|ledger|events)/(?!__main__|cli)", frame):
                inclusive[frame] += int(count)
    lines = [f"  profile of {plan.label}: {total} samples of the thread holding the GIL, in {out}"]
    lines.append("    our functions, inclusive:")
    lines += [f"      {count / total:4.0%} {name}" for name, count in inclusive.most_common(15)]
    lines.append("    any function, self:")
    lines += [f"      {count / total:4.0%} {name}" for name, count in own.most_common(10)]
    return lines


def run(args: argparse.Namespace, generator: str) -> None:
    with ExitStack() as stack:
        workdir = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(prefix="adviesspoor-bench-http-", dir=args.dir)
            )
        )
        env = dict(os.environ)
        municipality = "bench-http-" + secrets.token_hex(3)
        if args.store == "sqlite":
            env["ADVIESSPOOR_DATABASE_URL"] = f"sqlite:///{workdir / 'data'}"
            print(f"store: SQLite in {workdir} ({filesystem(workdir)}), WAL, synchronous FULL")
        else:
            env["ADVIESSPOOR_DATABASE_URL"] = args.postgres_url
            print(f"store: {args.postgres_url} ({postgres_settings(args.postgres_url)}), ", end="")
            print(f"throwaway municipality {municipality}")
        print(f"load average at start: {load_average()}", flush=True)
        tokens: dict[str, str] = {}
        if args.store == "postgresql":  # entered first, so it runs after the servers stopped
            stack.enter_context(postgres_cleanup(args.postgres_url, municipality, tokens))
        hello = start_server(
            stack,
            "hello world",
            ["-m", "bench.http", "--serve-hello"],
            "/",
            env,
            workdir / "hello.log",
        )
        api = start_server(
            stack,
            "adviesspoor serve",
            ["-m", "api", "serve", "--host", HOST],
            f"{BASE}/openapi.json",
            env,
            workdir / "serve.log",
        )
        # A beheerder may do everything a secretariaat may: one token, one process fewer.
        tokens.update(make_tokens(env, municipality, ["beheerder"]))
        token = tokens["beheerder"]
        hello.wait_ready()
        api.wait_ready()
        history = asyncio.run(make_history(api.base_url, token, args.advices))
        print(
            f"history: 1 body, 1 dossier, {args.advices} advices of {POINTS} points, some "
            f"answered: {history.events} events, made through the API",
        )
        chosen = plans(args, hello, api, token, history.advices)
        warmup = f"{args.warmup} s of warm-up" if args.warmup else "no warm-up"
        print(
            f"load: {args.seconds} s measured per row, {warmup} before the hello world, the GETs "
            f"and the POSTs; requests go round the {args.advices} advices",
            flush=True,
        )
        before = asyncio.run(state(api.base_url, token, history.advices))
        results: dict[str, Result] = {}
        profiled: list[str] = []
        for plan in chosen:
            if plan.warmup:
                measure(plan.label, plan.load, plan.warmup, plan.server, generator, workdir)
            results[plan.label] = measure(
                plan.label, plan.load, args.seconds, plan.server, generator, workdir
            )
            if plan.role == "reads" and args.profile is not None:
                out = Path(args.profile).resolve()
                profiled = profile(plan, args.seconds, out, generator, workdir)
        after = asyncio.run(settled_state(api.base_url, token, history.advices))
        report(chosen, results)
        for line in profiled:
            print(line)
        api.stop()
        answers, errors = server_log(workdir / "serve.log")
        print(f"  server log: {dict(sorted(answers.items()))}")
        for error, count in errors.most_common(3):
            print(f"    {count} × {error}")
        advices = len(history.advices)
        print(
            f"  responses recorded (warm-up included): {after.events - before.events:,}, POST 201 "
            f"after the history: {answers['POST 201'] - history.events:,}"
        )
        print(
            f"  per advice before the POSTs: {before.events / advices:.1f} events, GET answer "
            f"{before.size / advices:,.0f} bytes; after: {after.events / advices:.1f} events, "
            f"{after.size / advices:,.0f} bytes (the answer lists every reactie of each point)"
        )
        print(f"  load average at the end: {load_average()}", flush=True)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds, each run")
    parser.add_argument("--warmup", type=int, default=3, help="uncounted seconds before each run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--advices", type=int, default=50, help="advices in the history")
    parser.add_argument("--generator", choices=("auto", "wrk", "aiohttp"), default="auto")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--dir", default=None, help="where the temporary store and logs go")
    parser.add_argument("--quick", action="store_true", help="a smoke run of about 15 s")
    parser.add_argument(
        "--profile", metavar="FILE", help="then profile the GETs with py-spy; raw stacks to FILE"
    )
    parser.add_argument("--serve-hello", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--load-generator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.warmup, args.advices = 2, 0, 5
    if args.seconds < 1 or args.connections < 1:
        parser.error("--seconds and --connections must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.load_generator:
        print(json.dumps(asyncio.run(generate(json.loads(sys.stdin.read())))))
        return 0
    if args.serve_hello:
        return serve_hello(args.port)
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "aiohttp"
    print("Adviesspoor HTTP bench: the API against an aiohttp hello world, in the same run")
    print(f"machine: {machine(generator)}")
    # A plain SIGTERM would skip the `finally` blocks that stop the servers and drop the schema.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    run(args, generator)
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
