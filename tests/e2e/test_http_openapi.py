"""The OpenAPI document describes exactly what the server does, and the answers fit it."""

from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.e2e.conftest import Api


async def document(api: Api) -> dict[str, Any]:
    response = await api.client.get("/api/v1/openapi.json")
    assert response.status == 200
    body: dict[str, Any] = await response.json()
    return body


def validator(doc: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A validator for a schema inside the document, its `#/components/...` refs resolved."""
    registry: Registry[Any] = Registry().with_resource(
        "openapi.json", Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": "openapi.json" + schema["$ref"]}, registry=registry)


async def test_the_document_is_public_and_readable_from_any_origin(api: Api) -> None:
    response = await api.client.get("/api/v1/openapi.json")

    doc = await response.json()
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["API-Version"] == doc["info"]["version"]
    assert doc["openapi"].startswith("3.")
    assert doc["servers"][0]["url"] == "/api/v1"
    assert {"name", "email", "url"} <= doc["info"]["contact"].keys()


async def test_every_route_is_documented_and_every_operation_is_served(api: Api) -> None:
    doc = await document(api)
    documented = {
        (method.upper(), "/api/v1" + path) for path, item in doc["paths"].items() for method in item
    }

    # The pages for people (api/pages) share the app; the document describes /api/v1.
    served = {
        (route.method, route.resource.canonical)
        for route in api.app.router.routes()
        if route.resource is not None and route.resource.canonical.startswith("/api/")
    }
    # `GET /api/v1` itself, the index of links, lies outside the document's paths (they start
    # below it); the test below checks it.
    served -= {("GET", "/api/v1"), ("HEAD", "/api/v1")}

    assert documented == served


async def test_every_reference_resolves_and_every_schema_is_valid(api: Api) -> None:
    doc = await document(api)

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return own + [ref for value in node.values() for ref in refs(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in refs(value)]
        return []

    for ref in refs(doc):
        target: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    operation_ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))


async def test_every_integer_query_parameter_has_a_maximum_the_server_can_read(api: Api) -> None:
    from api.http.fields import LARGEST_QUERY_INTEGER

    doc = await document(api)

    for item in doc["paths"].values():
        for operation in item.values():
            for parameter in operation["parameters"]:
                schema = parameter.get("schema", {})
                if schema.get("type") == "integer":
                    assert schema["maximum"] <= LARGEST_QUERY_INTEGER, parameter["name"]


async def test_every_operation_documents_its_errors_as_problem_json(api: Api) -> None:
    doc = await document(api)

    for item in doc["paths"].values():
        for operation in item.values():
            codes = set(operation["responses"])
            assert {"500"} <= codes
            if operation.get("security") != []:
                assert {"401", "403"} <= codes
            if "requestBody" in operation:
                assert {"400", "409", "413", "415"} <= codes
    for response in doc["components"]["responses"].values():
        assert list(response["content"]) == ["application/problem+json"]


async def test_answers_fit_their_documented_schemas(api: Api) -> None:
    doc = await document(api)
    body_id = await api.new_body()
    advice_id = await api.new_advice(body_id)
    responses = {
        ("/adviezen", "post"): await api.post(
            "/adviezen", api.advice_body(body_id), api.as_("secretariaat")
        ),
        ("/adviezen/{id}/reacties", "post"): await api.post(
            f"/adviezen/{advice_id}/reacties", api.response_body(1), api.as_("secretariaat")
        ),
        ("/gebeurtenissen", "get"): await api.get("/gebeurtenissen", api.as_("auditor")),
    }
    problem = await api.post("/dossiers", {"x": 1}, api.as_("secretariaat"))

    for (path, method), response in responses.items():
        documented = doc["paths"][path][method]["responses"][str(response.status)]
        schema = documented["content"]["application/json"]["schema"]
        validator(doc, schema).validate(await response.json())
    problem_schema = {"$ref": "#/components/schemas/Probleem"}
    validator(doc, problem_schema).validate(await problem.json(content_type=None))


async def test_the_api_root_links_the_contract_the_guide_and_the_pages_without_a_token(
    api: Api,
) -> None:
    index = await api.client.get("/api/v1")
    links = await index.json()
    guide = await api.client.get(links["documentatie"])
    contract = await api.client.get(links["openapi"])
    pages = await api.client.get(links["paginas"])

    assert index.status == 200
    assert set(links) == {"openapi", "documentatie", "paginas"}
    assert guide.status == 200
    assert guide.content_type == "text/markdown"
    assert "curl" in await guide.text()
    assert contract.status == 200
    assert pages.status == 200
