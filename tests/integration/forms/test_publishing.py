"""Publishing forms in the browser (issue 14 point 4): a coordinator uploads an XLSForm, it is
converted (pyxform), validated (ODK Validate, so Java), mapped and checked for the app; bad
files are refused with the problem named; published, it reaches ODK Collect's formList and the
app's index of that organisation's devices only; a new version retires the old one, and reports
made with either are received, read with their own version's mapping, nothing lost."""
from __future__ import annotations

import hashlib
import html
import io
import re
import struct
import time
import uuid
import zipfile
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest
from openpyxl import Workbook
from sqlalchemy import text

from tests import factories, xlsforms

pytestmark = pytest.mark.slow  # ODK Validate starts a JVM per upload
NS = {"x": "http://openrosa.org/xforms/xformsList",
      "m": "http://openrosa.org/xforms/xformsManifest"}


@pytest.fixture()
def desk(app, session):
    """A coordinator signed in (a browser session), a monitor's device of the same
    organisation, one of another organisation, and a facility."""
    org, other = factories.organisation(session), factories.organisation(session)
    coordinator = factories.user(session, "coordinator", org)
    monitor = factories.user(session, "monitor", org)
    stranger = factories.user(session, "monitor", other)
    facility = factories.facility(session, name="Islam Qala")
    cookie, csrf = factories.browser_session(session, coordinator)
    browser = app.test_client()
    browser.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return SimpleNamespace(browser=browser, csrf=csrf, org=org, coordinator=coordinator,
                           device=factories.device_token(session, monitor),
                           stranger=factories.device_token(session, stranger),
                           facility=facility, session=session, client=app.test_client())


def upload(desk, xlsx: bytes, media: dict | None = None, name: str = "rapid.xlsx"):
    data = {"csrf_token": desk.csrf, "xlsform": (io.BytesIO(xlsx), name)}
    if media:
        data["media"] = [(io.BytesIO(content), filename) for filename, content in media.items()]
    return desk.browser.post("/forms", data=data, content_type="multipart/form-data",
                             headers={"Accept": "text/html"})


def uploaded(desk, xlsx: bytes, media=None) -> str:
    response = upload(desk, xlsx, {"districts.csv": xlsforms.DISTRICTS_CSV}
                      if media is None else media)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return response.headers["Location"].rsplit("/", 1)[-1]


def publish(desk, version_id: str):
    response = desk.browser.post(f"/forms/{version_id}/publish", data={"csrf_token": desk.csrf},
                                 headers={"Accept": "text/html"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def form_list(desk, token: str) -> dict:
    response = desk.client.get(f"/key/{token}/formList")
    assert response.status_code == 200
    return {x.find("x:formID", NS).text: x for x in ET.fromstring(response.data)
            .findall("x:xform", NS)}


def problems(response) -> list[str]:
    page = response.get_data(as_text=True)
    block = re.search(r'data-role="problems">(.*?)</div>', page, re.S)
    assert block, page[:3000]
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<li[^>]*>(.*?)</li>",
                                                                   block.group(1), re.S)]


