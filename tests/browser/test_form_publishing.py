"""Issue 14, Done when: a coordinator uploads a new XLSForm with a cascading select (districts
from a CSV filtered by the province) and a repeat, through the page; it reaches ODK Collect's
formList (with its version and hash, and the CSV in its manifest) and the phone app; a monitor
fills it offline, and it arrives when the phone is online again, nothing of it lost."""
from __future__ import annotations

import hashlib
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest
import requests
from sqlalchemy import text

from server.core.db import db
from tests import factories, xlsforms
from tests.browser.conftest import RECORD_CSP, assert_page_clean, sign_in, wait_until
from tests.browser.test_mobile_app import PHONE
from tests.browser.test_mobile_app import sign_in as phone_sign_in
from tests.browser.test_mobile_app import unlock as phone_unlock

pytestmark = pytest.mark.browser
NS = {"x": "http://openrosa.org/xforms/xformsList",
      "m": "http://openrosa.org/xforms/xformsManifest"}
ROOT = "/data"


@pytest.fixture()
def team(live_server):
    """A coordinator and a monitor of one organisation (the monitor's phone has a device token),
    and a facility; committed for the live server."""
    with live_server.app_context():
        session = db.session
        org = factories.organisation(session)
        coordinator = factories.user(session, role="coordinator", organisation=org)
        monitor = factories.user(session, role="monitor", organisation=org)
        facility = factories.facility(session, name="Islam Qala", kind="border_crossing",
                                      status="open", country="AFG", admin1="Herat")
        token = factories.device_token(session, monitor)
        session.commit()
        return SimpleNamespace(
            coordinator=SimpleNamespace(email=coordinator.email,
                                        totp_secret=coordinator.totp_secret,
                                        totp_last_step=None),
            token=token, facility_id=str(facility.id), base=live_server.config["LIVE_URL"])


