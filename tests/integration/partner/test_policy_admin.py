"""Admins set a partner's sharing policy; the change is audited and documented in OpenAPI."""
from __future__ import annotations

from datetime import date

from openapi_spec_validator import validate

from tests import factories
from tests.integration.partner import helpers

POLICY = {"location_precision": "grid", "grid_km": 10, "small_count_k": 3, "embargo_days": 7,
          "statuses": ["verified", "has_issues"], "countries": ["AFG"],
          "withheld_fields": ["perpetrator"], "note": "Agreement of 2025-06-01"}


def test_an_admin_sets_a_policy_and_the_partner_gets_it(client, session, signed_in_client):
    admin, _ = signed_in_client("admin")
    org, headers = helpers.partner(session)
    url = f"/api/partner-policies/{org.id}"
    before = admin.get(url).get_json()
    assert before["is_default"] is True and before["location_precision"] == "admin1"
    response = admin.put(url, json=POLICY)
    assert response.status_code == 200, response.get_json()
    saved = response.get_json()
    assert saved["version"] == 1 and saved["grid_km"] == 10 and saved["countries"] == ["AFG"]
    helpers.incident(session, lon=70.5, lat=34.5, occurred_on=date(2025, 1, 5))
    feature = helpers.feed(client, headers)[0][0]
    assert feature["properties"]["location_precision"] == "grid_10km"
    assert feature["properties"]["perpetrator"] is None
    entry = helpers.audit_entries(session, "partner_policy.set")[-1]
    assert entry.details["version"] == 1 and entry.details["changed"]["grid_km"] == 10
    listed = admin.get("/api/partner-policies").get_json()["items"]
    assert any(item["organisation"]["id"] == str(org.id) for item in listed)


def test_policy_input_is_checked(session, signed_in_client):
    admin, _ = signed_in_client("admin")
    org, _ = helpers.partner(session)
    url = f"/api/partner-policies/{org.id}"
    for bad, field in [({"location_precision": "grid"}, "grid_km"),
                       ({"statuses": []}, "statuses"), ({"small_count_k": 0}, "small_count_k"),
                       ({"incident_types": ["no_such_type"]}, "incident_types"),
                       ({"countries": ["XX"]}, "countries"),
                       ({"withheld_fields": ["narrative"]}, "withheld_fields")]:
        response = admin.put(url, json=bad)
        assert response.status_code == 422, bad
        assert field in response.get_json()["errors"], (bad, response.get_json())
    coalition = factories.organisation(session)
    assert admin.put(f"/api/partner-policies/{coalition.id}", json={}).status_code == 422


def test_only_admins(client, session, signed_in_client):
    org, headers = helpers.partner(session)
    coordinator, _ = signed_in_client("coordinator")
    url = f"/api/partner-policies/{org.id}"
    assert coordinator.get(url).status_code == 403
    assert client.get(url, headers=headers).status_code == 403
    assert client.get(url).status_code == 401


def test_the_openapi_document_is_valid_and_documents_the_partner_api(client):
    document = client.get("/api/openapi.json").get_json()
    validate(document)
    paths = document["paths"]
    for path in ("/api/partner/v1/incidents", "/api/partner/v1/exports/incidents.geojson",
                 "/api/partner/v1/exports/incidents.csv", "/api/partner-policies/{organisation_id}",
                 "/ogc/collections/{collection_id}/items"):
        assert path in paths, path
    feed = paths["/api/partner/v1/incidents"]["get"]
    assert {p["name"] for p in feed["parameters"]} >= {"bbox", "datetime", "type", "country",
                                                        "facility", "updated_since", "limit"}
    assert feed["responses"]["200"]["content"]["application/geo+json"]["example"]
    assert {"bearer", "basic"} <= set(document["components"]["securitySchemes"])
