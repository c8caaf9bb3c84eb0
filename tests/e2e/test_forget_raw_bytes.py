"""Forgetting, as an auditor would check it: after `adviesspoor forget`, a byte search of every
database file (WAL included), the views, the exports and the server's log finds no plaintext of
the forgotten names and texts, while the API shows `[verwijderd]` and the log still verifies."""

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.e2e.served import served
from tests.integration.cli_support import Result, runner

RESIDENT = "Jantje Zwartkop"
RESIDENT_WORD = "Plutoniumkaasfabriek"  # in the resident's own advice
ACTOR = "Karin Vergeetmij"
SECRETS = (b"zwartkop", b"plutoniumkaas", b"vergeetmij")


def _found(data: bytes) -> list[bytes]:
    lowered = data.lower()
    return [word for word in SECRETS if word in lowered]


async def _call(
    session: aiohttp.ClientSession, method: str, url: str, token: str, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with session.request(method, url, json=body, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def test_forgotten_names_and_texts_are_in_no_file_no_export_and_no_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from events.store import StoreUrl

    data = tmp_path / "data"
    store = StoreUrl.parse(f"sqlite:///{data}")
    cli = runner(store, monkeypatch, capsys)
    municipality = "vergeetstad"

    def token(role: str, name: str) -> str:
        made: Result = cli("token", "create", "--gemeente", municipality, "--rol", role,
                           "--naam", name)  # fmt: skip
        assert made.code == 0, made.err
        return made.out.strip()

    karin = token("beheerder", ACTOR)
    office = token("secretariaat", "secretariaat")
    auditor = token("auditor", "accountant")
    before, after = tmp_path / "voor.jsonl", tmp_path / "na.jsonl"

    async with served(store.url) as server, aiohttp.ClientSession() as session:
        api = server.url
        status, body = await _call(
            session, "POST", f"{api}/adviesorganen", karin, {"naam": RESIDENT, "soort": "inwoner"}
        )
        assert status == 201, body
        resident = body["id"]
        advice_body = {
            "adviesorgaan": resident,
            "titel": f"Over de {RESIDENT_WORD}",
            "uitgebrachtOp": "2026-01-05",
            "gevraagd": False,
            "punten": [{"tekst": f"Verplaats de {RESIDENT_WORD}."}, {"tekst": "Plant bomen."}],
        }
        status, body = await _call(session, "POST", f"{api}/adviezen", office, advice_body)
        assert status == 201, body
        advice = body["id"]
        reaction = {
            "punt": 1,
            "uitkomst": "overgenomen",
            "reactie": "Ja.",
            "gegevenOp": "2026-02-01",
        }
        assert (
            await _call(session, "POST", f"{api}/adviezen/{advice}/reacties", office, reaction)
        )[0] == 201
        _, shown = await _call(session, "GET", f"{api}/adviesorganen/{resident}", office)
        assert shown["naam"] == RESIDENT
        _, found = await _call(session, "GET", f"{api}/punten?zoek={RESIDENT_WORD}", office)
        assert found["totaal"] == 2  # both points: the title is searched too
        assert cli("export", "--out", str(before)).code == 0

        karin_id = next(
            line.split("\t")[0] for line in cli("token", "list").out.splitlines() if ACTOR in line
        )
        refused = cli("forget", "--actor", ACTOR)
        assert refused.code == 1
        assert "geldig token" in refused.err
        assert cli("token", "revoke", karin_id).code == 0
        forgot_actor = cli("forget", "--actor", ACTOR)
        forgot_body = cli("forget", "--adviesorgaan", resident)
        assert forgot_actor.code == 0, forgot_actor.err
        assert forgot_body.code == 0, forgot_body.err

        _, shown = await _call(session, "GET", f"{api}/adviesorganen/{resident}", office)
        _, advice_view = await _call(session, "GET", f"{api}/adviezen/{advice}", office)
        _, events = await _call(session, "GET", f"{api}/gebeurtenissen", auditor)
        _, found = await _call(session, "GET", f"{api}/punten?zoek={RESIDENT_WORD}", office)
        again = await _call(session, "POST", f"{api}/adviezen", office, advice_body)
        # While the server runs, with its connections open: the WAL files are there too.
        running = _leaks(data)

    assert shown["naam"] == "[verwijderd]"
    assert advice_view["titel"] == "[verwijderd]"
    assert [p["tekst"] for p in advice_view["punten"]] == ["[verwijderd]", "[verwijderd]"]
    assert advice_view["punten"][0]["uitkomst"] == "overgenomen"  # the college's words stay
    by_type = {event["type"]: event for event in events["gebeurtenissen"]}
    assert by_type["AdviesorgaanGeregistreerd"]["actor"]["naam"] == "[verwijderd]"
    assert by_type["AdviesorgaanGeregistreerd"]["gegevens"]["naam"] == "[verwijderd]"
    issued = [
        e["gegevens"]["naam"] for e in events["gebeurtenissen"] if e["type"] == "TokenUitgegeven"
    ]
    assert issued == ["[verwijderd]", "secretariaat", "accountant"]
    kinds = [event["type"] for event in events["gebeurtenissen"]]
    assert kinds.count("GegevensVergeten") == 2
    assert found["totaal"] == 0
    assert again[0] == 409  # nothing more may be recorded for a forgotten resident

    assert cli("verify", "--database").code == 0
    assert cli("rebuild").code == 0
    assert cli("export", "--out", str(after)).code == 0
    assert cli("verify", str(after)).code == 0
    assert cli("verify", str(before)).code == 0

    assert running == {}
    assert _leaks(data, before, after, log="".join(server.log).encode()) == {}


def _leaks(data: Path, *more: Path, log: bytes = b"") -> dict[str, list[bytes]]:
    """The files (every database file, WAL and journal included) that hold a secret word."""
    files = sorted(path for path in data.rglob("*") if path.is_file())
    assert any(path.name.endswith(".views.sqlite") for path in files)
    assert any(path.name.endswith(".keys.sqlite") for path in files)
    leaks = {str(path): _found(path.read_bytes()) for path in [*files, *more]}
    leaks["serverlog"] = _found(log)
    return {where: words for where, words in leaks.items() if words}