def test_a_published_form_reaches_collect_and_the_app_of_its_organisation_only(desk):
    version_id = uploaded(desk, xlsforms.rapid())
    page = desk.browser.get(f"/forms/{version_id}").get_data(as_text=True)
    assert 'data-role="preview"' in page and "kept as an extra answer" in page
    assert "rapid_assessment" not in form_list(desk, desk.device)  # a draft is not offered
    publish(desk, version_id)

    listed = form_list(desk, desk.device)
    xform = listed["rapid_assessment"]
    assert xform.find("x:version", NS).text == "2026120101"
    assert xform.find("x:name", NS).text == "Rapid assessment"
    served = desk.client.get(xform.find("x:downloadUrl", NS).text)
    assert xform.find("x:hash", NS).text == "md5:" + hashlib.md5(served.data).hexdigest()
    assert b"base64RsaPublicKey" in served.data  # encrypted on the phone, like the visit form
    manifest = ET.fromstring(desk.client.get(xform.find("x:manifestUrl", NS).text).data)
    files = {m.find("m:filename", NS).text: m for m in manifest.findall("m:mediaFile", NS)}
    assert set(files) == {"districts.csv", "facilities.csv"}
    districts = desk.client.get(files["districts.csv"].find("m:downloadUrl", NS).text)
    assert districts.data == xlsforms.DISTRICTS_CSV
    assert files["districts.csv"].find("m:hash", NS).text == \
        "md5:" + hashlib.md5(xlsforms.DISTRICTS_CSV).hexdigest()
    assert b"Islam Qala" in desk.client.get(files["facilities.csv"].find(
        "m:downloadUrl", NS).text).data

    index = desk.client.get("/m/forms/index.json", headers=factories.bearer(desk.device))
    item = next(f for f in index.get_json()["forms"] if f["id"] == "rapid_assessment")
    assert item["version"] == "2026120101" and set(item["media"]) == {"districts.csv",
                                                                       "facilities.csv"}
    bearer = factories.bearer(desk.device)
    definition = desk.client.get(item["definition"], headers=bearer).get_json()
    assert definition["id_string"] == "rapid_assessment"
    mapping = desk.client.get(item["fields"], headers=bearer).get_json()
    assert {"/data/facility", "/data/started_at", "/data/access/obtained"} <= {
        f["path"] for f in mapping["fields"]}
    assert {"/data/district", "/data/family/members"} <= set(mapping["answers"])
    assert desk.client.get(item["media"]["districts.csv"], headers=bearer).data == \
        xlsforms.DISTRICTS_CSV

    # another organisation's devices get nothing of it
    assert "rapid_assessment" not in form_list(desk, desk.stranger)
    other = desk.client.get("/m/forms/index.json", headers=factories.bearer(desk.stranger))
    assert "rapid_assessment" not in {f["id"] for f in other.get_json()["forms"]}
    assert desk.client.get("/m/forms/rapid_assessment.json",
                           headers=factories.bearer(desk.stranger)).status_code == 404
    actions = desk.session.execute(text(
        "SELECT action FROM audit_log WHERE target_id = :v ORDER BY seq"),
        {"v": version_id}).scalars().all()
    assert actions == ["form.upload", "form.publish"]


@pytest.mark.parametrize("xlsx, media, named", [
    (b"PK\x03\x04 not really a workbook", {}, "not a readable .xlsx"),
    (b"type,name,label\ntext,q,Q\n", {}, "not an .xlsx file"),
    (xlsforms.rapid(survey=[*xlsforms.RAPID_SURVEY[:-1],
                            ("text", "comment", "Anything else", "", "${nowhere} = 1", "", "",
                             "", "")]), None, "nowhere"),
    (xlsforms.rapid(), {}, "districts.csv"),
    (xlsforms.rapid(), {"districts.csv": b"label,province\nx,y\n"}, "no 'name' column"),
    (xlsforms.rapid(survey=[r for r in xlsforms.RAPID_SURVEY if r[1] != "facility"]), None,
     "the facility"),
    (xlsforms.workbook(settings={"form_id": "nezarat_visit", "version": "1"}), None,
     "built-in"),
    (xlsforms.workbook(settings={"form_id": "rapid assessment!", "version": "1"}), None,
     "must be letters, digits"),
], ids=["broken-zip", "csv-not-xlsx", "pyxform-refuses", "media-missing", "media-bad",
        "no-facility", "built-in-id", "form-id"])
def test_a_bad_form_is_refused_with_the_problem_named(desk, xlsx, media, named):
    response = upload(desk, xlsx, {"districts.csv": xlsforms.DISTRICTS_CSV}
                      if media is None else media)
    assert response.status_code == 422
    assert any(named in problem for problem in problems(response)), problems(response)
    assert desk.session.execute(text("SELECT count(*) FROM form_versions")).scalar() == 0


