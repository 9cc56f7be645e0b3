"""The visit form's persons at risk (issue 19): in our mobile app only, sealed into cases that
name the visit. ODK Collect never gets the group (its XForm is built without it, and the build
refuses a sealed question Collect would send the server readable); a submission carrying it is
refused at the door; a case names its visit, which its organisation's coordinators count
without any key."""
from __future__ import annotations

import io
import json
import uuid

import pytest
from sqlalchemy import text

from server.forms import build
from tests import case_crypto as cc
from tests import factories
from tests.openrosa_samples import submission_xml, visit_values

CANARY = "CANARY-Collect-person-4242"
PERSON = "/nezarat_visit/person_at_risk"


def _walk(element, path=""):
    here = f"{path}/{element['name']}"
    yield here, element
    for child in element.get("children") or ():
        if isinstance(child, dict) and "itemset" not in element:
            yield from _walk(child, here)


def test_collect_gets_no_person_at_risk_and_the_app_gets_it_sealed():
    xml = (build.BUILD_DIR / "nezarat_visit.xml").read_text(encoding="utf-8")
    assert "person_at_risk" not in xml and "nezarat:" not in xml and "case_profile" not in xml
    assert build.validate(xml) == []
    app = dict(_walk(json.loads((build.BUILD_DIR / "nezarat_visit.json").read_text())))
    assert app[PERSON]["type"] == "repeat" and app[PERSON]["bind"] == {"nezarat:only": "app"}
    sealed = {path.rsplit("/", 1)[1] for path, node in app.items()
              if path.startswith(PERSON + "/") and
              (node.get("bind") or {}).get("nezarat:sealed") == "true()"}
    assert sealed == {"profile", "person_name", "story", "contact", "consent", "photo"}
    # In clear only the urgency; the facility and date are the visit's.
    assert "nezarat:sealed" not in (app[f"{PERSON}/urgency"].get("bind") or {})


def _source_with(tmp_path, old: str, new: str):
    source = (build.FORMS_DIR / "nezarat_visit.csv").read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "nezarat_visit.csv"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_build_refuses_a_sealed_question_collect_would_send_in_clear(tmp_path):
    # The group without its app-only mark: Collect would send the name to the server.
    row = next(line for line in (build.FORMS_DIR / "nezarat_visit.csv").read_text(
        encoding="utf-8").splitlines() if line.startswith(",begin repeat,person_at_risk,"))
    assert row.endswith(",app")
    path = _source_with(tmp_path, row, row.removesuffix(",app"))
    with pytest.raises(build.FormInvalid, match="person_at_risk|profile.*in clear"):
        build.build(path)


def test_the_build_refuses_an_unknown_client(tmp_path):
    row = next(line for line in (build.FORMS_DIR / "nezarat_visit.csv").read_text(
        encoding="utf-8").splitlines() if line.startswith(",begin repeat,person_at_risk,"))
    path = _source_with(tmp_path, row, row.removesuffix(",app") + ",enketo")
    with pytest.raises(build.FormInvalid, match="nezarat:only"):
        build.build(path)


@pytest.fixture()
def field(session):
    org = factories.organisation(session)
    monitor = factories.user(session, role="monitor", organisation=org)
    token = factories.device_token(session, monitor)
    facility = factories.facility(session, kind="border_crossing", status="open",
                                  country="PAK")
    session.commit()
    return org, monitor, facility, token


def test_a_collect_submission_carrying_a_person_at_risk_is_refused(client, session, field):
    _org, _monitor, facility, token = field
    xml, instance = submission_xml(visit_values(facility.id))
    person = (f"<person_at_risk><urgency>immediate</urgency><person_name>{CANARY}"
              "</person_name></person_at_risk>").encode()
    altered = xml.replace(b"<meta>", person + b"<meta>", 1)
    assert altered != xml
    response = client.post(f"/key/{token}/submission", content_type="multipart/form-data",
                           data={"xml_submission_file": (io.BytesIO(altered), "submission.xml")})
    assert response.status_code == 400
    assert CANARY not in response.get_data(as_text=True)
    visit_id = instance.removeprefix("uuid:")
    assert session.execute(text("SELECT count(*) FROM visits WHERE id = :v"),
                           {"v": visit_id}).scalar() == 0
    assert CANARY not in str(session.execute(text("SELECT details::text FROM audit_log"))
                             .scalars().all())
    # The same visit without the group is received.
    plain = client.post(f"/key/{token}/submission", content_type="multipart/form-data",
                        data={"xml_submission_file": (io.BytesIO(xml), "submission.xml")})
    assert plain.status_code == 201, plain.get_data(as_text=True)


def test_a_visits_case_is_counted_on_the_visit_for_its_organisation_only(
        client, session, field, signed_in_client):
    org, monitor, facility, token = field
    holder_client, _ = signed_in_client("coordinator", organisation=org)
    key = cc.new_key()
    made = holder_client.post("/api/cases/keys", json={
        "public_key": key.public_b64, "wrapped": cc.wrap(key, "a passphrase for the test"),
        "recovery_wrapped": cc.wrap(key, "RECOVERYCODE")})
    assert made.status_code == 201
    # The app offers the sealing key with the visit form, and where its persons at risk are.
    device = factories.bearer(token)
    index = client.get("/m/forms/index.json", headers=device).get_json()["forms"]
    visit_form = next(f for f in index if f["id"] == "nezarat_visit")
    assert visit_form["sealing_key"]["fingerprint"] == key.fingerprint
    spec = client.get(visit_form["fields"], headers=device).get_json()["cases"]
    assert spec["repeat"] == PERSON and spec["clear"]["urgency"] == f"{PERSON}/urgency"
    assert not any(f["path"].startswith(PERSON) for f in
                   client.get(visit_form["fields"], headers=device).get_json()["fields"])

    xml, instance = submission_xml(visit_values(facility.id))
    assert client.post(f"/key/{token}/submission", content_type="multipart/form-data",
                       data={"xml_submission_file": (io.BytesIO(xml), "submission.xml")}
                       ).status_code == 201
    visit_id = instance.removeprefix("uuid:")
    case_id = str(uuid.uuid4())
    sealed = cc.seal_case(key, case_id, [{"name": "person_name", "value": CANARY}],
                          facility_id=facility.id, urgency="within_72h")
    body = {**sealed.body, "form_id": "nezarat_visit", "visit_id": visit_id}
    response = client.post("/api/cases/submissions", json=body, headers=device)
    assert response.status_code == 201, response.get_json()

    detail = holder_client.get(f"/api/visits/{visit_id}").get_json()
    assert detail["persons_at_risk"] == 1
    queue = holder_client.get("/api/cases").get_json()["items"]
    assert [(i["id"], i["visit_id"]) for i in queue] == [(case_id, visit_id)]
    # Another organisation's coordinator (coalition view) is told nothing of it.
    other, _ = signed_in_client("coordinator")
    assert "persons_at_risk" not in other.get(f"/api/visits/{visit_id}").get_json()
    # The monitor who made the visit sees it in full, but not the count.
    mine = client.get(f"/api/visits/{visit_id}", headers=device).get_json()
    assert mine["view"] == "full" and mine["persons_at_risk"] is None
