"""Input an attacker sends to make the server fail (issue 11, findings 9 and 11): NUL bytes,
lone surrogates, JSON and XML nested beyond reason, XML in another encoding, non-scalar values
where a scalar belongs. Each is answered with a 4xx naming the problem, before any handler
runs; none is a 500, and a partner's refused call is still in the audit log."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests import factories
from tests.integration.partner import helpers
from tests.integration.submissions.test_json_api import report
from tests.openrosa_samples import submission_xml, visit_values

PROBLEM = "application/problem+json"
FEED = "/api/partner/v1/incidents"


@pytest.fixture()
def field(session):
    org = factories.organisation(session)
    monitor = factories.user(session, role="monitor", organisation=org)
    facility = factories.facility(session, name="Islam Qala", capacity=100,
                                  kind="detention_centre")
    token = factories.device_token(session, monitor)
    return facility, token


def visits(session) -> int:
    return session.execute(text("SELECT count(*) FROM visits")).scalar()


# --- NUL bytes and lone surrogates ---------------------------------------------------------

@pytest.mark.parametrize("query", [
    "type=%00", "type=forced%00return", "%00=1", "updated_since=2024-01-01T00:00:00Z%00",
    "cursor=%00", "limit=1%00"])
def test_nul_in_a_partner_query_is_refused_and_audited(client, session, query):
    org, headers = helpers.partner(session)
    response = client.get(f"{FEED}?{query}", headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    assert "NUL character" in response.get_json()["detail"]
    rows = helpers.audit_entries(session, "partner.")
    assert [(r.action, r.details["status"], r.details["path"]) for r in rows] == [
        ("partner.request", 400, FEED)]
    assert "\ufffd" in str(rows[0].details["query"])  # where the NUL was, storable


@pytest.mark.parametrize("path", ["/ogc/conformance?x=%00", "/ogc/collections?f=%00",
                                  "/ogc/collections/incidents/items?bbox=%00",
                                  "/api/partner/v1/exports/incidents.csv?type=%00"])
def test_nul_on_any_partner_route_is_refused_and_audited(client, session, path):
    _, headers = helpers.partner(session)
    response = client.get(path, headers=headers)
    assert response.status_code == 400 and response.mimetype == PROBLEM
    rows = helpers.audit_entries(session, "partner.")
    assert [(r.action, r.details["status"]) for r in rows] == [("partner.request", 400)]


def test_invalid_utf8_in_a_partner_query_is_answered_and_audited(client, session):
    _, headers = helpers.partner(session)
    response = client.get(f"{FEED}?type=%ED%A0%80", headers=headers)  # an encoded surrogate
    assert response.status_code == 422 and response.mimetype == PROBLEM
    rows = helpers.audit_entries(session, "partner.")
    assert [(r.action, r.details["status"]) for r in rows] == [("partner.request", 422)]


@pytest.mark.parametrize("path", [
    "/api/facilities?country=%00", "/api/facilities?q=a%00b", "/api/visits?cursor=%00", "/language/en?next=/%00", "/sign-in?next=%00"])
def test_nul_anywhere_in_a_query_is_a_400(client, session, field, path):
    _, token = field
    response = client.get(path, headers=factories.bearer(token))
    assert response.status_code == 400, (path, response.status_code, response.get_data()[:300])
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize("path", [
    "/language/en?next=/%0d%0aSet-Cookie:%20x=1", "/language/en?next=/a%0ab",
    "/sign-in?next=/%0d%0ax", "/language/en?next=/%09/evil.example", "/sign-in?q=%7f"])
def test_control_characters_in_a_query_are_a_400(client, session, path):
    response = client.get(path)
    assert response.status_code == 400, (path, response.status_code, response.get_data()[:300])
    assert response.mimetype == PROBLEM and "control character" in response.get_json()["detail"]
    assert "Location" not in response.headers


def test_nul_in_a_path_segment_is_a_400(client, session, field):
    _, token = field
    response = client.get("/api/facilities/%00", headers=factories.bearer(token))
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_nul_in_a_form_field_is_a_400(client, session):
    response = client.post("/sign-in", data={"email": "a\x00@example.org", "password": "x",
                                             "csrf_token": "x"})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("where", ["notes", "key", "incident"])
def test_nul_or_surrogate_in_a_json_body_is_refused_nothing_stored(client, session, field,
                                                                   where):
    facility, token = field
    body = report(facility.id)
    if where == "notes":
        body["notes"] = "a\x00b"
    elif where == "key":
        body["observations"] = {"water\x00": 1}
    else:
        body["incidents"][0]["narrative"] = "\ud800"
    response = client.post("/api/submissions", json=body, headers=factories.bearer(token))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == PROBLEM
    assert visits(session) == 0


# --- depth -----------------------------------------------------------------------------------

def test_a_100000_deep_json_body_is_a_400(client, session, field):
    _, token = field
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/submissions", data=body, content_type="application/json",
                           headers=factories.bearer(token))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == PROBLEM and "deep" in response.get_json()["detail"]


def test_json_a_little_too_deep_is_refused_before_the_schema(client, session, field):
    facility, token = field
    nested: object = 1
    for _ in range(40):
        nested = {"a": nested}
    body = report(facility.id, observations={"water_quantity": nested})
    response = client.post("/api/submissions", json=body, headers=factories.bearer(token))
    assert response.status_code == 400 and "deep" in response.get_json()["detail"]


@pytest.mark.parametrize("code", ["meals_regular", "water_quantity", "toilets"])
@pytest.mark.parametrize("value", [{"a": 1}, [1, 2], {"": []}])
def test_non_scalar_observation_is_a_422_naming_the_field(client, session, field, code, value):
    facility, token = field
    body = report(facility.id, observations={code: value})
    response = client.post("/api/submissions", json=body, headers=factories.bearer(token))
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.mimetype == PROBLEM
    assert code in response.get_json()["errors"]["observations"]
    assert visits(session) == 0


# --- XML on the OpenRosa door ------------------------------------------------------------------

def post_xml(client, token, xml: bytes):
    return client.post(f"/key/{token}/submission", data={
        "xml_submission_file": (__import__("io").BytesIO(xml), "submission.xml", "text/xml")},
        content_type="multipart/form-data")


def openrosa_message(response) -> str:
    from xml.etree import ElementTree as ET
    root = ET.fromstring(response.data)
    return root.find("{http://openrosa.org/http/response}message").text


def test_deeply_nested_xml_is_a_400_openrosa_response(client, session, field):
    facility, token = field
    xml, _ = submission_xml(visit_values(facility.id))
    deep = b"<a>" * 50_000 + b"</a>" * 50_000
    xml = xml.replace(b"<meta>", deep + b"<meta>")
    response = post_xml(client, token, xml)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/xml" and "deep" in openrosa_message(response)
    assert visits(session) == 0


@pytest.mark.parametrize("encoding", ["UTF-7", "utf-16", "ISO-8859-1", "windows-1256"])
def test_xml_in_another_encoding_is_a_400_openrosa_response(client, session, field, encoding):
    facility, token = field
    xml, _ = submission_xml(visit_values(facility.id))
    xml = xml.replace(b'<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>'
                      .encode())
    response = post_xml(client, token, xml)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "UTF-8" in openrosa_message(response)
    assert visits(session) == 0


def test_xml_in_utf16_without_a_declaration_is_a_400(client, session, field):
    facility, token = field
    xml, _ = submission_xml(visit_values(facility.id))
    xml = xml.decode().replace('<?xml version="1.0"?>', "").encode("utf-16")
    response = post_xml(client, token, xml)
    assert response.status_code == 400 and "UTF-8" in openrosa_message(response)


def test_utf8_declared_xml_is_still_accepted(client, session, field):
    facility, token = field
    xml, _ = submission_xml(visit_values(facility.id))
    xml = xml.replace(b'<?xml version="1.0"?>', b"<?xml version='1.0' encoding='utf-8'?>")
    response = post_xml(client, token, xml)
    assert response.status_code == 201, openrosa_message(response)
    assert visits(session) == 1


def test_nul_in_the_openrosa_query_is_an_openrosa_400(client, session, field):
    _, token = field
    response = client.get(f"/key/{token}/formList?formID=%00")
    assert response.status_code == 400 and response.mimetype == "text/xml"


def test_a_valid_report_is_not_disturbed(client, session, field):
    facility, token = field
    body = report(facility.id, id=str(uuid.uuid4()))
    response = client.post("/api/submissions", json=body, headers=factories.bearer(token))
    assert response.status_code == 201, response.get_json()