def test_odk_validate_refusing_is_named(desk):
    survey = [*xlsforms.RAPID_SURVEY[:-1],
              ("integer", "total", "Total", "", "", "", "", "", ""),
              ("calculate", "loop", "", "", "", "", "${total} + 1", "", "")]
    # a cycle pyxform lets through and JavaRosa refuses: total's value computed from itself
    survey[-2] = ("calculate", "total", "", "", "", "", "${loop} + 1", "", "")
    response = upload(desk, xlsforms.rapid(survey=survey), {"districts.csv": xlsforms.DISTRICTS_CSV})
    assert response.status_code == 422
    assert any("ODK Validate" in p and "cycle" in p.lower() for p in problems(response)), \
        problems(response)


def test_a_form_the_app_cannot_run_goes_to_collect_only_with_the_feature_named(desk):
    survey = [*xlsforms.RAPID_SURVEY,
              ("calculate", "year", "", "", "", "",
               "digest(today(), 'SHA-256')", "", "")]
    version_id = uploaded(desk, xlsforms.rapid(survey=survey))
    page = desk.browser.get(f"/forms/{version_id}").get_data(as_text=True)
    assert "ODK Collect only" in page and "digest()" in page
    assert 'data-role="preview"' not in page
    publish(desk, version_id)
    assert "rapid_assessment" in form_list(desk, desk.device)
    index = desk.client.get("/m/forms/index.json", headers=factories.bearer(desk.device))
    assert "rapid_assessment" not in {f["id"] for f in index.get_json()["forms"]}
    details = desk.session.execute(text(
        "SELECT details FROM audit_log WHERE action = 'form.publish'")).scalar()
    assert details["in_app"] is False and "digest()" in details["app_problems"][0]


def _submission(desk, version: str, district: str) -> bytes:
    now = datetime.now(timezone.utc)
    return f"""<?xml version="1.0"?>
<data xmlns:jr="http://openrosa.org/javarosa" id="rapid_assessment" version="{version}">
  <started_at>{(now - timedelta(hours=1)).isoformat()}</started_at>
  <ended_at>{now.isoformat()}</ended_at>
  <facility>{desk.facility.id}</facility>
  <access><obtained>full</obtained><denied_reason/></access>
  <province>herat</province><district>{district}</district><arrivals>40</arrivals>
  <family><members>5</members><shelter>no</shelter></family>
  <family><members>3</members><shelter>yes</shelter></family>
  <comment/>
  <meta><instanceID>uuid:{uuid.uuid4()}</instanceID><deprecatedID/></meta>
</data>""".encode()


def _submit(desk, xml: bytes):
    return desk.client.post(f"/key/{desk.device}/submission",
                            data={"xml_submission_file": (io.BytesIO(xml), "s.xml")},
                            content_type="multipart/form-data")


