"""Server CPU per page view at the demo's size, against the JSON API's answer for the same advice.

.venv/bin/python -m bench.pages [--requests N] [--warmup N] [--quick]

`adviesspoor serve` runs as a process of its own on the demo (a temporary SQLite store); one
client asks for each address in turn over one keep-alive connection. The CPU the server process
spent (user + system, all threads, from /proc) divided by the requests is the figure: it stays
comparable when other work shares the CPUs. The baseline is `GET /api/v1/adviezen/{id}` of the
same advice (read model, JSON), measured in the same run. Goal: a public advice page under 5 ms.
"""

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

from api.demo.loader import demo_id
from bench.results import record

GOAL_MS: Final = 5.0
HOST: Final = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _measure(
    conn: http.client.HTTPConnection, pid: int, path: str, headers: dict[str, str], n: int
) -> float:
    """CPU milliseconds of the server per request."""
    before = _cpu_seconds(pid)
    for _ in range(n):
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
    return (_cpu_seconds(pid) - before) / n * 1000


def demo_with_auditor(directory: Path) -> tuple[dict[str, str], str]:
    """The demo's data in a store of `directory`: the environment naming that store, and a new
    auditor's token of Groningen (also bench.http.instructions's)."""
    env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": f"sqlite:///{directory}"}
    # S603 below: every command is our own command line (this interpreter, -m api).
    run = [sys.executable, "-m", "api"]
    subprocess.run([*run, "demo"], env=env, check=True, capture_output=True)  # noqa: S603
    made = subprocess.run(  # noqa: S603 - our own command line
        [*run, "token", "create", "--gemeente", "groningen", "--rol", "auditor"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return env, made.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.warmup = 30, 10
    with tempfile.TemporaryDirectory() as directory:
        env, token = demo_with_auditor(Path(directory))
        run = [sys.executable, "-m", "api"]
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603
            # One process, whose CPU time is what is measured.
            [*run, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert server.stdout is not None
            server.stdout.readline()
            time.sleep(0.2)
            return _report(server.pid, port, token, args.requests, args.warmup)
        finally:
            server.terminate()
            server.wait(30)


def _report(pid: int, port: int, token: str, requests: int, warmup: int) -> int:
    stip = demo_id("groningen", "advice", "stip-vrijwilligers-2013")
    wmo = demo_id("groningen", "advice", "wmo-platform-2013")
    json_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    targets = [
        ("JSON GET /api/v1/adviezen/{stip} (baseline)", f"/api/v1/adviezen/{stip}", json_headers),
        ("page: advice of Stip (4 points)", f"/groningen/adviezen/{stip}", {}),
        ("page: advice of the Wmo Platform (25 points)", f"/groningen/adviezen/{wmo}", {}),
        ("page: public list, page 1 (12 advice)", "/groningen", {}),
        ("page: public list, filtered in SQL", "/groningen?uitkomst=niet_overgenomen", {}),
    ]
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    print(f"bench.pages: {requests} requests per address after {warmup} uncounted, one client")
    print(f"{'address':<52} {'CPU ms/req':>11} {'vs baseline':>11}")
    baseline: float | None = None
    for label, path, headers in targets:
        _measure(conn, pid, path, headers, warmup)
        cpu = _measure(conn, pid, path, headers, requests)
        baseline = cpu if baseline is None else baseline
        # The JSON baseline may be answered from the answer cache, too fast to count in a smoke
        # run: then there is no ratio to give.
        ratio = f"{cpu / baseline:>10.2f}x" if baseline > 0 else f"{'n.v.t.':>11}"
        print(f"{label:<52} {cpu:>11.2f} {ratio}")
        if label.startswith("page: advice of Stip"):
            record("page_cpu_ms", cpu, "public advice page, server CPU ms", "—", f"< {GOAL_MS} ms")
            verdict = "met" if cpu < GOAL_MS else "NOT met"
            print(f"{'':<52} goal: under {GOAL_MS} ms: {verdict}")
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
