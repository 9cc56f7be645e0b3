"""A whole ODK Collect conversation against the app served on 127.0.0.1, and every bad input
refused with an OpenRosaResponse and nothing stored."""
from __future__ import annotations

import hashlib
import threading
import uuid
from datetime import date, timedelta
from xml.etree import ElementTree as ET

import pytest
from PIL import Image

from server.core import storage
from tests import photos
from tests.openrosa_samples import incident_values, submission_xml, visit_values

NS = {"x": "http://openrosa.org/xforms/xformsList", "m": "http://openrosa.org/xforms/xformsManifest",
      "r": "http://openrosa.org/http/response"}


def post(odk, xml: bytes, files: dict | None = None, incomplete: bool = False):
    parts = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
    for name, data in (files or {}).items():
        parts.append((name, (name, data, "image/jpeg")))
    if incomplete:
        parts.append(("*isIncomplete*", (None, "yes")))
    return odk.http.post(f"{odk.base}/submission", files=parts, timeout=30)


def message(response) -> str:
    return ET.fromstring(response.content).find("r:message", NS).text


def visits(odk) -> int:
    return odk.count("SELECT count(*) FROM visits")


def test_collect_conversation(odk):
    live = odk.app.config["LIVE_URL"]
    # preflight without a token: a real 401 challenge
    r = odk.http.head(f"{live}/submission")
    assert r.status_code == 401 and "WWW-Authenticate" in r.headers
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    # preflight with the token: 204 and the size we accept
    r = odk.http.head(f"{odk.base}/submission")
    assert r.status_code == 204
    assert int(r.headers["X-OpenRosa-Accept-Content-Length"]) >= 1_000_000
    assert r.headers["X-OpenRosa-Version"] == "1.0" and "Date" in r.headers

    # formList -> form (md5 matches) -> manifest -> media (md5 matches)
    r = odk.http.get(f"{odk.base}/formList")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/xml; charset=utf-8"
    xform = ET.fromstring(r.content).find("x:xform", NS)
    assert xform.find("x:formID", NS).text == "nezarat_visit"
    form = odk.http.get(xform.find("x:downloadUrl", NS).text)
    assert form.status_code == 200
    assert xform.find("x:hash", NS).text == "md5:" + hashlib.md5(form.content).hexdigest()
    manifest = odk.http.get(xform.find("x:manifestUrl", NS).text)
    media = ET.fromstring(manifest.content).find("m:mediaFile", NS)
    assert media.find("m:filename", NS).text == "facilities.csv"
    csv = odk.http.get(media.find("m:downloadUrl", NS).text)
    assert media.find("m:hash", NS).text == "md5:" + hashlib.md5(csv.content).hexdigest()
    assert str(odk.ids.facility) in csv.text and "Torkham" in csv.text

    # submit with a photo: 201; the same again: 202 and still one record
    xml, instance = submission_xml(visit_values(odk.ids.facility), photos=["a.jpg"],
                                   incidents=[incident_values(), incident_values(type_="pushback")])
    first = post(odk, xml, {"a.jpg": photos.jpeg_with_gps()})
    assert first.status_code == 201, first.text
    assert message(first) == "Visit report received."
    again = post(odk, xml, {"a.jpg": photos.jpeg_with_gps()})
    assert again.status_code == 202
    assert visits(odk) == 1
    assert odk.count("SELECT count(*) FROM incidents") == 2
    assert odk.count("SELECT count(*) FROM attachments WHERE sha256 IS NOT NULL") == 1

    # different XML under the same instanceID: conflict, nothing changes
    other, _ = submission_xml(visit_values(odk.ids.facility, women=99), instance_id=instance)
    conflict = post(odk, other)
    assert conflict.status_code == 409 and "different content" in message(conflict)
    assert odk.count("SELECT held_women FROM visits") == 12

    # an edit through deprecatedID: a new version of the same visit, history kept
    edited, edit_id = submission_xml(visit_values(odk.ids.facility, women=15),
                                     deprecated_id=instance,
                                     incidents=[incident_values()])
    r = post(odk, edited)
    assert r.status_code == 201, r.text
    assert visits(odk) == 1
    assert odk.count("SELECT held_women FROM visits") == 15
    assert odk.count("SELECT version FROM visits") == 2
    assert odk.count("SELECT count(*) FROM submission_records") == 2
    assert odk.count("SELECT count(*) FROM incidents WHERE retracted_at IS NULL") == 1


def test_split_upload_in_two_parts(odk):
    xml, instance = submission_xml(visit_values(odk.ids.facility), photos=["one.jpg", "two.png"])
    part1 = post(odk, xml, {"one.jpg": photos.jpeg_with_gps()}, incomplete=True)
    assert part1.status_code == 201
    assert odk.count("SELECT count(*) FROM attachments WHERE sha256 IS NULL") == 1
    part2 = post(odk, xml, {"two.png": photos.png()})
    assert part2.status_code == 202
    assert visits(odk) == 1
    assert odk.count("SELECT count(*) FROM attachments WHERE sha256 IS NOT NULL") == 2
    assert odk.count("SELECT bool_and(complete)::int FROM submission_records") == 1