def test_versions_old_reports_keep_theirs_and_nothing_is_lost(desk):
    first = uploaded(desk, xlsforms.rapid("2026120101"))
    publish(desk, first)
    again = upload(desk, xlsforms.rapid("2026120101"),
                   {"districts.csv": xlsforms.DISTRICTS_CSV})
    assert again.status_code == 409 and "raise the version" in again.get_data(as_text=True)
    second = uploaded(desk, xlsforms.rapid("2026120201"))
    publish(desk, second)
    states = dict(desk.session.execute(text("SELECT version, status FROM form_versions")).all())
    assert states == {"2026120101": "retired", "2026120201": "published"}
    assert form_list(desk, desk.device)["rapid_assessment"].find("x:version", NS).text == \
        "2026120201"

    # a phone not yet updated still sends the first version: received, read with its mapping
    assert _submit(desk, _submission(desk, "2026120101", "injil")).status_code == 201
    assert _submit(desk, _submission(desk, "2026120201", "guzara")).status_code == 201
    rows = desk.session.execute(text(
        "SELECT v.form_id, v.form_version, v.access, v.facility_id, s.answers FROM visits v "
        "JOIN visit_sensitive s ON s.visit_id = v.id ORDER BY v.form_version")).all()
    assert [(r.form_id, r.form_version) for r in rows] == [
        ("rapid_assessment", "2026120101"), ("rapid_assessment", "2026120201")]
    assert rows[0].access == "full" and rows[0].facility_id == desk.facility.id
    assert rows[0].answers == {"province": "herat", "district": "injil", "arrivals": "40",
                               "family[1]/members": "5", "family[1]/shelter": "no",
                               "family[2]/members": "3", "family[2]/shelter": "yes"}
    # a version never published is not received
    assert _submit(desk, _submission(desk, "1999", "injil")).status_code == 404

    # retired: no longer offered, still received
    desk.browser.post(f"/forms/{second}/retire", data={"csrf_token": desk.csrf})
    assert "rapid_assessment" not in form_list(desk, desk.device)
    assert _submit(desk, _submission(desk, "2026120201", "injil")).status_code == 201
    assert desk.session.execute(text(
        "SELECT array_agg(action ORDER BY seq) FROM audit_log WHERE action LIKE 'form.%'")
    ).scalar() == ["form.upload", "form.publish", "form.upload", "form.publish", "form.retire"]


def test_the_app_door_takes_extra_answers_only_under_the_versions_paths(desk):
    publish(desk, uploaded(desk, xlsforms.rapid()))
    now = datetime.now(timezone.utc)
    body = {"id": str(uuid.uuid4()), "form_id": "rapid_assessment", "form_version": "2026120101",
            "facility_id": str(desk.facility.id), "access": "full",
            "started_at": (now - timedelta(hours=1)).isoformat(), "ended_at": now.isoformat(),
            "answers": {"district": "injil", "family[1]/members": "4"}}
    bearer = factories.bearer(desk.device)
    assert desk.client.post("/api/submissions", json=body, headers=bearer).status_code == 201
    stored = desk.session.execute(text(
        "SELECT answers FROM visit_sensitive WHERE visit_id = :v"), {"v": body["id"]}).scalar()
    assert stored == {"district": "injil", "family[1]/members": "4"}
    cookie, _ = factories.browser_session(desk.session, desk.coordinator)
    reader = desk.client.application.test_client()
    reader.set_cookie(desk.client.application.config["SESSION_COOKIE_NAME"], cookie)
    detail = reader.get(f"/api/visits/{body['id']}").get_json()
    assert detail["answers"] == {"district": "injil", "family[1]/members": "4"}
    assert desk.session.execute(text(
        "SELECT details FROM audit_log WHERE action = 'visit.read_sensitive'")
    ).scalar()["fields"] == ["notes", "photos", "answers"]
    wrong = {**body, "id": str(uuid.uuid4()), "answers": {"notes_on_people": "x"}}
    refused = desk.client.post("/api/submissions", json=wrong, headers=bearer)
    assert refused.status_code == 422 and "notes_on_people" in refused.get_json()["detail"]
    visit_form = {**body, "id": str(uuid.uuid4()), "form_id": "nezarat_visit"}
    assert desk.client.post("/api/submissions", json=visit_form,
                            headers=bearer).status_code == 422


def test_another_organisations_coordinator_cannot_see_or_publish(desk, app, session):
    version_id = uploaded(desk, xlsforms.rapid())
    outsider = factories.user(session, "coordinator", factories.organisation(session))
    cookie, csrf = factories.browser_session(session, outsider)
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert other.get(f"/forms/{version_id}").status_code == 404
    assert other.get(f"/forms/{version_id}/preview").status_code == 404
    assert other.post(f"/forms/{version_id}/publish",
                      data={"csrf_token": csrf}).status_code == 404
    assert "rapid_assessment" not in other.get("/forms").get_data(as_text=True)
    assert session.execute(text("SELECT status FROM form_versions")).scalar() == "draft"


