"""The facilities layer and the facility panel: latest ring (red flags first, then the worst
dimension), stale, access denied, visit history with dimension ratings and red flags, incidents nearby, and only the caller's own photos."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from server.attachments.models import Attachment
from tests import factories

from .conftest import add_incident, add_visit, now


@pytest.fixture()
def coordinator(signed_in_client):
    return signed_in_client("coordinator")


def features_by_name(client, query="") -> dict:
    response = client.get(f"/api/map/facilities{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    return body, {f["properties"]["name"]: f for f in body["features"]}


def test_latest_ring_stale_and_denied(app, session, coordinator, orgs):
    client, user = coordinator
    fresh = factories.facility(session, name="Fresh", lon=61.1, lat=34.7)
    add_visit(session, fresh, orgs[0], now() - timedelta(days=200), ring="3")
    add_visit(session, fresh, orgs[1], now() - timedelta(days=10), ring="red_flag")
    add_visit(session, fresh, orgs[1], now() - timedelta(days=2), ring="4",
              review_status="rejected")  # rejected visits do not count
    old = factories.facility(session, name="Old", lon=62.0, lat=34.3)
    add_visit(session, old, orgs[0], now() - timedelta(days=app.config["STALE_AFTER_DAYS"] + 5),
              ring="2")
    denied = factories.facility(session, name="Denied", lon=66.4, lat=30.9, kind="holding_centre")
    add_visit(session, denied, orgs[2], now() - timedelta(days=30), ring="1")
    add_visit(session, denied, orgs[2], now() - timedelta(days=3), access="denied",
              access_denied_reason="refused at the gate")
    factories.facility(session, name="Never", lon=69.0, lat=34.5)

    body, by_name = features_by_name(client)
    assert body["stale_after_days"] == app.config["STALE_AFTER_DAYS"]
    assert body["numberReturned"] == 4 and body["truncated"] is False
    fresh_props = by_name["Fresh"]["properties"]
    assert fresh_props["ring"] == "red_flag" and fresh_props["stale"] is False
    assert fresh_props["last_visit"] == (now() - timedelta(days=10)).date().isoformat()
    assert fresh_props["access_denied"] is False
    assert by_name["Fresh"]["geometry"]["coordinates"] == [61.1, 34.7]
    assert by_name["Old"]["properties"]["stale"] is True
    assert by_name["Old"]["properties"]["ring"] == "2"
    assert by_name["Denied"]["properties"]["access_denied"] is True
    assert by_name["Denied"]["properties"]["ring"] == "none"
    assert by_name["Denied"]["properties"]["kind"] == "holding_centre"
    never = by_name["Never"]["properties"]
    assert never["last_visit"] is None and never["stale"] is True and never["ring"] == "none"
    assert not any("grade" in f["properties"] for f in body["features"])

    _, in_view = features_by_name(client, "?bbox=60,34,63,35")
    assert set(in_view) == {"Fresh", "Old"}
    _, kinds = features_by_name(client, "?kind=holding_centre")
    assert set(kinds) == {"Denied"}
    body, _ = features_by_name(client, "?limit=3")
    assert body["numberReturned"] == 3 and body["truncated"] is True


def test_stale_follows_the_setting(app, session, coordinator, orgs, monkeypatch):
    client, _ = coordinator
    fac = factories.facility(session, name="Checked")
    add_visit(session, fac, orgs[0], now() - timedelta(days=20), ring="3")
    monkeypatch.setitem(app.config, "STALE_AFTER_DAYS", 10)
    assert features_by_name(client)[1]["Checked"]["properties"]["stale"] is True
    monkeypatch.setitem(app.config, "STALE_AFTER_DAYS", 30)
    assert features_by_name(client)[1]["Checked"]["properties"]["stale"] is False


@pytest.mark.parametrize("query", ["?bbox=1,2", "?kind=palace", "?limit=0", "?limit=5001",
                                   "?country=XX"])
def test_layer_rejects_bad_arguments(coordinator, query):
    client, _ = coordinator
    response = client.get(f"/api/map/facilities{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def as_documented(client, body: dict) -> None:
    """The panel's answer validated against its schema in the OpenAPI document."""
    from openapi_schema_validator import OAS30Validator
    spec = client.get("/api/openapi.json").get_json()
    schema = spec["paths"]["/api/map/facilities/{facility_id}/history"]["get"]["responses"][
        "200"]["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": spec["components"]}).validate(body)