def upload_and_publish(page, team) -> str:
    sign_in(page, team.base, team.coordinator, "/forms")
    page.click("nav a[href='/forms']")
    page.set_input_files("#f-xlsform", files=[{
        "name": "rapid_assessment.xlsx", "buffer": xlsforms.rapid(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.set_input_files("#f-media", files=[{"name": "districts.csv", "mimeType": "text/csv",
                                             "buffer": xlsforms.DISTRICTS_CSV}])
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_selector("[data-role=app-support]")
    assert page.text_content("[data-role=status]").strip() == "draft"
    assert "/data/" not in page.text_content("[data-role=mapping]")  # paths under the root

    # The preview: the phone app's renderer in a phone-sized frame, rules and all.
    frame = page.frame_locator("[data-role=preview]")
    frame.locator("body[data-ready=yes]").wait_for()
    frame.locator(f'[data-path="{ROOT}/province"][value="nangarhar"]').check()
    districts = frame.locator(f'[data-path="{ROOT}/district"]')
    assert sorted(districts.evaluate_all("els => els.map(e => e.value)")) == [
        "behsud", "momand_dara"]
    box = page.locator("[data-role=preview]").bounding_box()
    assert box["width"] <= 400 and box["height"] >= 600

    page.click("text=Publish this version")
    page.wait_for_selector("[data-role=status]:has-text('published')")
    assert_page_clean(page)
    return page.url.rsplit("/", 1)[-1]


def collect_sees_it(team) -> None:
    """ODK Collect's conversation: formList -> form (hash) -> manifest -> the districts CSV."""
    http = requests.Session()
    headers = {"X-OpenRosa-Version": "1.0"}
    base = f"{team.base}/key/{team.token}"
    listed = http.get(f"{base}/formList", headers=headers, timeout=30)
    assert listed.status_code == 200 and listed.headers["X-OpenRosa-Version"] == "1.0"
    xforms = {x.find("x:formID", NS).text: x
              for x in ET.fromstring(listed.content).findall("x:xform", NS)}
    xform = xforms["rapid_assessment"]
    assert xform.find("x:version", NS).text == "2026120101"
    form = http.get(xform.find("x:downloadUrl", NS).text, headers=headers, timeout=30)
    assert xform.find("x:hash", NS).text == "md5:" + hashlib.md5(form.content).hexdigest()
    assert b"jr://file-csv/districts.csv" in form.content
    manifest = ET.fromstring(http.get(xform.find("x:manifestUrl", NS).text, headers=headers,
                                      timeout=30).content)
    media = {m.find("m:filename", NS).text: m.find("m:downloadUrl", NS).text
             for m in manifest.findall("m:mediaFile", NS)}
    assert http.get(media["districts.csv"], headers=headers, timeout=30).content == \
        xlsforms.DISTRICTS_CSV


def answer(page, path: str, value: str, nth: int = 0) -> None:
    """A select_one: radio buttons for a short list, a <select> for a long one."""
    control = page.locator(f'[data-path="{ROOT}/{path}"]').nth(nth)
    if control.evaluate("e => e.tagName") == "SELECT":
        control.select_option(value)
    else:
        page.locator(f'[data-path="{ROOT}/{path}"][value="{value}"]').nth(nth).check()


def test_a_form_published_in_the_browser_is_filled_offline_and_arrives(
        browser, page, live_server, team):
    upload_and_publish(page, team)
    collect_sees_it(team)

    phone = browser.new_context(**PHONE)
    phone.add_init_script(RECORD_CSP)
    app = phone.new_page()
    errors = []
    app.on("pageerror", lambda error: errors.append(str(error)))
    try:
        phone_sign_in(app, team)  # the shell cached: from now on the app opens offline
        app.wait_for_selector("[data-screen=home] [data-action=new][data-form=rapid_assessment]")

        phone.set_offline(True)
        app.click("[data-action=new][data-form=rapid_assessment]")
        app.wait_for_selector("[data-screen=form]")
        report_id = app.get_attribute("[data-screen=form]", "data-report")
        answer(app, "facility", team.facility_id)
        answer(app, "access/obtained", "partial")
        app.fill(f'[data-path="{ROOT}/access/denied_reason"]', "The women's block was closed")
        answer(app, "province", "herat")
        districts = app.locator(f'[data-path="{ROOT}/district"]')
        assert sorted(districts.evaluate_all("els => els.map(e => e.value)")) == [
            "guzara", "injil"]  # the cascading select: Herat's districts only
        answer(app, "district", "injil")
        app.fill(f'[data-path="{ROOT}/arrivals"]', "40")
        for index, (members, shelter) in enumerate([("5", "no"), ("3", "yes")]):
            app.click(f'[data-add="{ROOT}/family"]')
            app.locator(f'[data-path="{ROOT}/family/members"]').nth(index).fill(members)
            answer(app, "family/shelter", shelter, nth=index)
        app.click("[data-action=finish]")
        app.wait_for_selector(f'[data-screen=home] [data-report="{report_id}"]'
                              "[data-state=queued]")

        phone.set_offline(False)
        app.wait_for_selector(f'[data-report="{report_id}"][data-state=sent]', timeout=30_000)
        assert errors == []
    finally:
        phone.close()

    with live_server.app_context():
        visit = db.session.execute(text(
            "SELECT v.form_id, v.form_version, v.facility_id::text AS facility, v.access, "
            "v.access_denied_reason, v.source, s.answers FROM visits v "
            "JOIN visit_sensitive s ON s.visit_id = v.id WHERE v.id = :id"),
            {"id": report_id}).one()
        records = db.session.execute(text(
            "SELECT count(*) FROM submission_records WHERE visit_id = :id"),
            {"id": report_id}).scalar()
    assert (visit.form_id, visit.form_version, visit.facility, visit.access, visit.source) == (
        "rapid_assessment", "2026120101", team.facility_id, "partial", "json")
    assert visit.access_denied_reason == "The women's block was closed"
    assert visit.answers == {"province": "herat", "district": "injil", "arrivals": "40",
                             "family[1]/members": "5", "family[1]/shelter": "no",
                             "family[2]/members": "3", "family[2]/shelter": "yes"}
    assert records == 1


def test_label_images_are_shown_offline_in_the_app(browser, page, live_server, team):
    """A published form whose province question and Herat choice show an image: the phone keeps
    the images with the form and draws them offline, after the app is reopened, beside the
    label, in the app's language (English: the choice's English image), the label as alt text."""
    sign_in(page, team.base, team.coordinator, "/forms")
    page.set_input_files("#f-xlsform", files=[{
        "name": "rapid_assessment.xlsx", "buffer": xlsforms.pictured(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.set_input_files("#f-media", files=[
        {"name": "districts.csv", "mimeType": "text/csv", "buffer": xlsforms.DISTRICTS_CSV},
        {"name": "province.png", "mimeType": "image/png",
         "buffer": xlsforms.image("PNG", size=(64, 48))},
        {"name": "herat.jpg", "mimeType": "image/jpeg", "buffer": xlsforms.image("JPEG")},
        {"name": "herat_en.webp", "mimeType": "image/webp",
         "buffer": xlsforms.image("WEBP", size=(50, 20))}])
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_selector("[data-role=app-support]")
    page.click("text=Publish this version")
    page.wait_for_selector("[data-role=status]:has-text('published')")

    phone = browser.new_context(**PHONE)
    phone.add_init_script(RECORD_CSP)
    app = phone.new_page()
    errors = []
    app.on("pageerror", lambda error: errors.append(str(error)))
    try:
        phone_sign_in(app, team)
        app.wait_for_selector("[data-screen=home] [data-action=new][data-form=rapid_assessment]")
        phone.set_offline(True)
        app.reload()  # offline, from the shell's cache and the form's
        phone_unlock(app)
        app.click("[data-action=new][data-form=rapid_assessment]")
        app.wait_for_selector("[data-screen=form]")
        choice = app.locator(f'label.choice:has([data-path="{ROOT}/province"][value="herat"]) '
                             "img.label-image")
        question = app.locator(f'[data-q="{ROOT}/province"] > img.label-image')
        for image in (choice, question):
            image.wait_for()
            wait_until(app, "document.querySelectorAll('img.label-image').length === 2 && "
                            "[...document.querySelectorAll('img.label-image')]"
                            ".every(i => i.complete && i.naturalWidth > 0)")
        assert choice.get_attribute("alt") == "Herat"
        assert question.get_attribute("alt") == "Province of origin"
        assert choice.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [50, 20]  # English
        assert question.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [64, 48]
        assert choice.get_attribute("src").startswith("blob:")
        # No other choice has an image; none is drawn for it.
        assert app.locator(f'label.choice:has([data-path="{ROOT}/province"][value="nangarhar"]) '
                           "img").count() == 0
        assert app.evaluate("window.__nzCspViolations") == []
        assert errors == []
    finally:
        phone.close()