PLACES_XML = (b"<root><item><name>camp_a</name><label>Camp A</label><province>herat</province></item>"
              b"<item><name>camp_b</name><label>Camp B</label><province>nangarhar</province></item></root>")
SITES_GEOJSON = (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
                 b'{"type": "Point", "coordinates": [62.2, 34.3]}, "properties": {"id": "s1", '
                 b'"title": "Site 1"}}]}')
TOWNS_XML = b"<towndata><region><data_set>west</data_set></region></towndata>"
ATTACHED = [
    ("select_one_from_file places.xml", "place", "Place", "", "", "", "", "province=${province}", ""),
    ("select_one_from_file sites.geojson", "site", "Site", "", "", "", "", "", ""),
    ("xml-external", "towns", "", "", "", "", "", "", ""),
    ("calculate", "region", "", "", "", "", "instance('towns')/towndata/region/data_set", "", ""),
    ("calculate", "previous", "", "", "", "", "${last-saved#comment}", "", ""),
]


def test_xml_and_geojson_attachments_travel_like_csv_to_collect_and_the_app(desk):
    """select_one_from_file of an XML and a GeoJSON file, an xml-external read by a path and a
    last-saved value: uploaded with the form, in Collect's manifest, in the app's index."""
    media = {"districts.csv": xlsforms.DISTRICTS_CSV, "places.xml": PLACES_XML,
             "sites.geojson": SITES_GEOJSON, "towns.xml": TOWNS_XML}
    version_id = uploaded(desk, xlsforms.rapid(survey=xlsforms.RAPID_SURVEY + ATTACHED), media)
    row = desk.session.execute(text("SELECT in_app, app_problems FROM form_versions WHERE id = :v"),
                               {"v": version_id}).one()
    assert row.in_app, row.app_problems
    publish(desk, version_id)
    xform = form_list(desk, desk.device)["rapid_assessment"]
    manifest = ET.fromstring(desk.client.get(xform.find("x:manifestUrl", NS).text).data)
    files = {m.find("m:filename", NS).text: m for m in manifest.findall("m:mediaFile", NS)}
    assert set(files) == {"districts.csv", "facilities.csv", "places.xml", "sites.geojson", "towns.xml"}
    for name, content_type in (("places.xml", "text/xml"), ("sites.geojson", "application/geo+json")):
        served = desk.client.get(files[name].find("m:downloadUrl", NS).text)
        assert served.data == media[name] and served.mimetype == content_type
        assert files[name].find("m:hash", NS).text == "md5:" + hashlib.md5(media[name]).hexdigest()
    bearer = factories.bearer(desk.device)
    index = desk.client.get("/m/forms/index.json", headers=bearer).get_json()
    item = next(f for f in index["forms"] if f["id"] == "rapid_assessment")
    assert set(item["media"]) == set(files)
    for name in ("places.xml", "sites.geojson", "towns.xml"):
        assert desk.client.get(item["media"][name], headers=bearer).data == media[name]