def test_facility_history_panel(session, coordinator, orgs):
    client, user = coordinator
    mine = user.organisation
    fac = factories.facility(session, name="Panel", lon=61.0667, lat=34.6667)
    flag = {"code": "death", "dimension": "safety_treatment", "state": "iran",
            "source": "visit", "count": 1}
    first = add_visit(session, fac, mine, now() - timedelta(days=90), ring="red_flag",
                      dimensions={"safety_treatment": {"rating": 1}, "legal_protection":
                                  {"rating": None}, "material_conditions": {"rating": 4},
                                  "derived_from_earlier_form": True},
                      red_flags=[flag])
    second = add_visit(session, fac, orgs[0], now() - timedelta(days=30), ring="3",
                       dimensions={"safety_treatment": {"rating": 3, "source": "monitor",
                                                        "coverage": "full",
                                                        "evidence": ["observed"]},
                                   "legal_protection": {"rating": 3}}, red_flags=[])
    add_visit(session, fac, orgs[0], now() - timedelta(days=5), ring="4",
              review_status="rejected")
    near = add_incident(session, orgs[0], 61.07, 34.67, date.today() - timedelta(days=3),
                        type="pushback", severity=4)
    add_incident(session, mine, 61.06, 34.66, date.today() - timedelta(days=100))
    add_incident(session, mine, 61.5, 34.9, date.today())  # ~45 km away
    dup = add_incident(session, mine, 61.07, 34.67, date.today(), type="pushback")
    dup.duplicate_of = near.id
    mine_photo = Attachment(id=uuid.uuid4(), visit_id=first.id, filename="a.jpg", sha256="a" * 64,
                            received_at=now())
    theirs = Attachment(id=uuid.uuid4(), visit_id=second.id, filename="b.jpg", sha256="b" * 64,
                        received_at=now())
    pending = Attachment(id=uuid.uuid4(), visit_id=first.id, filename="c.jpg")
    session.add_all([mine_photo, theirs, pending])
    session.flush()

    response = client.get(f"/api/map/facilities/{fac.id}/history")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    as_documented(client, body)
    assert body["facility"]["name"] == "Panel" and body["facility"]["ring"] == "3"
    assert "grade" not in body["facility"]
    assert body["facility"]["dimensions"]["safety_treatment"]["evidence"] == ["observed"]
    assert body["facility"]["red_flags"] == []
    assert body["facility"]["stale"] is False
    visits = body["visits"]
    assert [v["id"] for v in visits] == [str(first.id), str(second.id)]  # oldest first
    assert visits[0]["own"] is True and visits[1]["own"] is False
    assert visits[0]["ratings"] == {"safety_treatment": 1, "legal_protection": None,
                                    "material_conditions": 4, "return_reception": None}
    assert visits[0]["area_scores"]["safety_treatment"] == 0.0
    assert visits[0]["area_scores"]["material_conditions"] == 1.0
    assert visits[0]["red_flags"] == ["death"] and visits[0]["derived"] is True
    assert visits[1]["ring"] == "3" and visits[1]["derived"] is False
    assert not any("grade" in v for v in visits)
    nearby = body["nearby"]
    assert nearby["radius_m"] == 5000 and nearby["total"] == 2
    assert nearby["by_type"] == {"forced_return": 1, "pushback": 1}
    latest = nearby["latest"][0]
    assert latest["id"] == str(near.id)
    assert set(latest) == {"id", "type", "severity", "occurred_on", "status", "distance_m"}
    assert 0 < latest["distance_m"] < 500
    assert [p["id"] for p in body["photos"]] == [str(mine_photo.id)]
    assert body["photos"][0]["thumbnail_url"] == f"/api/attachments/{mine_photo.id}/thumbnail"

    wide = client.get(f"/api/map/facilities/{fac.id}/history?radius_m=50000").get_json()
    assert wide["nearby"]["total"] == 3
    recent = client.get(f"/api/map/facilities/{fac.id}/history?"
                        f"from={(date.today() - timedelta(days=60)).isoformat()}").get_json()
    assert [v["id"] for v in recent["visits"]] == [str(second.id)]
    assert recent["nearby"]["total"] == 1


def test_history_of_an_unknown_facility_and_bad_arguments(coordinator):
    client, _ = coordinator
    response = client.get(f"/api/map/facilities/{uuid.uuid4()}/history")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    fac_id = uuid.uuid4()
    for query in ("radius_m=5", "visits=0", "from=2024-02-30", "from=2024-05-01&to=2024-01-01"):
        assert client.get(f"/api/map/facilities/{fac_id}/history?{query}").status_code == 422
