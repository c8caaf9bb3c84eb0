"""docs/api.md, the user's guide, lists exactly the operations the server serves: the same
methods and paths, the same roles and the same query parameters as GET /openapi.json."""

import re
from pathlib import Path

from tests.e2e.conftest import Api
from tests.e2e.test_http_openapi import document

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROW = re.compile(r"^\| (GET|POST) \| `([^`]+)` \| ([^|]+) \| ([^|]+) \| [^|]+ \|$")


def guide_rows() -> dict[tuple[str, str], tuple[str, list[str]]]:
    rows = {}
    for line in GUIDE.read_text().splitlines():
        found = ROW.match(line)
        if found:
            method, path, roles, query = found.groups()
            names = re.findall(r"`([^`]+)`", query)
            rows[(method, path)] = (roles.strip(), names)
    return rows


async def test_the_guide_lists_every_operation_with_its_roles_and_query_parameters(
    api: Api,
) -> None:
    doc = await document(api)
    served = {}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            access = operation["description"].rsplit("\n\n", 1)[-1]
            roles = access.removeprefix("Rollen: ").rstrip(".")
            roles = "zonder token" if access.startswith("Zonder") else roles
            query = [p["name"] for p in operation["parameters"] if p.get("in") == "query"]
            served[(method.upper(), path)] = (roles, query)

    assert guide_rows() == served


def test_the_guide_keeps_its_choices_and_its_curl_examples() -> None:
    text = GUIDE.read_text()

    assert "## Keuzes" in text
    assert text.count("curl ") >= 5
