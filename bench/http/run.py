"""The HTTP API under load: reads and writes of the real server against an aiohttp hello world,
and, side by side in the same run, an older checkout's server (`--before DIR`: the figures before
a change) and this server with several processes (`--workers N`).

.venv/bin/python -m bench.http [--store sqlite|postgresql] [--seconds S] [--connections N]
    [--warmup S] [--advices N] [--threads N] [--workers N] [--before DIR]
    [--generator auto|wrk|aiohttp] [--postgres-url URL] [--dir DIR] [--profile FILE] [--quick]

Every server runs as a process of its own on 127.0.0.1 (a free port), each with a small history
made through its API. One load generator drives each with the same connections, after an
uncounted warm-up; next to rates and latencies it prints the CPU each server (with its child
processes) spent per request, which stays comparable when other work shares the CPUs. Servers
stop at the end, also on an error, Ctrl-C or SIGTERM; on PostgreSQL the throwaway municipality's
schema and the bench's tokens are removed.
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Final

from bench.http.history import (
    BASE,
    POINTS,
    amsterdam_today,
    make_history,
    make_tokens,
    postgres_cleanup,
    postgres_settings,
    response_body,
    server_log,
)
from bench.http.load import Load, Result, generate, measure
from bench.http.report import Plan, load_average, machine, profile, report
from bench.http.servers import HOST, Server, serve_hello, start_server
from bench.machine import filesystem

DEFAULT_POSTGRES_URL: Final = "postgresql://postgres@127.0.0.1:5432/test"
Items = Sequence[tuple[str, str, str | None]]


def _api(
    stack: ExitStack, name: str, env: dict[str, str], log: Path, workers: int, root: Path | None
) -> Server:
    args = ["-m", "api", "serve", "--host", HOST]
    if root is None:  # this tree's server; an older one may not know --workers
        args += ["--workers", str(workers)]
        return start_server(stack, name, args, f"{BASE}/openapi.json", env, log)
    # Its processes by the setting (`--workers` is newer than it): left to itself, a checkout
    # that knows the setting starts one per CPU and is measured against our one.
    env = {**env, "PYTHONPATH": str(root), "ADVIESSPOOR_WORKERS": str(workers)}
    return start_server(stack, name, args, f"{BASE}/openapi.json", env, log, root)


def plans(
    args: argparse.Namespace, hello: Server, servers: dict[str, tuple[Server, str, list[str]]]
) -> list[Plan]:
    """Hello world, GETs (before, after, after with workers), POSTs at the chosen connections;
    in a full run also one connection each and the hello world again (drift)."""
    today = amsterdam_today()

    def load(server: Server, items: Items, connections: int, token: str = "") -> Load:
        threads = max(1, min(args.threads, connections))
        return Load(server.base_url, tuple(items), token, connections, threads)

    def reads(key: str) -> tuple[Server, Items, str]:
        server, token, advices = servers[key]
        return server, [("GET", f"{BASE}/adviezen/{a}", None) for a in advices], token

    n, warm = args.connections, args.warmup
    hello_n, hello_1 = f"hello world, {n} connections", "hello world, 1 connection"
    chosen = [Plan(hello_n, hello, load(hello, [("GET", "/", None)], n), warm, hello_n, "hello")]
    labels = {
        "before": f"GET  /adviezen/{{id}}, {n}, before",
        "uncached": f"GET  /adviezen/{{id}}, {n}, no answer cache",
        "reads": f"GET  /adviezen/{{id}}, {n}",
        "workers": f"GET  /adviezen/{{id}}, {n}, --workers {args.workers}",
    }
    for key, label in labels.items():
        if key in servers:
            server, items, token = reads(key)
            chosen.append(Plan(label, server, load(server, items, n, token), warm, hello_n, key))
    server, token, advices = servers["reads"]
    writes = [
        ("POST", f"{BASE}/adviezen/{a}/reacties", json.dumps(response_body(point, today)))
        for point in range(1, POINTS + 1)
        for a in advices
    ]
    posts = Plan(
        f"POST /adviezen/{{id}}/reacties, {n}", server, load(server, writes, n, token), warm,
        hello_n, "writes",
    )  # fmt: skip
    if args.quick:
        return [*chosen, posts]
    _, items, _ = reads("reads")
    return [
        *chosen,
        Plan(hello_1, hello, load(hello, [("GET", "/", None)], 1), 0, hello_1),
        Plan("GET  /adviezen/{id}, 1", server, load(server, items, 1, token), 0, hello_1),
        posts,  # last but for the drift check: every reactie makes its advice's answer longer
        Plan(f"hello world, {n}, again", hello, load(hello, [("GET", "/", None)], n), 0, hello_n),
    ]


def run(args: argparse.Namespace, generator: str) -> None:
    with ExitStack() as stack:
        workdir = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(prefix="adviesspoor-bench-http-", dir=args.dir)
            )
        )
        municipality = "bench-http-" + secrets.token_hex(3)
        tokens: dict[str, str] = {}
        stores = {"reads": f"sqlite:///{workdir / 'data'}", "before": f"sqlite:///{workdir / 'b'}"}
        if args.store == "sqlite":
            print(f"store: SQLite in {workdir} ({filesystem(workdir)}), WAL, synchronous FULL")
        else:
            stores = dict.fromkeys(stores, args.postgres_url)
            print(f"store: {args.postgres_url} ({postgres_settings(args.postgres_url)}), ", end="")
            print(f"throwaway municipality {municipality}")
            stack.enter_context(postgres_cleanup(args.postgres_url, municipality, tokens))
        print(f"load average at start: {load_average()}", flush=True)
        env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": stores["reads"]}
        hello_args = ["-m", "bench.http", "--serve-hello"]
        hello = start_server(stack, "hello world", hello_args, "/", env, workdir / "hello.log")
        api = _api(stack, "adviesspoor serve", env, workdir / "serve.log", 1, None)
        servers: dict[str, tuple[Server, str, list[str]]] = {}
        # A beheerder may do everything a secretariaat may: one token per store.
        tokens.update(make_tokens(env, municipality, ["beheerder"]))
        hello.wait_ready()
        api.wait_ready()
        history = asyncio.run(make_history(api.base_url, tokens["beheerder"], args.advices))
        servers["reads"] = (api, tokens["beheerder"], list(history.advices))
        uncached_env = {**env, "ADVIESSPOOR_ANSWER_CACHE": "0"}
        plain = _api(stack, "serve, no cache", uncached_env, workdir / "plain.log", 1, None)
        plain.wait_ready()
        servers["uncached"] = (plain, tokens["beheerder"], list(history.advices))
        if args.workers > 1:
            many = _api(stack, "serve --workers", env, workdir / "workers.log", args.workers, None)
            many.wait_ready()
            servers["workers"] = (many, tokens["beheerder"], list(history.advices))
        if args.before is not None:
            root = Path(args.before).resolve()
            old_env = {**env, "ADVIESSPOOR_DATABASE_URL": stores["before"]}
            old = _api(stack, "before", old_env, workdir / "before.log", 1, root)
            old_tokens = make_tokens(old_env, municipality, ["beheerder"], root)
            tokens.update({f"before-{k}": v for k, v in old_tokens.items()})
            old.wait_ready()
            old_history = asyncio.run(
                make_history(old.base_url, old_tokens["beheerder"], args.advices)
            )
            servers["before"] = (old, old_tokens["beheerder"], list(old_history.advices))
        print(
            f"history: 1 body, 1 dossier, {args.advices} advices of {POINTS} points, some "
            f"answered: {history.events} events per store, made through the API"
        )
        chosen = plans(args, hello, servers)
        print(f"load: {args.seconds} s measured per row, {args.warmup} s of warm-up", flush=True)
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
        report(chosen, results)
        for line in profiled:
            print(line)
        api.stop()
        answers, errors = server_log(workdir / "serve.log")
        print(f"  server log: {dict(sorted(answers.items()))}")
        for error, count in errors.most_common(3):
            print(f"    {count} × {error}")
        print(f"  load average at the end: {load_average()}", flush=True)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=int, help="measured seconds, each run (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="uncounted seconds before each run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes")
    parser.add_argument("--before", metavar="DIR", help="an older checkout, measured beside this")
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
        args.seconds, args.warmup, args.advices, args.workers = args.seconds or 2, 0, 5, 1
    args.seconds = args.seconds or 10
    if args.seconds < 1 or args.connections < 1 or args.workers < 1:
        parser.error("--seconds, --connections and --workers must be at least 1")
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
