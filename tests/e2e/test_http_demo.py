"""The demo read through the API: the 2013 outcomes are those of the seed's reaction table
(`Bijlage 1`) and of the besluit of 19 December 2013, whose afwijkingen answer the points the table
left open; no 2013 advice is overdue once the college decided."""

from typing import Any

from tests.e2e.conftest import Api

DECIDED_ON = "2013-12-19"


async def _json(api: Api, path: str) -> Any:
    response = await api.get(path, api.as_("auditor"))
    data = await response.json()
    assert response.status == 200, data
    return data


async def test_the_2013_outcomes_are_the_seeds_and_none_is_overdue_once_decided(
    demo_api: Api,
) -> None:
    from api.demo import read_demo
    from api.demo.loader import demo_id
    from api.vocabulary import OUTCOMES

    groningen = next(m for m in read_demo() if m.slug == "groningen")
    (decision,) = groningen.decisions
    decision_id = str(demo_id("groningen", "decision", decision.key))
    deviations = {(d.advice, d.point): d for d in decision.deviations}

    for advice in (a for a in groningen.advice if a.submitted_on.year == 2013):
        advice_id = demo_id("groningen", "advice", advice.key)
        then = await _json(demo_api, f"/adviezen/{advice_id}?peildatum=2014-01-01")
        table = {r.point: r for r in advice.responses}
        for point in then["punten"]:
            deviation = deviations.get((advice.key, point["nummer"]))
            if deviation is not None:
                expected = (OUTCOMES.dutch(deviation.outcome), deviation.reasons, decision_id)
                said = (point["uitkomst"], point["motivering"], point["besluit"])
                assert said == expected, (advice.key, point["nummer"])
                assert point["beantwoordOp"] == DECIDED_ON
            else:
                response = table[point["nummer"]]
                assert point["uitkomst"] == OUTCOMES.dutch(response.outcome)
                assert point["reactie"] == response.text
        assert then["verlopen"] is False, advice.key
        assert then["status"] == "beantwoord", advice.key
        assert then["besluiten"] == [decision_id]


async def test_stip_point_1_is_answered_by_the_besluit(demo_api: Api) -> None:
    from api.demo.loader import demo_id

    stip = await _json(
        demo_api, f"/adviezen/{demo_id('groningen', 'advice', 'stip-vrijwilligers-2013')}"
    )
    points = await _json(demo_api, "/punten?uitkomst=niet_overgenomen&jaar=2013&zoek=koers")
    board = await _json(demo_api, "/volglijst?peildatum=2014-01-01")

    first = stip["punten"][0]
    assert first["uitkomst"] == "niet_overgenomen"
    assert first["besluit"] == str(demo_id("groningen", "decision", "besluit-2013-12-19"))
    assert first["beantwoordOp"] == DECIDED_ON
    assert [(p["adviesorgaanNaam"], p["nummer"]) for p in points["punten"]] == [
        ("Stip vrijwilligers", 1)
    ]
    assert not [i for i in board["items"] if i["reden"] == "verlopen"]


async def test_the_wij_raad_is_a_clientenraad_of_the_demo(demo_api: Api) -> None:
    bodies = await _json(demo_api, "/adviesorganen?paginaGrootte=100")

    wij_raad = [b for b in bodies["adviesorganen"] if b["naam"] == "WIJ-raad"]

    assert [b["soort"] for b in wij_raad] == ["clientenraad"]
