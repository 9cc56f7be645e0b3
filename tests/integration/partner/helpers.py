"""Building incidents and partners for the partner API tests, and reading every output format."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, timedelta
from urllib.parse import urlencode

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import func, text

from server.incidents.models import Incident, IncidentSensitive
from server.partner.models import SharingPolicy
from tests import factories

ALL_SCOPES = ("facilities:read", "incidents:read", "exports")
SECRET = "SECRET-NARRATIVE"  # written into every narrative: must never reach a partner


def incident(session, organisation=None, facility=None, lon=71.1, lat=34.1, **overrides):
    """An incident that every default policy shares (verified, consent to share anonymised)."""
    org = organisation or factories.organisation(session)
    values = dict(id=uuid.uuid4(), organisation_id=org.id, type="forced_return",
                  occurred_on=date.today() - timedelta(days=40), date_precision="exact",
                  location=from_shape(Point(lon, lat), srid=4326), location_precision="exact",
                  country="AFG", admin1="Nangarhar", affected_women=0, affected_men=7,
                  affected_girls=0, affected_boys=0, affected_unaccompanied=0,
                  perpetrator="border_police", source_type="direct_observation",
                  consent="share_anonymised", severity=3, verification_status="verified",
                  review_comment=f"{SECRET} review", flags=[f"{SECRET}-flag"],
                  profiles={"journalist": 1}, monitor_id=None)
    if facility is not None:
        values.update(facility_id=facility.id, country=facility.country, admin1=facility.admin1)
    values.update(overrides)
    row = Incident(**values)
    session.add(row)
    session.flush()
    session.add(IncidentSensitive(incident_id=row.id, narrative=f"{SECRET} {row.id}"))
    session.flush()
    return row


def set_policy(session, organisation, **values) -> None:
    """Write a partner's policy row (replacing it), moving its change time like the service."""
    row = session.get(SharingPolicy, organisation.id)
    defaults = dict(incident_types=None, statuses=["verified"], location_precision="exact",
                    grid_km=None, sensitive_types=[], sensitive_precision="admin1",
                    small_count_k=1, embargo_days=0, countries=None, withheld_fields=[])
    defaults.update(values)
    if row is None:
        row = SharingPolicy(organisation_id=organisation.id, version=0)
        session.add(row)
    for key, value in defaults.items():
        setattr(row, key, value)
    row.version += 1
    row.changed_at = func.clock_timestamp()
    session.flush()
    session.expire(row)


def partner(session, scopes=ALL_SCOPES, **policy):
    """(organisation, Authorization headers) of a new partner; `policy` set when given."""
    org = factories.organisation(session, kind="partner")
    if policy:
        set_policy(session, org, **policy)
    return org, factories.bearer(factories.partner_key(session, org, scopes=scopes))


def follow(client, url: str, headers: dict, max_pages: int = 1000) -> tuple[list, dict]:
    """Every feature through the `next` links; returns (features, last page)."""
    features, body = [], {}
    for _ in range(max_pages):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json(force=True)
        features += body["features"]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        if url is None:
            return features, body
    raise AssertionError("the next links never end")


def feed(client, headers: dict, **params) -> tuple[list, dict]:
    return follow(client, "/api/partner/v1/incidents?" + urlencode(params), headers)


def ogc_items(client, headers: dict, collection: str = "incidents", **params) -> list:
    query = urlencode({"limit": 10000, **params})
    return follow(client, f"/ogc/collections/{collection}/items?{query}", headers)[0]


def export_geojson(client, headers: dict) -> tuple[bytes, dict]:
    response = client.get("/api/partner/v1/exports/incidents.geojson", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    raw = response.get_data()
    return raw, json.loads(raw)


def export_csv(client, headers: dict) -> tuple[bytes, list[dict]]:
    response = client.get("/api/partner/v1/exports/incidents.csv", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    raw = response.get_data()
    lines = raw.decode().splitlines()
    rows = list(csv.DictReader(io.StringIO("\n".join([lines[0]] + lines[2:]))))
    return raw, rows


def audit_entries(session, action_prefix: str) -> list:
    return session.execute(text(
        "SELECT action, actor_kind, actor_id, details FROM audit_log WHERE action LIKE :a "
        "ORDER BY seq"), {"a": action_prefix + "%"}).all()
