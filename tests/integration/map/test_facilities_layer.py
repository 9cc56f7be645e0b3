"""The facilities layer and the facility panel: latest grade, stale, access denied, visit
history with area scores, incidents nearby, and only the caller's own photos."""
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


def test_latest_grade_stale_and_denied(app, session, coordinator, orgs):
    client, user = coordinator
    fresh = factories.facility(session, name="Fresh", lon=61.1, lat=34.7)
    add_visit(session, fresh, orgs[0], now() - timedelta(days=200), grade="B")
    add_visit(session, fresh, orgs[1], now() - timedelta(days=10), grade="D")
    add_visit(session, fresh, orgs[1], now() - timedelta(days=2), grade="A",
              review_status="rejected")  # rejected visits do not count
    old = factories.facility(session, name="Old", lon=62.0, lat=34.3)
    add_visit(session, old, orgs[0], now() - timedelta(days=app.config["STALE_AFTER_DAYS"] + 5),
              grade="C")
    denied = factories.facility(session, name="Denied", lon=66.4, lat=30.9, kind="holding_centre")
    add_visit(session, denied, orgs[2], now() - timedelta(days=30), grade="E")
    add_visit(session, denied, orgs[2], now() - timedelta(days=3), access="denied",
              access_denied_reason="refused at the gate")
    factories.facility(session, name="Never", lon=69.0, lat=34.5)

    body, by_name = features_by_name(client)
    assert body["stale_after_days"] == app.config["STALE_AFTER_DAYS"]
    assert body["numberReturned"] == 4 and body["truncated"] is False
    fresh_props = by_name["Fresh"]["properties"]
    assert fresh_props["grade"] == "D" and fresh_props["stale"] is False
    assert fresh_props["last_visit"] == (now() - timedelta(days=10)).date().isoformat()
    assert fresh_props["access_denied"] is False
    assert by_name["Fresh"]["geometry"]["coordinates"] == [61.1, 34.7]
    assert by_name["Old"]["properties"]["stale"] is True
    assert by_name["Old"]["properties"]["grade"] == "C"
    assert by_name["Denied"]["properties"]["access_denied"] is True
    assert by_name["Denied"]["properties"]["grade"] is None
    assert by_name["Denied"]["properties"]["kind"] == "holding_centre"
    never = by_name["Never"]["properties"]
    assert never["last_visit"] is None and never["stale"] is True and never["grade"] is None

    _, in_view = features_by_name(client, "?bbox=60,34,63,35")
    assert set(in_view) == {"Fresh", "Old"}
    _, kinds = features_by_name(client, "?kind=holding_centre")
    assert set(kinds) == {"Denied"}
    body, _ = features_by_name(client, "?limit=3")
    assert body["numberReturned"] == 3 and body["truncated"] is True


def test_stale_follows_the_setting(app, session, coordinator, orgs, monkeypatch):
    client, _ = coordinator
    fac = factories.facility(session, name="Checked")
    add_visit(session, fac, orgs[0], now() - timedelta(days=20), grade="B")
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


def test_facility_history_panel(session, coordinator, orgs):
    client, user = coordinator
    mine = user.organisation
    fac = factories.facility(session, name="Panel", lon=61.0667, lat=34.6667)
    areas = {"space": "met", "water": "not_met", "food": {"status": "partly_met"},
             "health": "not_observed"}
    first = add_visit(session, fac, mine, now() - timedelta(days=90), grade="C",
                      scores={"areas": areas, "grade": "C"})
    second = add_visit(session, fac, orgs[0], now() - timedelta(days=30), grade="B",
                       scores={"areas": {"space": "met", "water": "partly_met"}, "grade": "B"})
    add_visit(session, fac, orgs[0], now() - timedelta(days=5), grade="A",
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
    assert body["facility"]["name"] == "Panel" and body["facility"]["grade"] == "B"
    assert body["facility"]["stale"] is False
    visits = body["visits"]
    assert [v["id"] for v in visits] == [str(first.id), str(second.id)]  # oldest first
    assert visits[0]["own"] is True and visits[1]["own"] is False
    assert visits[0]["areas"] == {"space": "met", "water": "not_met", "food": "partly_met",
                                  "health": "not_observed"}
    assert visits[0]["area_scores"] == {"space": 1.0, "water": 0.0, "food": 0.5, "health": None}
    assert visits[1]["grade"] == "B"
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
