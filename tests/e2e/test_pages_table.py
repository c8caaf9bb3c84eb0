"""The reaction table as CSV: preview with an error per row, all rows or none, one idempotent
batch per file, several points in one cell, "zie eerder antwoord", Windows-1252 with commas, the
export read back in, and `adviesspoor import-tabel` doing the same from the command line."""

from typing import Any

import pytest

from tests.e2e.conftest import Api
from tests.e2e.pages import csrf_of, sign_in, text_of, upload, visible_text

HEADER = "adviesorgaan;advies;punt;opmerking;reactie;uitkomst;motivering;consequentie;datum\n"


async def _setup(api: Api) -> tuple[str, str]:
    body = await api.new_body("Wmo-platform")
    data = {
        "adviesorgaan": body,
        "titel": "Reactie op de nota",
        "uitgebrachtOp": api.days_ago(20),
        "gevraagd": False,
        "punten": [{"tekst": t} for t in ("Meer geld", "Meer uren", "Beter loket")],
    }
    advice = str((await api.created("/adviezen", data))["id"])
    await sign_in(api, api.as_("secretariaat"))
    return body, advice


def _path(api: Api) -> str:
    return f"/{api.municipality}/beheer/reactietabel"


async def _confirm(api: Api, preview_html: str, text: str) -> str:
    response = await api.client.post(
        _path(api),
        data={"csrf": csrf_of(preview_html), "actie": "vastleggen", "inhoud": text},
    )
    return visible_text(await response.text())


async def _outcomes(api: Api, advice: str) -> list[Any]:
    view = await (await api.get(f"/adviezen/{advice}", api.as_("auditor"))).json()
    return [(p["uitkomst"], p["reactie"], p["motivering"]) for p in view["punten"]]


async def test_a_table_with_one_bad_row_stores_nothing_and_names_the_row(api: Api) -> None:
    await _setup(api)
    day = api.days_ago(2)
    table = (
        HEADER
        + f"Wmo-platform;Reactie op de nota;1;Meer geld;Mee eens.;overgenomen;;;{day}\n"
        + f"Wmo-platform;Reactie op de nota;2;Meer uren;Nee.;niet overgenomen;;;{day}\n"
        + f"Wmo-platform;Reactie op de nota;3;Beter loket;Goed idee.;misschien;;;{day}\n"
    )
    before = await api.last_position()

    response = await upload(api, _path(api), "tabel.csv", table.encode())
    html = await response.text()

    assert response.status == 400
    assert "Er is niets vastgelegd" in html
    assert "Regel 3: Motivering: De motivering (Awb 3:50) mag niet leeg zijn." in html
    assert "Regel 4: Uitkomst ‘misschien’ is onbekend" in html
    assert 'href="#regel-4"' in html
    assert "Alles vastleggen" not in html
    assert await api.last_position() == before


async def test_the_same_table_twice_records_once(api: Api) -> None:
    _, advice = await _setup(api)
    day = api.days_ago(2)
    table = HEADER + f"Wmo-platform;Reactie op de nota;1;;Mee eens.;overgenomen;;;{day}\n"
    preview = await upload(api, _path(api), "tabel.csv", table.encode())
    preview_html = await preview.text()

    first = await _confirm(api, preview_html, table)
    changed = {**api.response_body(1, "meegenomen"), "reactie": "Toch later."}
    await api.created(f"/adviezen/{advice}/reacties", changed)
    before = await api.last_position()
    second = await _confirm(api, preview_html, table)

    assert "1 reactie wordt vastgelegd" in visible_text(preview_html)
    assert "1 reactie vastgelegd, in één keer" in first
    assert "Deze tabel is al eerder ingelezen. Er is niets nieuws vastgelegd." in second
    assert await api.last_position() == before
    assert (await _outcomes(api, advice))[0][:2] == ("meegenomen", "Toch later.")


async def test_one_cell_answers_several_points_and_zie_eerder_antwoord_takes_the_row_above(
    api: Api,
) -> None:
    _, advice = await _setup(api)
    day = api.days_ago(2)
    table = (
        "adviesorgaan,advies,punt,opmerking,reactie,uitkomst,motivering,consequentie,datum\r\n"
        f'Wmo-platform,Reactie op de nota,"1, 2",,"Niet haalbaar, helaas.",niet overgenomen,'
        f"Geen budget in de begroting.,Geen aanpassing.,{day}\r\n"
        f"Wmo-platform,Reactie op de nota,3,,Zie eerder antwoord.,,,Geen aanpassing.,{day}\r\n"
    )
    preview = await upload(api, _path(api), "tabel.csv", table.encode("cp1252"))
    html = await preview.text()

    done = await _confirm(api, html, table)

    assert "3 reacties vastgelegd, in één keer" in done
    assert await _outcomes(api, advice) == [
        ("niet_overgenomen", "Niet haalbaar, helaas.", "Geen budget in de begroting."),
        ("niet_overgenomen", "Niet haalbaar, helaas.", "Geen budget in de begroting."),
        ("niet_overgenomen", "Zie eerder antwoord.", "Geen budget in de begroting."),
    ]


async def test_the_exported_table_read_back_in_records_nothing(api: Api) -> None:
    _, advice = await _setup(api)
    await api.created(f"/adviezen/{advice}/reacties", api.response_body(1, "overgenomen"))
    exported = await api.client.get(f"/{api.municipality}/reactietabel.csv")
    data = await exported.read()
    before = await api.last_position()

    preview = await upload(api, _path(api), "export.csv", data)
    html = visible_text(await preview.text())

    assert data.startswith(b"\xef\xbb\xbf" + HEADER.strip().encode())
    assert "Wmo-platform;Reactie op de nota;1;Meer geld;Wij nemen dit over.;overgenomen" in (
        data.decode("utf-8-sig")
    )
    assert preview.status == 200
    assert "Alles in dit bestand staat er al" in html
    assert await api.last_position() == before


async def test_import_tabel_on_the_command_line_checks_then_records_once(
    api: Api, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from api.cli.main import main

    _, advice = await _setup(api)
    day = api.days_ago(2)
    bad = tmp_path / "fout.csv"
    bad.write_text(HEADER + f"Wmo-platform;Reactie op de nota;9;;Ja.;overgenomen;;;{day}\n")
    good = tmp_path / "goed.csv"
    good.write_text(HEADER + f"Wmo-platform;Reactie op de nota;2;;Ja.;overgenomen;;;{day}\n")
    args = ["--gemeente", api.municipality]

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADVIESSPOOR_DATABASE_URL", api.store.url)
        refused = main(["import-tabel", str(bad), *args])
        refused_out = capsys.readouterr()
        first = main(["import-tabel", str(good), *args])
        first_out = capsys.readouterr().out
        again = main(["import-tabel", str(good), *args])
        again_out = capsys.readouterr().out

    assert refused == 1
    assert "regel 2" in refused_out.out
    assert "Dit advies heeft geen punt 9." in refused_out.out
    assert "Niets vastgelegd" in refused_out.err
    assert (first, again) == (0, 0)
    assert "1 reactie(s) vastgelegd" in first_out
    assert "niets nieuws vastgelegd" in again_out
    assert (await _outcomes(api, advice))[1][0] == "overgenomen"
    assert "Punt 2. Meer uren" in visible_text(await text_of(api, f"/{api.municipality}"))
