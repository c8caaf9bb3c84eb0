"""An advice's answer is kept by the views' position: read again it is the same bytes, and once
anything is recorded it is made anew (read-your-writes holds with the cache)."""

from tests.e2e.conftest import Api


async def test_a_kept_answer_gives_way_to_the_next_write(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), points=1)
    office = api.as_("secretariaat")

    first = await api.get(f"/adviezen/{advice_id}", office)
    again = await api.get(f"/adviezen/{advice_id}", office)
    await api.created(f"/adviezen/{advice_id}/reacties", api.response_body(1))
    after = await api.get(f"/adviezen/{advice_id}", office)

    assert await first.read() == await again.read()
    assert first.headers["ETag"] == again.headers["ETag"] == '"1"'
    assert after.headers["ETag"] == '"2"'
    assert (await after.json())["punten"][0]["uitkomst"] == "overgenomen"


async def test_another_business_date_is_another_answer(api: Api) -> None:
    advice_id = await api.new_advice(await api.new_body(), points=1)
    office = api.as_("secretariaat")

    today = await (await api.get(f"/adviezen/{advice_id}", office)).json()
    later = await (await api.get(f"/adviezen/{advice_id}?peildatum=2999-01-01", office)).json()

    assert today["verlopen"] is False
    assert later["verlopen"] is True
