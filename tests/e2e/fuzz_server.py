"""The server under fuzz: `adviesspoor serve` with a small history and tokens, and its log."""

import json
from dataclasses import dataclass
from typing import Any

from tests.e2e.hostile_values import promise, valid_bodies
from tests.e2e.hostile_wire import raw_request, send
from tests.faults.client import amsterdam_day
from tests.faults.harness import Process, Store

MUNICIPALITY = "fuzz"


@dataclass
class Fuzzed:
    """The server under fuzz, its tokens and records, and where its log output goes."""

    server: Process
    store: Store
    tokens: dict[str, str]
    ids: dict[str, str]
    log_offset: int = 0

    def new_log(self) -> str:
        with self.server.stderr_path.open("rb") as err:
            err.seek(self.log_offset)
            text = err.read()
        self.log_offset += len(text)
        return text.decode(errors="replace")

    def log_state(self) -> tuple[tuple[str, ...], int]:
        """Which logs exist, and the last position of ours: a 4xx changes neither."""
        assert self.store.directory is not None
        files = tuple(sorted(p.name for p in self.store.directory.glob("*.events.sqlite")))
        return files, max(self.store.positions(MUNICIPALITY), default=0)


def record_history(server: Process, tokens: dict[str, str]) -> dict[str, str]:
    admin = tokens["beheerder"]

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        raw = raw_request("POST", path, admin, body)
        reply = send(server.port, raw)
        assert reply.status == 201, (raw, reply)
        created: dict[str, Any] = json.loads(reply.body)
        return created

    body = post("/adviesorganen", {"naam": "Fuzzraad", "soort": "adviesraad"})["id"]
    dossier = post("/dossiers", {"titel": "Fuzzdossier", "geopendOp": amsterdam_day(-30)})["id"]
    advice = post("/adviezen", valid_bodies({"adviesorgaan": body})["/adviezen"])["id"]
    promised = post(f"/adviezen/{advice}/toezeggingen", promise())["id"]
    return {
        "adviesorgaan": body,
        "dossier": dossier,
        "advies": advice,
        "toezegging": promised,
    }
