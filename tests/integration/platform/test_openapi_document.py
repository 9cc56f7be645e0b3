"""The OpenAPI document says what the server does: valid OpenAPI 3.0, a success response for
every operation, problem+json errors (RFC 9457) and no catch-all `default`, the security each
operation needs derived from its access rule, and a client built from it can read the API."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from server.core import access
from tests import factories

METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture()
def document(client) -> dict:
    spec = client.get("/api/openapi.json").get_json()
    validate(spec)
    return spec


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def test_every_operation_documents_success_and_problem_errors(document):
    for method, path, op in operations(document):
        codes = set(op["responses"])
        assert "default" not in codes, (method, path)
        assert any(c.startswith(("2", "3")) for c in codes), f"{method} {path}: no success"
        for code in codes - {"304"}:
            if code.startswith(("4", "5")):
                ref = op["responses"][code]["$ref"]
                assert ref.startswith("#/components/responses/"), (method, path, code)
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert "errors" in problem["properties"]
    assert "Error" not in document["components"]["schemas"]  # flask-smorest's own is gone
    for name, response in document["components"]["responses"].items():
        assert list(response["content"]) == ["application/problem+json"], name
    assert "WWW-Authenticate" in document["components"]["responses"]["UNAUTHORIZED"]["headers"]


def test_security_follows_each_routes_access_rule(app, document):
    rules = access.route_rules(app)
    by_path = {}
    for rule in app.url_map.iter_rules():
        path = rule.rule.replace("<uuid:", "{").replace("<string:", "{").replace("<", "{") \
            .replace(">", "}")
        for method in rule.methods:
            by_path[path, method.lower()] = rules[rule.endpoint]
    checked = 0
    for method, path, op in operations(document):
        rule = by_path[path, method]
        schemes = {name for requirement in op["security"] for name in requirement}
        if rule is access.public or not rule.schemes:
            assert op["security"] == [], (method, path)
            continue
        checked += 1
        assert "401" in op["responses"] and "403" in op["responses"], (method, path)
        assert ("session" in schemes) == ("session" in rule.schemes), (method, path)
        assert ("deviceToken" in schemes) == ("device" in rule.schemes), (method, path)
        assert ({"bearer", "basic"} <= schemes) == ("partner" in rule.schemes), (method, path)
        if "session" in schemes and method != "get":
            assert {"session": [], "csrf": []} in op["security"], (method, path)
    assert checked > 40
    visits = document["paths"]["/api/visits"]["get"]["security"]
    assert visits == [{"session": []}, {"deviceToken": []}]
    assert document["paths"]["/api/auth/session"]["get"]["security"] == []


def test_the_details_a_client_needs(document):
    paths, schemas = document["paths"], document["components"]["schemas"]
    photo = paths["/api/submissions/{visit_id}/photos/{filename}"]["put"]
    assert {"image/jpeg", "image/png", "image/webp"} <= set(photo["requestBody"]["content"])
    assert "/api/attachments/{attachment_id}" in paths
    assert "/api/attachments/{attachment_id}/thumbnail" in paths
    assert "application/geo+json" in paths["/api/facilities"]["get"]["responses"]["200"]["content"]
    for name in ("last_used_at", "revoked_at"):
        assert schemas["DeviceToken"]["properties"][name]["nullable"] is True
    assert schemas["User"]["properties"]["last_sign_in_at"]["nullable"] is True
    assert "arbitrary_arrest" in schemas["IncidentIn"]["properties"]["type"]["enum"]
    bbox = next(p for p in paths["/api/facilities"]["get"]["parameters"] if p["name"] == "bbox")
    assert "pattern" in bbox["schema"]


def test_every_401_carries_a_challenge(client, session):
    for path in ("/api/visits", "/api/users", "/api/map/histogram", "/api/partner/v1/incidents",
                 "/ogc/collections"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers.get("WWW-Authenticate"), path
    response = client.get("/api/auth/session", headers=factories.bearer("nzd_not-a-token"))
    assert response.status_code == 401 and response.headers.get("WWW-Authenticate")


def test_a_client_reading_by_the_document_gets_what_it_says(app, client, session):
    """The lighter form of "a generated client works": responses validated with openapi-core's
    sibling, the document's own schemas, through openapi-schema-validator."""
    from openapi_schema_validator import OAS30Validator

    spec = client.get("/api/openapi.json").get_json()
    admin = factories.user(session, role="admin")
    cookie, csrf = factories.browser_session(session, admin)
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    for path, schema_path in (("/api/users", "/api/users"),
                              ("/api/organisations", "/api/organisations"),
                              ("/api/device-tokens", "/api/device-tokens")):
        response = client.get(path)
        assert response.status_code == 200
        schema = spec["paths"][schema_path]["get"]["responses"]["200"]["content"][
            "application/json"]["schema"]
        resolved = {**schema, "components": spec["components"]}
        OAS30Validator(resolved).validate(response.get_json())
    problem = client.get("/api/users?limit=0")
    assert problem.status_code == 422 and problem.mimetype == "application/problem+json"
    OAS30Validator({"$ref": "#/components/schemas/Problem",
                    "components": spec["components"]}).validate(problem.get_json())


def _resolved(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_success_with_a_body_names_its_media_type(document):
    """GET /api/map/export answered 200 with no media type in the document: a client could
    not know it streams GeoJSON or CSV."""
    for method, path, op in operations(document):
        for code, response in op["responses"].items():
            if code.startswith("2") and code != "204":
                assert response.get("content"), (method, path, code)
    export = document["paths"]["/api/map/export"]["get"]["responses"]["200"]
    assert set(export["content"]) == {"application/geo+json", "text/csv"}
    features = export["content"]["application/geo+json"]["schema"]["properties"]["features"]
    assert "narrative" not in features["items"]["properties"]["properties"]["properties"]
    assert "X-Nezarat-Rows" in export["headers"]


@pytest.mark.parametrize("path", ["/api/cases", "/api/cases/inbox", "/api/cases/keys",
                                  "/api/cases/partners", "/api/cases/candidates"])
def test_the_case_lists_say_what_their_items_hold(document, path):
    """The case lists documented their items as a bare {"type": "object"}."""
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    item = _resolved(document, _resolved(document, schema["schema"])["properties"]["items"]
                     ["items"])
    assert item.get("properties") and item.get("required"), (path, item)
    assert set(item["required"]) <= set(item["properties"])
    for name, field in item["properties"].items():
        assert field.get("type") or field.get("$ref"), (path, name)
