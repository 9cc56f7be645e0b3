"""The protection-case form: which questions are sealed (the XLSForm's `bind::nezarat:sealed`
column), the mobile app gets it only with its organisation's key, ODK Collect gets it as an
encrypted form with that key (ODK Validate passes it), and a submission encrypted as Collect
does joins the key holders' queue opaque."""
from __future__ import annotations

import io
import json
import uuid
from xml.etree import ElementTree as ET

from sqlalchemy import text

from server.forms import build
from tests import case_crypto as cc
from tests import factories
from tests import odk_encryption as odk

NS = {"h": "http://www.w3.org/1999/xhtml", "f": "http://www.w3.org/2002/xforms"}
CANARY = "CANARY-Nargis-31337"
SEALED = {"profile", "person_name", "story", "contact", "consent", "photo"}


def test_the_sealed_column_marks_the_identifying_questions_only():
    described = json.loads((build.BUILD_DIR / "nezarat_case.json").read_text())
    sealed = {c["name"] for c in described["children"]
              if (c.get("bind") or {}).get("nezarat:sealed") == "true()"}
    assert sealed == SEALED
    clear = {c["name"] for c in described["children"] if c["type"] not in ("note", "group")}
    assert clear - SEALED == {"facility", "met_on", "urgency"}


def test_the_encrypted_case_form_passes_odk_validate():
    key = cc.new_key(3072)
    served = build.with_public_key((build.BUILD_DIR / "nezarat_case.xml").read_bytes(),
                                   key.public_b64)
    assert build.validate(served.decode()) == []


def _world(session, client):
    org = factories.organisation(session)
    holder = factories.user(session, role="coordinator", organisation=org)
    monitor = factories.user(session, role="monitor", organisation=org)
    token = factories.device_token(session, monitor)
    return org, holder, token


def _make_key(session, holder):
    from server.cases import keys
    from server.core.access import Principal
    key = cc.new_key()
    keys.create(session, Principal(kind="user", user_id=holder.id, role="coordinator",
                                   organisation_id=holder.organisation_id),
                key.public_b64, cc.wrap(key, "passphrase for tests"), cc.wrap(key, "R" * 20))
    return key


def test_the_app_gets_the_case_form_only_with_the_organisations_key(session, client):
    org, holder, token = _world(session, client)
    index = client.get("/m/forms/index.json", headers=factories.bearer(token)).get_json()
    assert "nezarat_case" not in [f["id"] for f in index["forms"]]
    key = _make_key(session, holder)
    index = client.get("/m/forms/index.json", headers=factories.bearer(token)).get_json()
    [case] = [f for f in index["forms"] if f["id"] == "nezarat_case"]
    assert case["sealing_key"]["fingerprint"] == key.fingerprint
    mapping = client.get(case["fields"], headers=factories.bearer(token)).get_json()
    assert mapping["kind"] == "case" and set(mapping["clear"]) == {"facility_id", "occurred_on",
                                                                   "urgency"}