@pytest.mark.parametrize("name, content, named", [
    ("places.xml", b'<!DOCTYPE r [<!ENTITY a "aa">]><root>&a;</root>', "without a DOCTYPE"),
    ("places.xml", b"<root><item>", "without a DOCTYPE"),
    ("sites.geojson", b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
    ("sites.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
                      b'"geometry": {"type": "MultiPoint", "coordinates": []}}]}', "Point, LineString"),
    # second adversarial pass: a 500 (RecursionError) and an XML file stored and served
    ("sites.geojson", b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000
     + b"]" * 100_000 + b"}", "nested more than 32"),
    ("places.xml", b"<root>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</root>",
     "nested more than 32"),
    ("places.xml", b"<?xml version='1.0' encoding='UTF-7'?><root/>", "UTF-8"),
], ids=["doctype", "not-well-formed", "not-a-collection", "multipoint", "deep-json", "deep-xml",
        "utf-7"])
def test_a_bad_xml_or_geojson_attachment_is_refused_with_the_problem_named(desk, name, content, named):
    media = {"districts.csv": xlsforms.DISTRICTS_CSV, "places.xml": PLACES_XML,
             "sites.geojson": SITES_GEOJSON, "towns.xml": TOWNS_XML, name: content}
    response = upload(desk, xlsforms.rapid(survey=xlsforms.RAPID_SURVEY + ATTACHED), media)
    assert response.status_code == 422
    assert any(named in p and name in p for p in problems(response)), problems(response)


def test_label_images_are_cleaned_and_travel_to_collect_and_the_app(desk):
    """Images of question and choice labels: uploaded with the form, re-encoded without their
    metadata, in Collect's manifest (md5 of what is served) and the app's index, served with an
    image content type under the same access rules as the CSV."""
    from PIL import Image
    media = {"districts.csv": xlsforms.DISTRICTS_CSV, "province.png": xlsforms.image("PNG"),
             "herat.jpg": xlsforms.image("JPEG", exif=True), "herat_en.webp": xlsforms.image("WEBP")}
    assert b"TellTaleCamera" in media["herat.jpg"]
    version_id = uploaded(desk, xlsforms.pictured(), media)
    row = desk.session.execute(text("SELECT in_app, app_problems FROM form_versions WHERE id = :v"),
                               {"v": version_id}).one()
    assert row.in_app, row.app_problems
    publish(desk, version_id)
    xform = form_list(desk, desk.device)["rapid_assessment"]
    manifest = ET.fromstring(desk.client.get(xform.find("x:manifestUrl", NS).text).data)
    files = {m.find("m:filename", NS).text: m for m in manifest.findall("m:mediaFile", NS)}
    assert {"province.png", "herat.jpg", "herat_en.webp"} <= set(files)
    bearer = factories.bearer(desk.device)
    index = desk.client.get("/m/forms/index.json", headers=bearer).get_json()
    item = next(f for f in index["forms"] if f["id"] == "rapid_assessment")
    for name, content_type, fmt in (("province.png", "image/png", "PNG"),
                                    ("herat.jpg", "image/jpeg", "JPEG"),
                                    ("herat_en.webp", "image/webp", "WEBP")):
        served = desk.client.get(files[name].find("m:downloadUrl", NS).text)
        assert served.status_code == 200 and served.content_type == content_type
        assert files[name].find("m:hash", NS).text == "md5:" + hashlib.md5(served.data).hexdigest()
        with Image.open(io.BytesIO(served.data)) as picture:
            assert picture.format == fmt and picture.size == (40, 30)
            assert not picture.getexif()
        assert b"TellTaleCamera" not in served.data
        in_app = desk.client.get(item["media"][name], headers=bearer)
        assert in_app.status_code == 200 and in_app.content_type == content_type
        assert in_app.data == served.data
        # The same doors as the CSV: another organisation's device and no token get nothing.
        assert desk.client.get(item["media"][name]).status_code == 401
        assert desk.client.get(item["media"][name],
                               headers=factories.bearer(desk.stranger)).status_code == 404
        assert desk.client.get(files[name].find("m:downloadUrl", NS).text.replace(
            desk.device, desk.stranger)).status_code == 404


@pytest.mark.parametrize("name, content, named", [
    ("herat.jpg", b"GIF89a not really", "not a JPEG, PNG or WebP image"),
    ("province.png", "bomb", "possible decompression bomb"),
    ("herat.jpg", "png", "is a image/png image: name it herat.png"),
    ("herat.jpg", b"\xff\xd8" + b"\0" * 2_100_000, "larger than 2 MB"),
], ids=["not-an-image", "too-many-pixels", "wrong-format", "too-big"])
def test_a_bad_label_image_is_refused_with_the_problem_named(desk, name, content, named):
    content = {"bomb": lambda: xlsforms.image("PNG", size=(5000, 4000)),
               "png": lambda: xlsforms.image("PNG")}.get(content, lambda: content)()
    media = {"districts.csv": xlsforms.DISTRICTS_CSV, "province.png": xlsforms.image("PNG"),
             "herat.jpg": xlsforms.image("JPEG"), "herat_en.webp": xlsforms.image("WEBP"), name: content}
    response = upload(desk, xlsforms.pictured(), media)
    assert any(named in p and name in p for p in problems(response)), problems(response)
    assert desk.session.execute(text("SELECT count(*) FROM form_versions")).scalar() == 0


def test_audio_in_a_label_is_not_published(desk):
    survey = [(*row, "moo.mp3" if row[1] == "province" else "") for row in xlsforms.RAPID_SURVEY]
    response = upload(desk, xlsforms.rapid(survey=survey, header=(*xlsforms.SURVEY_HEADER, "audio")),
                      {"districts.csv": xlsforms.DISTRICTS_CSV})
    assert any("jr://audio/moo.mp3" in p for p in problems(response)), problems(response)


def _lying_workbook() -> bytes:
    """The rapid form whose survey sheet inflates to 20 MB while its zip directory and local
    header declare 1,000 bytes (a zip bomb that hides from the unpacked-size check)."""
    source = zipfile.ZipFile(io.BytesIO(xlsforms.rapid()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data += b" " * 20_000_000
            archive.writestr(member.filename, data)
    raw = bytearray(out.getvalue())
    sheet = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo("xl/worksheets/sheet1.xml")
    raw[sheet.header_offset + 22:sheet.header_offset + 26] = struct.pack("<I", 1000)
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack("<H", raw[at + 28:at + 30])[0]
        if raw[at + 46:at + 46 + length] == b"xl/worksheets/sheet1.xml":
            raw[at + 24:at + 28] = struct.pack("<I", 1000)
        at = raw.find(b"PK\x01\x02", at + 4)
    return bytes(raw)


def test_a_sheet_that_lies_about_its_size_is_refused(desk):
    """Second adversarial pass: Python's zipfile stops at the declared size and then fails the
    CRC; that failure, raised while the rows were counted, must be a 422, not a 500."""
    response = upload(desk, _lying_workbook(), {"districts.csv": xlsforms.DISTRICTS_CSV})
    assert response.status_code == 422
    assert any("not a readable .xlsx" in p for p in problems(response)), problems(response)


def _huge_workbook(rows: int, columns: int = 3) -> bytes:
    """A valid-looking XLSForm whose survey sheet has `rows` text questions (write-only
    openpyxl: a small upload, a few hundred KB for 20,000 rows)."""
    book = Workbook(write_only=True)
    survey = book.create_sheet("survey")
    survey.append(["type", "name", "label"] + [f"hint::x{i}" for i in range(columns - 3)])
    survey.append(["select_one_from_file facilities.csv", "facility", "Facility"])
    for i in range(rows):
        survey.append(["text", f"q{i}", f"Q {i}"] + ["h"] * (columns - 3))
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["huge", "1"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("rows, columns, named", [(20_000, 3, "rows"), (2_000, 150, "cells")])
def test_a_huge_sheet_is_refused_before_pyxform_reads_it(desk, rows, columns, named):
    """Second adversarial pass: a 300 KB workbook of 20,000 questions cost pyxform ~12 s of CPU
    and 230 MB (60,000: 2 minutes, 500 MB; the 5 MB limit allows ~300,000). Counted from the
    sheets' XML, refused at once, nothing stored."""
    xlsx = _huge_workbook(rows, columns)
    assert len(xlsx) < 2_000_000
    started = time.monotonic()
    response = upload(desk, xlsx)
    assert response.status_code == 422
    assert time.monotonic() - started < 3
    assert any(named in problem for problem in problems(response)), problems(response)
    assert desk.session.execute(text("SELECT count(*) FROM form_versions")).scalar() == 0
