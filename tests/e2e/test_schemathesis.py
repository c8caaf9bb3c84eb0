"""schemathesis against the real server: `python -m api serve` on a temporary SQLite store with
the demo loaded, every schemathesis check (no 500, answers that fit the document, schema-valid
input accepted, and input that breaks the schemas refused with 400), in all four phases.

Configuration, with the reason for every exception, is in schemathesis.toml beside this file; this
test adds the tokens and the demo's ids to it. `GET /gebeurtenissen/stroom` is left out: it is a
server-sent event stream that never ends (it waits for new events, with a keep-alive every 15 s),
so every request to it would end only at the request timeout; test_http_read.py covers it.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.cli_support import cli_stdout, free_port

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = Path(__file__).with_name("schemathesis.toml")
MUNICIPALITY = "groningen"
# Per operation and phase: 25 operations in four phases take well under a minute on 2 cores.
# A fixed seed makes a failure reproducible. For a deeper search, set both, e.g.
# ADVIESSPOOR_SCHEMATHESIS_MAX_EXAMPLES=200 ADVIESSPOOR_SCHEMATHESIS_SEED=7.
MAX_EXAMPLES = os.environ.get("ADVIESSPOOR_SCHEMATHESIS_MAX_EXAMPLES", "10")
SEED = os.environ.get("ADVIESSPOOR_SCHEMATHESIS_SEED", "20261123")
EXCLUDED = "/gebeurtenissen/stroom"
# schemathesis leaves out the operation that serves the document it tests with.
NOT_TESTED = {EXCLUDED, "/openapi.json"}


@dataclass(frozen=True)
class Server:
    url: str  # the base of the API, e.g. http://127.0.0.1:8123/api/v1
    env: dict[str, str]
    log: Path

    def token(self, role: str, *more: str) -> str:
        return cli_stdout(
            self.env, "token", "create", "--gemeente", MUNICIPALITY, "--rol", role, *more
        )

    def get(self, path: str, token: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 - our own server on the loopback address
            self.url + path, headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - same
            return json.load(response)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """`python -m api serve` on a fresh SQLite store with the demo; stopped after the test."""
    env = {**os.environ, "ADVIESSPOOR_DATABASE_URL": f"sqlite:///{tmp_path / 'data'}"}
    cli_stdout(env, "demo")
    # A signed checkpoint, for the public GET /controlepunten/laatste to answer with.
    cli_stdout(env, "keys", "create", "--gemeente", MUNICIPALITY)
    cli_stdout(env, "checkpoint", "--gemeente", MUNICIPALITY)
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/openapi.json", timeout=5):  # noqa: S310
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"De server start niet:\n{log.read_text()}", pytrace=False)
                time.sleep(0.2)
        yield Server(url, env, log)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _values(name: str, values: list[str]) -> str:
    return f"{name} = {{ values = {json.dumps(values)} }}\n"


def _configure(server: Server, directory: Path) -> tuple[Path, dict[str, str]]:
    """The config file (the template plus the demo's ids) and the variables it refers to."""
    admin = server.token("beheerder")
    advice = server.get("/adviezen?paginaGrootte=100", admin)["adviezen"]
    bodies = [
        item["id"]
        for item in server.get("/adviesorganen?paginaGrootte=100", admin)["adviesorganen"]
    ]
    dossiers = [item["id"] for item in server.get("/dossiers?paginaGrootte=100", admin)["dossiers"]]
    decisions = [
        item["id"] for item in server.get("/besluiten?paginaGrootte=100", admin)["besluiten"]
    ]
    promised = next(a for a in advice if any(p["toezeggingen"] for p in a["punten"]))
    promise = next(t["id"] for p in promised["punten"] for t in p["toezeggingen"])
    answered = next(a for a in advice if a["status"] == "beantwoord" and a is not promised)
    # One advice per command on an advice (withdrawing one leaves the others), each still open to
    # commands: since contract 1.1 the besluit's afwijkingen answer the 2013 advice, so most are
    # `beantwoord` now, which takes reacties, toezeggingen and termijnwijzigingen all the same.
    pending = [a for a in advice if a["status"] != "ingetrokken" and a not in (promised, answered)]
    assert len(pending) >= 4, "de demo heeft te weinig adviezen"
    variables = {
        "ADVIESSPOOR_ST_BEHEERDER": admin,
        "ADVIESSPOOR_ST_AUDITOR": server.token("auditor"),
        "ADVIESSPOOR_ST_LID": server.token("lid", "--adviesorgaan", answered["adviesorgaan"]),
        "ADVIESSPOOR_ST_ADVIES_LID": answered["id"],
        "ADVIESSPOOR_ST_ADVIESORGAAN": answered["adviesorgaan"],
        "ADVIESSPOOR_ST_ADVIES_NAKOMING": promised["id"],
        "ADVIESSPOOR_ST_TOEZEGGING": promise,
        "ADVIESSPOOR_ST_ADVIES_REACTIES": pending[0]["id"],
        "ADVIESSPOOR_ST_ADVIES_TOEZEGGINGEN": pending[1]["id"],
        "ADVIESSPOOR_ST_ADVIES_TERMIJN": pending[2]["id"],
        "ADVIESSPOOR_ST_ADVIES_INTREKKING": pending[3]["id"],
    }
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    dates = [(today - timedelta(days=days)).isoformat() for days in range(0, 60, 3)]
    config = directory / "schemathesis.toml"
    config.write_text(
        TEMPLATE.read_text()
        + "\n[dictionaries]\n"
        + _values("adviesorganen", bodies)
        + _values("dossiers", dossiers)
        + _values("adviezen", [a["id"] for a in advice])
        + _values("besluiten", decisions)
        + _values("datums", dates)
        + _values("gemeenten", [MUNICIPALITY, "midden-groningen"])
        + f"posities = {{ values = {list(range(1, 40, 3))} }}\n"
    )
    return config, variables


def _schemathesis() -> str:
    found = Path(sys.executable).with_name("schemathesis")
    if not found.exists():
        which = shutil.which("schemathesis")
        assert which, "schemathesis ontbreekt: pip install -e '.[test]'"
        return which
    return str(found)


def test_schemathesis_finds_no_failure_on_the_running_server(
    server: Server, tmp_path: Path
) -> None:
    config, variables = _configure(server, tmp_path)
    command = [
        _schemathesis(),
        "--config-file",
        str(config),
        "run",
        f"{server.url}/openapi.json",
        "--exclude-path",
        EXCLUDED,
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    env = {**os.environ, **variables}
    report = tmp_path / "schemathesis.txt"
    with report.open("w") as out:
        done = subprocess.run(
            command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=600
        )
    output = report.read_text()
    document = server.get("/openapi.json", variables["ADVIESSPOOR_ST_BEHEERDER"])
    operations = sum(
        len(item) for path, item in document["paths"].items() if path not in NOT_TESTED
    )

    assert done.returncode == 0, f"{_shortened(output)}\n(volledig: {report})"
    tested = re.search(r"Tested: (\d+)", output)
    assert tested is not None, _shortened(output)
    assert int(tested.group(1)) == operations, _shortened(output)


def _shortened(output: str) -> str:
    """The failures and the summary, each line cut short: a reproduced body can be megabytes."""
    start = output.find("FAILURES")
    lines = output[start if start >= 0 else 0 :].splitlines()
    return "\n".join(line if len(line) <= 300 else line[:300] + " …" for line in lines)[-20000:]