def test_stored_photo_has_no_exif(odk):
    xml, _ = submission_xml(visit_values(odk.ids.facility), photos=["gps.jpg"])
    assert post(odk, xml, {"gps.jpg": photos.jpeg_with_gps()}).status_code == 201
    with odk.app.app_context():
        from sqlalchemy import text

        from server.core.db import db
        sha = db.session.execute(text("SELECT sha256 FROM attachments")).scalar()
        path = storage.path_for(sha, ".jpg")
    stored = Image.open(path)
    assert dict(stored.getexif()) == {} and "exif" not in stored.info
    assert b"SERIAL-0042" not in path.read_bytes()


def test_ten_threads_posting_one_instance_store_one_record(odk):
    xml, _ = submission_xml(visit_values(odk.ids.facility), incidents=[incident_values()])
    statuses = []

    def send():
        statuses.append(post(odk, xml).status_code)
    threads = [threading.Thread(target=send) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [202] * 9
    assert visits(odk) == 1
    assert odk.count("SELECT count(*) FROM incidents") == 1
    assert odk.count("SELECT count(*) FROM audit_log WHERE action = 'visit.submit'") == 1


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<nezarat_visit id="nezarat_visit"><notes>&lol3;</notes></nezarat_visit>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<nezarat_visit id="nezarat_visit"><notes>&xxe;</notes></nezarat_visit>"""


def _bad_cases(facility_id):
    good = visit_values(facility_id)
    future = (date.today() + timedelta(days=3))
    cases = {
        "malformed": (b"<nezarat_visit id='nezarat_visit'><notes>unclosed", {}, 400, "well-formed"),
        "xxe": (XXE, {}, 400, "DTD"),
        "billion laughs": (BILLION_LAUGHS, {}, 400, "DTD"),
        "unknown form": (submission_xml(good, form_id="not_a_form")[0], {}, 404, "not_a_form"),
        "negative count": (submission_xml({**good, "/nezarat_visit/people/women": -3})[0], {}, 400,
                           "women"),
        "future date": (submission_xml(good, incidents=[incident_values(occurred_on=future)])[0],
                        {}, 400, "future"),
        "script as photo": (submission_xml(good, photos=["p.jpg"])[0], {"p.jpg": photos.SCRIPT},
                            400, "p.jpg"),
        "decompression bomb": (submission_xml(good, photos=["b.png"])[0],
                               {"b.png": photos.png_bomb()}, 400, "decompression bomb"),
    }
    no_id = submission_xml(good)[0].replace(b"<meta><instanceID>", b"<meta><x>").replace(
        b"</instanceID></meta>", b"</x></meta>")
    cases["missing instanceID"] = (no_id, {}, 400, "instanceID")
    return cases


@pytest.mark.parametrize("case", ["malformed", "xxe", "billion laughs", "unknown form",
                                  "negative count", "future date", "script as photo",
                                  "decompression bomb", "missing instanceID"])
def test_bad_submissions_are_refused_and_store_nothing(odk, case):
    body, files, status, text_ = _bad_cases(odk.ids.facility)[case]
    r = post(odk, body, files)
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("text/xml")
    assert text_ in message(r)
    assert visits(odk) == 0
    assert odk.count("SELECT count(*) FROM attachments") == 0
    assert odk.count("SELECT count(*) FROM submission_records") == 0


def test_oversized_submission_is_refused_with_413(odk):
    odk.app.config["MAX_SUBMISSION_BYTES"] = 50_000
    xml, _ = submission_xml(visit_values(odk.ids.facility), photos=["big.jpg"])
    r = post(odk, xml, {"big.jpg": b"\xff" * 60_000})
    assert r.status_code == 413
    assert visits(odk) == 0


def test_unknown_token_gets_a_challenge(odk):
    live = odk.app.config["LIVE_URL"]
    r = odk.http.head(f"{live}/key/{uuid.uuid4().hex}/submission")
    assert r.status_code == 401 and "WWW-Authenticate" in r.headers


def test_the_earlier_form_version_is_still_received_and_assessed_as_such(odk):
    """Phones with form 2025112801 still send it: its fields still map (use_of_force,
    unhcr_access), its forced zeros do not count as "no children", its ratings are derived."""
    values = visit_values(odk.ids.facility, girls=0, boys=0)
    values.update({"/nezarat_visit/treatment/use_of_force": "no",
                   "/nezarat_visit/legal/unhcr_access": "no"})
    xml, _ = submission_xml(values, version="2025112801")
    r = post(odk, xml)
    assert r.status_code == 201, r.text
    assert odk.count("""SELECT count(*) FROM visits
        WHERE form_version = '2025112801'
          AND dimensions ->> 'derived_from_earlier_form' = 'true'
          AND observations ->> 'use_of_force' = 'no'
          AND red_flags @> '[{"code": "force_or_torture"}]'
          AND NOT red_flags @> '[{"code": "asylum_denied"}]'""") == 1  # Torkham: Afghan side
    xml, _ = submission_xml(values, version="2025010101")
    assert post(odk, xml).status_code == 400  # a version never published stays closed


def test_the_current_version_carries_ratings_returnee_groups_and_the_state(odk):
    values = visit_values(odk.ids.facility)
    del values["/nezarat_visit/position"]  # optional now: the facility's coordinates serve
    values.update({
        "/nezarat_visit/assessment/safety_treatment_rating": "2",
        "/nezarat_visit/assessment/safety_treatment_coverage": "partial",
        "/nezarat_visit/assessment/safety_treatment_evidence": "observed interview_private",
        "/nezarat_visit/assessment/legal_protection_rating": "insufficient_evidence",
        "/nezarat_visit/assessment/legal_protection_coverage": "none",
        "/nezarat_visit/returnees/consent_interview": "yes",
        "/nezarat_visit/returnees/state_responsible": "pakistan",
        "/nezarat_visit/returnees/people": 6,
        "/nezarat_visit/returnees/at_risk": 1,
        "/nezarat_visit/returnees/documents_taken": "yes"})
    incident = {**incident_values(), "state_responsible": "pakistan"}
    xml, _ = submission_xml(values, incidents=[incident])
    r = post(odk, xml)
    assert r.status_code == 201, r.text
    assert odk.count("""SELECT count(*) FROM visits
        WHERE position IS NULL AND NOT flags @> '[{"code": "far_from_facility"}]'
          AND dimensions -> 'safety_treatment' ->> 'rating' = '2'
          AND dimensions -> 'safety_treatment' -> 'evidence' = '["interview_private", "observed"]'
          AND dimensions -> 'safety_treatment' ->> 'source' = 'monitor'
          AND dimensions -> 'legal_protection' ->> 'insufficient_evidence' = 'true'
          AND dimensions -> 'material_conditions' ->> 'source' = 'derived'
          AND returnees @> '[{"state_responsible": "pakistan", "documents_taken": "yes"}]'
          AND red_flags @> '[{"code": "at_risk_returned", "state": "pakistan"}]'""") == 1
    assert odk.count("SELECT count(*) FROM incidents WHERE state_responsible = 'pakistan'") == 1


def test_the_coverage_questions_of_form_2025120601_reach_the_visit(odk):
    """Treatment asked apart (restraints), women, children, reception on the Afghan side and the
    reprisal-risk notes arrive through Collect's door; the previous version is still received."""
    values = visit_values(odk.ids.facility)
    values.update({
        "/nezarat_visit/method/interviews_held": 4,
        "/nezarat_visit/method/reprisal_risk": "yes",
        "/nezarat_visit/treatment/restraints_used": "yes",
        "/nezarat_visit/protection/pregnant_or_nursing": 2,
        "/nezarat_visit/protection/uac_handover": "partly",
        "/nezarat_visit/reception/cash_assistance": "no",
        "/nezarat_visit/reception/women_travel_onward": "partly",
        "/nezarat_visit/returnees/consent_interview": "yes",
        "/nezarat_visit/returnees/state_responsible": "iran",
        "/nezarat_visit/returnees/reprisal_risk": "yes"})
    xml, _ = submission_xml(values, version="2025120601")
    r = post(odk, xml)
    assert r.status_code == 201, r.text
    assert odk.count("""SELECT count(*) FROM visits
        WHERE form_version = '2025120601'
          AND observations @> '{"reprisal_risk": "yes", "restraints_used": "yes",
                                "pregnant_or_nursing": 2, "uac_handover": "partly",
                                "cash_assistance": "no", "women_travel_onward": "partly"}'
          AND returnees @> '[{"state_responsible": "iran", "reprisal_risk": "yes"}]'
          AND dimensions -> 'return_reception' -> 'indicators' @> '[{"code": "cash_assistance",
                                                                  "result": "not_met"}]'
          """) == 1
    # Form 2025120501 asked force, restraints, weapons or dogs in one question, and reasons,
    # rights and the interpreter in another: still received under their own names.
    earlier = {**visit_values(odk.ids.facility),
               "/nezarat_visit/treatment/force_seen_or_alleged": "yes",
               "/nezarat_visit/legal/rights_information": "partly"}
    xml, _ = submission_xml(earlier, version="2025120501")
    assert post(odk, xml).status_code == 201
    assert odk.count("""SELECT count(*) FROM visits
        WHERE form_version = '2025120501'
          AND observations @> '{"force_seen_or_alleged": "yes", "rights_information": "partly"}'
          AND red_flags @> '[{"code": "force_or_torture", "source": "visit"}]'""") == 1
