"""Keys, scopes, rate limits, the audit of every call, ETag and gzip."""
from __future__ import annotations

import gzip
import json

import pytest
import requests
from sqlalchemy import text

from tests import factories
from tests.integration.partner import helpers
from tests.integration.partner.conftest import committed

FEED = "/api/partner/v1/incidents"
GEOJSON = "/api/partner/v1/exports/incidents.geojson"
CSV = "/api/partner/v1/exports/incidents.csv"


@pytest.mark.parametrize("path,scope", [
    (FEED, "incidents:read"), (GEOJSON, "exports"), (CSV, "exports"),
    ("/ogc/collections/incidents/items", "incidents:read"),
    ("/ogc/collections/facilities/items", "facilities:read")])
def test_each_route_needs_its_scope(client, session, path, scope):
    others = tuple(s for s in helpers.ALL_SCOPES if s != scope)
    _, without = helpers.partner(session, scopes=others)
    _, with_scope = helpers.partner(session, scopes=(scope,))
    assert client.get(path, headers=without).status_code == 403
    assert client.get(path, headers=with_scope).status_code == 200
    assert client.get(path).status_code == 401


def test_no_key_no_data_and_basic_auth_is_offered(client, session):
    response = client.get("/ogc/collections")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic ")
    raw = factories.partner_key(session, factories.organisation(session, kind="partner"),
                                scopes=("incidents:read",))
    basic = client.get("/ogc/collections", auth=("anyone", raw))
    assert basic.status_code == 200
    assert [c["id"] for c in basic.get_json()["collections"]] == ["incidents"]


def test_users_cannot_read_the_partner_feed(client, session, signed_in_client):
    coordinator, _ = signed_in_client("coordinator")
    assert coordinator.get(FEED).status_code == 403
    assert client.get(FEED, headers=factories.bearer("nzp_not-a-key")).status_code == 401


def test_every_call_is_audited_with_key_query_and_rows(client, session):
    for _ in range(3):
        helpers.incident(session)
    org, headers = helpers.partner(session, location_precision="exact")
    key_id = str(session.execute(db_key_of(org)).scalar_one())
    client.get(FEED + "?limit=2&type=forced_return", headers=headers)
    client.get("/ogc/collections/incidents/items?limit=1", headers=headers)
    client.get("/ogc/conformance", headers=headers)
    client.get(CSV, headers=headers).get_data()
    client.get(FEED + "?limit=0", headers=headers)  # refused: audited too
    rows = helpers.audit_entries(session, "partner.")
    calls = [(r.action, r.details.get("query"), r.details.get("rows")) for r in rows]
    assert calls == [
        ("partner.feed", {"limit": "2", "type": "forced_return"}, 2),
        ("partner.ogc.incidents", {"limit": "1"}, 1),
        ("partner.request", {}, 0),
        ("partner.export.csv", {}, 0),
        ("partner.export.csv.end", {}, 3),
        ("partner.request", {"limit": "0"}, 0)]
    assert all(r.actor_kind == "partner" and str(r.actor_id) == key_id
               and r.details["key"] == key_id for r in rows)
    assert rows[-1].details["status"] == 422 and rows[2].details["path"] == "/ogc/conformance"


def db_key_of(org):
    from sqlalchemy import select

    from server.accounts.models import PartnerKey
    return select(PartnerKey.id).where(PartnerKey.organisation_id == org.id)


def test_rate_limit_answers_429_with_retry_after(live_server, app_config):
    live_server.config["PARTNER_RATE_LIMIT_PER_MINUTE"] = 3  # read on every request
    with committed(app_config["DATABASE_URL"]) as session:
        _, headers = helpers.partner(session)
        _, other = helpers.partner(session)
    url = live_server.config["LIVE_URL"] + FEED
    statuses = [requests.get(url, headers=headers, timeout=10).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = requests.get(url, headers=headers, timeout=10)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 20
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert requests.get(url, headers=other, timeout=10).status_code == 200  # per key
    with committed(app_config["DATABASE_URL"]) as session:
        refusals = [r for r in helpers.audit_entries(session, "partner.request")
                    if r.details.get("status") == 429]
        counted = session.execute(text(
            "SELECT refused FROM partner_rate_limits WHERE refused > 0")).scalars().all()
    assert len(refusals) == 1  # the first of the burst; the others are counted, not logged
    assert counted == [3]
    with committed(app_config["DATABASE_URL"]) as session:  # a minute later...
        session.execute(text("UPDATE partner_rate_limits SET tat = now() - interval '1 second'"))
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    with committed(app_config["DATABASE_URL"]) as session:
        summary = helpers.audit_entries(session, "partner.rate_limited")
    assert [r.details["refused"] for r in summary] == [3]


def test_etag_and_if_none_match(client, session):
    helpers.incident(session)
    _, headers = helpers.partner(session)
    first = client.get(FEED, headers=headers)
    etag = first.headers["ETag"]
    again = client.get(FEED, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    helpers.incident(session)
    changed = client.get(FEED, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_gzip_when_asked(client, session):
    for _ in range(20):
        helpers.incident(session)
    _, headers = helpers.partner(session)
    plain = client.get(FEED, headers=headers)
    zipped = client.get(FEED, headers={**headers, "Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.get_data()))["features"] == \
        plain.get_json()["features"]
    export = client.get(GEOJSON, headers={**headers, "Accept-Encoding": "gzip"})
    assert len(json.loads(gzip.decompress(export.get_data()))["features"]) == 20


def test_bad_parameters_get_a_4xx_naming_them(client, session):
    _, headers = helpers.partner(session)
    for query, field in [("bbox=1,2,3", "bbox"), ("type=nonsense", "type"),
                         ("datetime=2025-13-01", "datetime"), ("updated_since=yesterday",
                                                                "updated_since"),
                         ("cursor=%%%", "cursor"), ("limit=100000", "limit")]:
        response = client.get(f"{FEED}?{query}", headers=headers)
        assert response.status_code == 422, query
        assert field in response.get_json()["errors"], query
    ogc = client.get("/ogc/collections/incidents/items?bbox=a&unknown=1", headers=headers)
    assert ogc.status_code == 400 and set(ogc.get_json()["errors"]) == {"bbox", "unknown"}
