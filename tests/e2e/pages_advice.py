"""An advice recorded through the API with the given point texts, for the page tests over HTTP."""

from tests.e2e.conftest import Api


async def record_advice(
    api: Api,
    body: str,
    title: str,
    points: list[str],
    days_ago: int = 10,
    dossier: str | None = None,
) -> str:
    """An advice of `body` with these point texts, `days_ago`, in `dossier` when one is given."""
    data = {
        "adviesorgaan": body,
        "titel": title,
        "uitgebrachtOp": api.days_ago(days_ago),
        "gevraagd": False,
        "punten": [{"tekst": t} for t in points],
    } | ({"dossier": dossier} if dossier else {})
    return str((await api.created("/adviezen", data))["id"])
