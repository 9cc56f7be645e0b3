"""Attacks on pagination: cursors a client made, changed, replayed for another list or handed
to another caller. Every list pages through core.pagination: only cursors this server signed for
this list and this caller are accepted (422 otherwise), and nothing reaches SQL before that."""
from __future__ import annotations

import base64
import json
import uuid
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from tests import factories
from tests.integration.partner import helpers


def _b64(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def next_cursor(body) -> str:
    href = next(link["href"] for link in body["links"] if link["rel"] == "next")
    return parse_qs(urlparse(href).query)["cursor"][0]


def test_a_forged_feed_cursor_cannot_lift_the_embargo(client, session):
    """Finding 1: the embargo's "now" came from the client's cursor (asof = 2100-01-01)."""
    org, headers = helpers.partner(session, location_precision="exact", embargo_days=30)
    recent = helpers.incident(session, occurred_on=date.today() - timedelta(days=3))
    old = [helpers.incident(session) for _ in range(3)]
    first = client.get("/api/partner/v1/incidents?limit=1", headers=headers).get_json()
    issued = next_cursor(first)
    payload, mac = issued.split(".")
    values = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert len(values) == 3
    for forged in (_b64(["2100-01-01T00:00:00+00:00", "1970-01-01T00:00:00+00:00",
                         "00000000-0000-0000-0000-000000000000"]),
                   _b64(["2100-01-01T00:00:00+00:00", *values[1:]]) + "." + mac):
        response = client.get(f"/api/partner/v1/incidents?cursor={forged}", headers=headers)
        assert response.status_code == 422, response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json"
        assert "cursor" in response.get_json()["errors"]
    ids, _ = helpers.feed(client, headers, limit=1)
    assert {f["id"] for f in ids} == {str(i.id) for i in old}
    assert str(recent.id) not in {f["id"] for f in ids}


def test_a_cursor_works_only_for_its_caller_and_its_list(client, session):
    org_a, headers_a = helpers.partner(session, location_precision="exact")
    _, headers_b = helpers.partner(session, location_precision="exact")
    for _ in range(3):
        helpers.incident(session)
    body = client.get("/api/partner/v1/incidents?limit=1", headers=headers_a).get_json()
    cursor = next_cursor(body)
    assert client.get(f"/api/partner/v1/incidents?cursor={cursor}",
                      headers=headers_a).status_code == 200
    # another partner replays it
    assert client.get(f"/api/partner/v1/incidents?cursor={cursor}",
                      headers=headers_b).status_code == 422
    # the same partner hands it to another list
    assert client.get(f"/ogc/collections/incidents/items?cursor={cursor}",
                      headers=headers_a).status_code == 422


@pytest.mark.parametrize("path", ["/api/visits", "/api/incidents", "/api/incidents/duplicates",
                                  "/api/facilities", "/api/users", "/api/organisations",
                                  "/api/device-tokens", "/api/partner-keys", "/api/audit"])
@pytest.mark.parametrize("cursor", [
    _b64(["not a time", "not a uuid"]), _b64(["x", "y", "z"]), _b64([1]), _b64("x"),
    "%00", "a.b", "....", _b64(["2024-01-01T00:00:00+00:00",
                                 "00000000-0000-0000-0000-000000000000"]) + ".AAAA"])
def test_forged_cursors_are_refused_on_every_json_list(signed_in_client, path, cursor):
    """Finding 11: forged cursors on /api/visits, /api/facilities, /api/users and
    /api/device-tokens reached PostgreSQL (DataError, 500)."""
    role = "admin" if path in ("/api/users", "/api/partner-keys", "/api/audit") else "coordinator"
    client, _ = signed_in_client(role)
    response = client.get(f"{path}?cursor={cursor}")
    expected = 400 if cursor == "%00" else 422  # a NUL is refused by the input guard first
    assert response.status_code == expected, (path, response.status_code, response.get_data())
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("collection", ["incidents", "facilities"])
def test_forged_cursors_are_refused_by_ogc_api(client, session, collection):
    _, headers = helpers.partner(session)
    response = client.get(f"/ogc/collections/{collection}/items?cursor="
                          + _b64(["zzz", "not-a-uuid"]), headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)


def test_json_lists_share_one_shape_and_their_cursors_page_on(signed_in_client, session):
    client, admin = signed_in_client("admin")
    for _ in range(3):
        factories.organisation(session)
    first = client.get("/api/organisations?limit=2").get_json()
    assert set(first) == {"items", "links"} and len(first["items"]) == 2
    assert first["links"][0]["rel"] == "self"
    second = client.get(f"/api/organisations?limit=2&cursor={next_cursor(first)}")
    assert second.status_code == 200
    names = [o["name"] for o in first["items"] + second.get_json()["items"]]
    assert names == sorted(names) and len(set(names)) == len(names)
    # a cursor of the organisations list is not one of the users list
    assert client.get(f"/api/users?cursor={next_cursor(first)}").status_code == 422


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _json_lists(client) -> tuple[list, list]:
    """(the lists the document answers as bare arrays, `items` + `links` lists without the
    signed cursor or with a paging argument of their own)."""
    spec = client.get("/api/openapi.json").get_json()
    bare, unpaged = [], []
    for path, item in spec["paths"].items():
        operation = item.get("get")
        content = (operation or {}).get("responses", {}).get("200", {}).get("content", {})
        if "application/json" not in content:
            continue
        schema = _resolve(spec, content["application/json"]["schema"])
        if schema.get("type") == "array" or ("items" in schema.get("properties", {})
                                              and "links" not in schema["properties"]):
            bare.append(path)  # an array, or `items` without the links to page on
        elif {"items", "links"} <= set(schema.get("properties", {})):
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if not {"cursor", "limit"} <= names or names & {"before", "after", "offset", "page"}:
                unpaged.append(path)
    return bare, unpaged


def test_every_items_and_links_list_pages_by_the_signed_cursor(client):
    """No list pages on its own (`before`, `offset`...): every `items` + `links` list of the
    document takes `limit` and the opaque `cursor` of core.pagination."""
    _, unpaged = _json_lists(client)
    assert not unpaged, f"lists not paged by the signed cursor: {unpaged}"


def test_no_json_list_is_a_bare_array(client):
    """Nor `items` without `links` (/api/partner-policies/holders/<id> was)."""
    bare, _ = _json_lists(client)
    assert not bare, f"lists answered as bare arrays: {bare}"


@pytest.mark.parametrize("path", ["/api/my-reports", "/api/notifications", "/api/briefs",
                                  "/api/cases", "/api/cases/inbox"])
@pytest.mark.parametrize("cursor", [_b64(["2024-01-01T00:00:00+00:00",
                                          "00000000-0000-0000-0000-000000000000"]),
                                    _b64([1, 2, 3]) + ".AAAA", "a.b"])
def test_forged_cursors_are_refused_on_the_newer_lists(signed_in_client, path, cursor):
    client, _ = signed_in_client("monitor" if path == "/api/my-reports" else "coordinator")
    response = client.get(f"{path}?cursor={cursor}")
    assert response.status_code == 422, (path, response.status_code, response.get_data())
    assert "cursor" in response.get_json()["errors"]


def test_the_webhook_log_pages_by_signed_cursor(client, session):
    """The delivery log paged on a bare `before` sequence number a client could set to
    anything (a number past bigint reached PostgreSQL); now the one cursor of every list."""
    org = factories.organisation(session, kind="partner")
    auth = factories.bearer(factories.partner_key(session, org, scopes=("incidents:read",)))
    from datetime import datetime, timezone

    from server.webhooks import store
    hook_id = store.add(session, org.id, "https://partner.example/hook", "sealed",
                        datetime.now(timezone.utc), "test")
    for n in range(3):
        store.add_deliveries(session, [{"webhook_id": hook_id, "idempotency_id": uuid.uuid4(),
                                        "event": "incident.upsert", "incident_id": uuid.uuid4(),
                                        "payload": "{}"}])
    for huge in ("99999999999999999999", "9223372036854775808"):
        response = client.get(f"/api/webhooks/{hook_id}/deliveries?before={huge}",
                              headers=auth)
        assert response.status_code == 422, response.get_data(as_text=True)
    body = client.get(f"/api/webhooks/{hook_id}/deliveries?limit=2", headers=auth).get_json()
    assert set(body) == {"items", "links"} and len(body["items"]) == 2
    rest = client.get(f"/api/webhooks/{hook_id}/deliveries?limit=2&cursor={next_cursor(body)}",
                      headers=auth).get_json()
    seqs = [d["seq"] for d in body["items"] + rest["items"]]
    assert len(seqs) == 3 and seqs == sorted(seqs, reverse=True)
    forged = client.get(f"/api/webhooks/{hook_id}/deliveries?cursor={_b64([5])}.AAAA",
                        headers=auth)
    assert forged.status_code == 422


def whole(client, url: str) -> list:
    """The list in one page (the order the paged walk must keep)."""
    body = client.get(f"{url}?limit=200").get_json()
    assert not [link for link in body["links"] if link["rel"] == "next"]
    return body["items"]


def walk(client, url: str, limit: int) -> list:
    """Every item of a list, following its `next` links; each page at most `limit` long."""
    items, url = [], f"{url}?limit={limit}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert {"items", "links"} <= set(body) and len(body["items"]) <= limit
        items += body["items"]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    return items


def _refused(client, path: str, issued_for: str) -> None:
    """A cursor of another list, and a made-up one, are refused (422) on `path`."""
    other = client.get(f"{issued_for}?limit=1").get_json()
    for cursor in (next_cursor(other), _b64(["2024-01-01T00:00:00+00:00", "x"]) + ".AAAA"):
        response = client.get(f"{path}?cursor={cursor}")
        assert response.status_code == 422, (path, response.get_data(as_text=True))
        assert "cursor" in response.get_json()["errors"]


def test_the_partner_policies_page_by_signed_cursor(signed_in_client, session):
    """The policies were one bare array of every partner organisation."""
    client, _ = signed_in_client("admin")
    made = {str(factories.organisation(session, kind="partner").id) for _ in range(5)}
    listed = [p["organisation"]["id"] for p in walk(client, "/api/partner-policies", 2)]
    assert made <= set(listed) and len(set(listed)) == len(listed)
    assert [p["organisation"]["id"] for p in whole(client, "/api/partner-policies")] == listed
    _refused(client, "/api/partner-policies", "/api/organisations")


def test_the_alert_rules_and_brief_schedules_page_by_signed_cursor(signed_in_client, session):
    """Both were bare arrays of every rule and schedule of the organisation."""
    client, _ = signed_in_client("coordinator")
    made = []
    for n in range(5):
        response = client.post("/api/alert-rules", json={
            "kind": "incident", "for": "organisation" if n % 2 else "person",
            "params": {"min_severity": 1 + n % 5}})
        assert response.status_code == 201, response.get_json()
        made.append(response.get_json()["id"])
    listed = [r["id"] for r in walk(client, "/api/alert-rules", 2)]
    assert sorted(listed) == sorted(made)  # one transaction here: created_at ties, id orders
    assert listed == [r["id"] for r in whole(client, "/api/alert-rules")]
    scheduled = []
    for kind in ("month", "quarter", "month"):
        response = client.post("/api/briefs/schedules", json={"period_kind": kind})
        assert response.status_code == 201, response.get_json()
        scheduled.append(response.get_json()["id"])
    listed = [s["id"] for s in walk(client, "/api/briefs/schedules", 2)]
    assert sorted(listed) == sorted(scheduled)
    assert listed == [s["id"] for s in whole(client, "/api/briefs/schedules")]
    rules = client.get("/api/alert-rules?limit=2").get_json()
    assert client.get(f"/api/briefs/schedules?cursor={next_cursor(rules)}").status_code == 422
    _refused(client, "/api/alert-rules", "/api/briefs/schedules")


def test_the_case_key_ring_and_directory_page_by_signed_cursor(signed_in_client, session):
    """/api/cases/keys and /api/cases/partners were read whole (`links` always empty)."""
    from tests import case_crypto as cc
    client, holder = signed_in_client("coordinator")
    fingerprints = []
    for _ in range(3):  # the first key, then two rotations by its holder
        key = cc.new_key()
        response = client.post("/api/cases/keys", json={
            "public_key": key.public_b64, "wrapped": cc.wrap(key, "pass phrase of the test"),
            "recovery_wrapped": cc.wrap(key, "RECOVERYCODE")})
        assert response.status_code == 201, response.get_json()
        fingerprints.append(response.get_json()["fingerprint"])
    ring = walk(client, "/api/cases/keys", 2)
    assert sorted(k["fingerprint"] for k in ring) == sorted(fingerprints)
    assert ring == whole(client, "/api/cases/keys")
    assert sum(k["retired_at"] is None for k in ring) == 1
    assert all(k["my_copy"] for k in ring)
    others = []
    for n in range(3):
        other_client, _ = signed_in_client("coordinator", organisation=factories.organisation(
            session, name=f"Partner {n} {uuid.uuid4()}", kind="partner"))
        key = cc.new_key()
        assert other_client.post("/api/cases/keys", json={
            "public_key": key.public_b64, "wrapped": cc.wrap(key, "pass phrase of the test"),
            "recovery_wrapped": cc.wrap(key, "RECOVERYCODE")}).status_code == 201
        others.append(key.fingerprint)
    directory = walk(client, "/api/cases/partners", 2)
    listed = [p["fingerprint"] for p in directory]
    assert set(others) <= set(listed) and not set(fingerprints) & set(listed)
    assert [p["fingerprint"] for p in whole(client, "/api/cases/partners")] == listed
    assert len(set(listed)) == len(listed)
    colleagues = {str(factories.user(session, role=role, organisation=holder.organisation).id)
                  for role in ("coordinator", "admin", "coordinator")}
    factories.user(session, role="monitor", organisation=holder.organisation)
    listed = [c["id"] for c in walk(client, "/api/cases/candidates", 2)]
    assert set(listed) == colleagues | {str(holder.id)} and len(listed) == 4
    _refused(client, "/api/cases/keys", "/api/cases/partners")
    _refused(client, "/api/cases/partners", "/api/cases/keys")
    _refused(client, "/api/cases/candidates", "/api/cases/keys")