def test_collect_gets_the_encrypted_case_form_and_its_submissions_stay_sealed(session, client,
                                                                              app):
    org, holder, token = _world(session, client)
    assert "nezarat_case" not in client.get(f"/key/{token}/formList").data.decode()
    key = _make_key(session, holder)
    assert "nezarat_case" in client.get(f"/key/{token}/formList").data.decode()
    served = ET.fromstring(client.get(f"/key/{token}/forms/nezarat_case.xml").data)
    assert served.find("h:head/f:model/f:submission", NS).get("base64RsaPublicKey") \
        == key.public_b64

    instance = f"uuid:{uuid.uuid4()}"
    xml = (f'<nezarat_case id="nezarat_case" version="2025120101"><urgency>immediate</urgency>'
           f"<person_name>{CANARY}</person_name><photo>face.jpg</photo><meta>"
           f"<instanceID>{instance}</instanceID></meta></nezarat_case>").encode()
    photo = b"\xff\xd8" + CANARY.encode() * 10
    record = odk.encrypt_submission(key.public_b64, xml, form_id="nezarat_case",
                                    version="2025120101", instance_id=instance,
                                    media={"face.jpg": photo})
    data = {name: (io.BytesIO(content), "submission.xml" if name == "xml_submission_file"
                   else name) for name, content in record.parts().items()}
    posted = client.post(f"/key/{token}/submission", content_type="multipart/form-data",
                         data=data)
    assert posted.status_code == 201, posted.data

    holder_client = app.test_client()
    from tests.conftest import login
    login(holder_client, holder)
    [item] = holder_client.get("/api/cases").get_json()["items"]
    assert (item["source"], item["urgency"], item["status"]) == ("odk", None, "new")
    from tests.integration.cases.test_cases_api import as_documented
    detail = as_documented(holder_client, f"/api/cases/{item['id']}", "/api/cases/{case_id}")
    assert detail["odk"]["instance_id"] == instance
    enc = holder_client.get(f"/api/cases/{item['id']}/photos/face.jpg.enc").data
    assert CANARY.encode() not in enc
    assert odk.open_stored(key.private, detail["wrapped_key"], instance, 0, enc) == photo
    tables = session.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
    for table in tables:
        assert not session.execute(text(f'SELECT count(*) FROM "{table}" t WHERE t::text '
                                        "LIKE :c"), {"c": f"%{CANARY}%"}).scalar(), table
    # After opening it, the key holder's browser files the triage fields.
    assert holder_client.post(f"/api/cases/{item['id']}/triage",
                              json={"urgency": "immediate"}).status_code == 200


def test_the_device_page_shows_the_sealing_keys_fingerprint(session, client, app):
    from tests.conftest import login
    org, holder, token = _world(session, client)
    page = login(app.test_client(), holder)
    assert 'data-role="sealing-fingerprint"' not in page.get("/devices").get_data(as_text=True)
    key = _make_key(session, holder)
    html = page.get("/devices").get_data(as_text=True)
    assert " ".join(key.fingerprint[i:i + 4] for i in range(0, 64, 4)) in html


def test_an_odk_case_is_referred_with_its_signature_rewrapped(session, client, app,
                                                             signed_in_client):
    from tests.conftest import login
    org, holder, token = _world(session, client)
    key = _make_key(session, holder)
    instance = f"uuid:{uuid.uuid4()}"
    xml = (f'<nezarat_case id="nezarat_case" version="2025120101"><meta><instanceID>{instance}'
           "</instanceID></meta></nezarat_case>").encode()
    record = odk.encrypt_submission(key.public_b64, xml, form_id="nezarat_case",
                                    version="2025120101", instance_id=instance)
    data = {name: (io.BytesIO(content), "submission.xml" if name == "xml_submission_file"
                   else name) for name, content in record.parts().items()}
    assert client.post(f"/key/{token}/submission", content_type="multipart/form-data",
                       data=data).status_code == 201
    holder_client = login(app.test_client(), holder)
    [item] = holder_client.get("/api/cases").get_json()["items"]
    detail = holder_client.get(f"/api/cases/{item['id']}").get_json()
    partner_org = factories.organisation(session, kind="partner")
    partner_client, partner = signed_in_client("coordinator", organisation=partner_org)
    partner_key = _make_key(session, partner)
    target = next(p for p in holder_client.get("/api/cases/partners").get_json()["items"]
                  if p["organisation_id"] == str(partner_org.id))
    body = {"to_organisation_id": target["organisation_id"], "to_key_id": target["key_id"],
            "wrapped_key": cc.rewrap(key.private, detail["wrapped_key"], target["public_key"])}
    missing = holder_client.post(f"/api/cases/{item['id']}/referrals", json=body)
    assert missing.status_code == 422 and "wrapped_signature" in missing.get_json()["errors"]
    body["wrapped_signature"] = cc.rewrap(key.private, detail["odk"]["signature"],
                                          target["public_key"])
    referred = holder_client.post(f"/api/cases/{item['id']}/referrals", json=body)
    assert referred.status_code == 201
    received = partner_client.get(f"/api/cases/referrals/{referred.get_json()['id']}").get_json()
    enc = partner_client.get(f"/api/cases/referrals/{received['id']}/photos/"
                             "submission.xml.enc").data
    assert odk.open_stored(partner_key.private, received["wrapped_key"], instance, 0, enc) == xml
