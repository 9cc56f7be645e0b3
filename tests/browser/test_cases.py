"""Protection cases end to end in Chromium (issue 19): a coordinator makes the organisation's
key in the browser; a monitor's phone, offline, records a case with a canary name, story and
photo and syncs it; nothing of it is in a full pg_dump, the photo store, the logs or any API
response; the key holder unlocks (a wrong passphrase does not) and reads it, photo included; a
flipped bit shows "this record was altered"; the case is referred, re-sealed, to a partner
whose key holder reads it and reports an outcome; counts show without any key; Dari is RTL."""
from __future__ import annotations

import base64
import json
import logging
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from server.cases import keys as case_keys
from server.core.access import Principal
from server.core.db import db
from tests import case_crypto as cc
from tests import factories
from tests.browser.conftest import sign_in, wait_until
from tests.browser.test_mobile_app import DUMP_STORAGE, PHONE, PIN

CANARY_NAME = "CANARY-Zarlasht-55817"
CANARY_STORY = "CANARY-story-threatened-in-Herat-9931"
PASSPHRASE = "eleven wolves under the bridge"
PARTNER_PASSPHRASE = "partner passphrase for the inbox"
ROOT = "/nezarat_case"


def q(name: str) -> str:
    return f'[data-path="{ROOT}/{name}"]'


class Captured(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture()
def captured():
    """Every log line of the test (the app's and the server's), at DEBUG."""
    handler, root = Captured(), logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def assert_nowhere(w, canaries, captured, bodies) -> bytes:
    """No canary in a full pg_dump, the photo store, the logs or any response; the dump."""
    url = w.url.replace("postgresql+psycopg://", "postgresql://")
    dump = subprocess.run(["pg_dump", "--no-owner", url], capture_output=True, check=True,
                          timeout=120).stdout
    files = b"".join(p.read_bytes() for p in w.storage.rglob("*") if p.is_file())
    for canary in canaries:
        assert canary.encode() not in dump
        assert canary.encode() not in files
        assert not any(canary in line for line in captured.lines)
        assert not any(canary.encode() in body for body in bodies)
    return dump


@pytest.fixture()
def world(live_server):
    with live_server.app_context():
        session = db.session
        org = factories.organisation(session, name="Coalition member A")
        holder = factories.user(session, role="coordinator", organisation=org)
        monitor = factories.user(session, role="monitor", organisation=org)
        token = factories.device_token(session, monitor)
        facility = factories.facility(session, lon=71.08472, lat=34.11472, name="Torkham",
                                      kind="border_crossing", status="open")
        partner_org = factories.organisation(session, name="Protection partner P",
                                             kind="partner")
        partner = factories.user(session, role="coordinator", organisation=partner_org)
        session.commit()
        key = cc.new_key(3072)
        case_keys.create(session, Principal(kind="user", user_id=partner.id,
                                            organisation_id=partner_org.id, role="coordinator"),
                         key.public_b64, cc.wrap(key, PARTNER_PASSPHRASE),
                         cc.wrap(key, "RECOVERY" * 3))
        return SimpleNamespace(base=live_server.config["LIVE_URL"], holder=holder,
                               partner=partner, token=token, facility_id=str(facility.id),
                               url=live_server.config["DATABASE_URL"],
                               storage=Path(live_server.config["STORAGE_DIR"]), app=live_server)


PHOTO_SHOWN = ("(() => { const i = document.querySelector('[data-photo=p1] img');"
               " return i && i.complete && i.naturalWidth > 0; })()")


def unlock(page, passphrase: str) -> None:
    page.fill("[data-role=unlock] input[name=passphrase]", passphrase)
    page.click("[data-role=unlock] button[type=submit]")
    page.wait_for_selector("[data-role=unlocked]", timeout=30_000)


def recording(page, bodies):
    def keep(response):
        try:
            bodies.append(response.body())
        except Exception:  # redirects and aborted requests have no body
            pass
    page.on("response", keep)


def make_key(page, w) -> str:
    sign_in(page, w.base, w.holder, "/cases/keys")
    wait_until(page, "document.getElementById('nz-cases').dataset.ready === 'true'")
    page.fill("[data-role=make-key] input[name=new-passphrase]", PASSPHRASE)
    page.fill("[data-role=make-key] input[name=repeat-passphrase]", PASSPHRASE)
    page.click("[data-role=make-key] button[type=submit]")
    page.wait_for_selector("[data-role=recovery-sheet]", timeout=60_000)
    assert page.locator("[data-role=recovery-code]").text_content().count("-") == 7
    return page.locator("[data-role=fingerprint]").text_content().replace(" ", "")


def record_case_offline(phone, w, bodies) -> str:
    page = phone.page
    recording(page, bodies)
    page.goto(w.base + "/m/")
    page.wait_for_selector("[data-screen=signin]")
    page.fill("textarea[name=token]", w.token)
    page.fill("input[name=pin]", PIN)
    page.fill("input[name=pin2]", PIN)
    page.click("[data-screen=signin] button[type=submit]")
    page.wait_for_selector("[data-screen=home] [data-form=nezarat_case]")
    page.evaluate("navigator.serviceWorker.ready")
    wait_until(page, "caches.keys().then(k => k.some(n => n.startsWith('shell-')))")
    shown = page.text_content("[data-form=nezarat_case] [data-role=sealing-fingerprint]")
    phone.context.set_offline(True)
    page.click("[data-action=new][data-form=nezarat_case]")
    page.wait_for_selector("[data-screen=form]")
    case_id = page.get_attribute("[data-screen=form]", "data-report")
    page.select_option(q("facility"), w.facility_id)
    page.check(f'{q("urgency")}[value="immediate"]')
    page.select_option(q("profile"), "journalist")
    page.fill(q("person_name"), CANARY_NAME)
    page.fill(q("story"), CANARY_STORY)
    page.fill(q("contact"), "CANARY-contact-0700")
    page.check(f'{q("consent")}[value="yes"]')
    from tests.browser.test_mobile_app import photo_with_gps
    page.set_input_files(q("photo"), files=[{"name": "IMG_7.jpg", "mimeType": "image/jpeg",
                                             "buffer": photo_with_gps(600, 400)}])
    page.wait_for_selector(f'[data-q="{ROOT}/photo"] .photo-preview img')
    page.click("[data-action=finish]")
    page.wait_for_selector(f'[data-screen=home] [data-report="{case_id}"][data-state=queued]')
    stored = json.dumps(page.evaluate(DUMP_STORAGE))
    assert "CANARY" not in stored  # PIN-sealed store; and the plain answers are gone anyway
    phone.context.set_offline(False)
    page.click("[data-action=sync]")
    page.wait_for_selector(f'[data-report="{case_id}"][data-state=sent]', timeout=30_000)
    return case_id, shown


def test_case_sealed_on_the_phone_read_by_key_holders_referred_to_a_partner(
        browser, page, world, artifacts, captured):
    w = world
    bodies = []
    recording(page, bodies)
    fingerprint = make_key(page, w)
    phone = SimpleNamespace(context=browser.new_context(**PHONE))
    phone.page = phone.context.new_page()
    case_id, shown = record_case_offline(phone, w, bodies)
    assert fingerprint.startswith(shown.split(":")[-1].replace(" ", "").strip())
    phone.context.close()

    # Counts on the map's facility panel and in the queue, without any key.
    page.goto(f"{w.base}/map?open={w.facility_id}")
    page.wait_for_selector(".nz-panel-cases[data-cases='1']", timeout=30_000)
    assert "1 immediate" in page.text_content(".nz-panel-cases")
    page.goto(w.base + "/cases")
    wait_until(page, "document.getElementById('nz-cases').dataset.ready === 'true'")
    assert page.text_content("[data-count=open]") == "1"
    assert page.locator(f"[data-case='{case_id}'] [data-urgency=immediate]").count() == 1
    assert page.locator("[data-role=locked]").count() == 1

    # A wrong passphrase opens nothing; the right one opens the case and its photo.
    page.fill("[data-role=unlock] input[name=passphrase]", "not the passphrase at all")
    page.click("[data-role=unlock] button[type=submit]")
    page.wait_for_selector("[data-role=unlock] [role=alert]:has-text('does not open')",
                           timeout=30_000)
    unlock(page, PASSPHRASE)
    page.click(f"[data-case='{case_id}'] [data-action=open]")
    page.wait_for_selector("[data-field=person_name]")
    assert page.text_content("[data-field=person_name]") == CANARY_NAME
    assert page.text_content("[data-field=story]") == CANARY_STORY
    wait_until(page, PHOTO_SHOWN)
    page.screenshot(path=str(artifacts / "cases-reader.png"))

    # The whole database, the photo store, the logs and every response: no canary.
    dump = assert_nowhere(w, (CANARY_NAME, CANARY_STORY, "CANARY-contact-0700"), captured,
                          bodies)
    assert b"cases" in dump and case_id.encode() in dump  # the dump did see the case

    # A flipped bit in the stored ciphertext: "this record was altered", no text.
    with w.app.app_context():
        envelope = json.loads(db.session.execute(text(
            "SELECT envelope FROM cases WHERE id = :id"), {"id": case_id}).scalar())
        ct = bytearray(base64.b64decode(envelope["ct"]))
        ct[10] ^= 0x04
        db.session.execute(text("UPDATE cases SET envelope = :e WHERE id = :id"), {
            "e": json.dumps({**envelope, "ct": base64.b64encode(bytes(ct)).decode()}),
            "id": case_id})
        db.session.commit()
    page.click(f"[data-case='{case_id}'] [data-action=open]")
    page.wait_for_selector("[data-role=altered]")
    assert page.locator("[data-field=person_name]").count() == 0
    with w.app.app_context():
        db.session.execute(text("UPDATE cases SET envelope = :e WHERE id = :id"),
                           {"e": json.dumps(envelope), "id": case_id})
        db.session.commit()

    # Referral: re-sealed in this browser to the partner's key.
    page.click(f"[data-case='{case_id}'] [data-action=open]")
    page.wait_for_selector("[data-field=person_name]")
    page.click("[data-action=refer]")
    page.wait_for_selector("[data-role=referrals] [data-referral]")
    assert page.locator(f"[data-case='{case_id}'][data-status=referred]").count() == 1

    partner = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    ppage = partner.new_page()
    recording(ppage, bodies)
    sign_in(ppage, w.base, w.partner, "/cases/inbox")
    wait_until(ppage, "document.getElementById('nz-cases').dataset.ready === 'true'")
    unlock(ppage, PARTNER_PASSPHRASE)
    ppage.click("[data-role=inbox] [data-action=open]")
    ppage.wait_for_selector("[data-field=person_name]")
    assert ppage.text_content("[data-field=person_name]") == CANARY_NAME
    wait_until(ppage, "(() => { const i = document.querySelector('[data-photo=p1] img');"
                      " return i && i.complete && i.naturalWidth > 0; })()")
    ppage.click("[data-action=acknowledge]")
    ppage.select_option("select[name=outcome]", "relocated")
    ppage.click("[data-action=outcome]")
    ppage.wait_for_selector("[data-role=inbox] td:has-text('relocated')")
    partner.close()

    page.click(f"[data-case='{case_id}'] [data-action=open]")
    page.wait_for_selector("[data-role=referrals] [data-referral]:has-text('relocated')")
    line = page.text_content("[data-role=referrals] [data-referral]")
    assert "Protection partner P" in line and "Acknowledged" in line
    assert not any(c.encode() in b for b in bodies for c in (CANARY_NAME, CANARY_STORY))

    # Lock: the text is gone from the page.
    page.click("[data-role=unlocked] button")
    assert page.locator("[data-field=person_name]").count() == 0


@pytest.mark.parametrize("code", ["prs", "ps"])
def test_case_pages_read_right_to_left(page, world, code, artifacts):
    sign_in(page, world.base, world.holder, "/cases")
    page.goto(f"{world.base}/language/{code}?next=/cases")
    wait_until(page, "document.getElementById('nz-cases').dataset.ready === 'true'")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.text_content("h1") == {"prs": "پرونده‌های حمایتی", "ps": "د ساتنې دوسیې"}[code]
    assert page.locator("[data-role=counts]").count() == 1
    assert page.text_content("[data-role=locked]") == {
        "prs": "قفل است. برای خواندن پرونده‌ها آن را باز کنید.",
        "ps": "قلف دی. د دوسیو د لوستلو لپاره یې خلاص کړئ."}[code]
    assert page.evaluate("getComputedStyle(document.querySelector('.nz-cases-table th'))"
                         ".textAlign") in ("start", "right")
    page.screenshot(path=str(artifacts / f"cases-{code}.png"))


def test_an_odk_encrypted_case_is_opened_in_the_key_holders_browser(page, world):
    """A submission encrypted exactly as ODK Collect does (tests/odk_encryption.py) goes
    through /key/<token>/submission; the server keeps it opaque; the key holder's browser
    decrypts it (WebCrypto port of the format, signature checked) and files its triage."""
    from tests import odk_encryption as odk
    w = world
    with w.app.app_context():
        holder = w.holder
        key = cc.new_key(3072)
        case_keys.create(db.session, Principal(kind="user", user_id=holder.id,
                                               organisation_id=holder.organisation_id,
                                               role="coordinator"),
                         key.public_b64, cc.wrap(key, PASSPHRASE), cc.wrap(key, "R" * 24))
    instance = "uuid:7d3e4c1a-1b2c-4d5e-8f90-123456789abc"
    xml = (f'<nezarat_case xmlns:orx="http://openrosa.org/xforms" id="nezarat_case" '
           f'version="2025120101"><facility>{w.facility_id}</facility><met_on>2025-12-01'
           "</met_on><urgency>within_72h</urgency><profile>defender</profile>"
           f"<person_name>{CANARY_NAME}</person_name><story>{CANARY_STORY}</story>"
           "<photo>face.jpg</photo><meta><instanceID>" + instance +
           "</instanceID></meta></nezarat_case>").encode()
    from tests.browser.test_mobile_app import photo_with_gps
    record = odk.encrypt_submission(key.public_b64, xml, form_id="nezarat_case",
                                    version="2025120101", instance_id=instance,
                                    media={"face.jpg": photo_with_gps(300, 200)})
    multipart = {name: {"name": "submission.xml" if name == "xml_submission_file" else name,
                        "mimeType": "text/xml" if name == "xml_submission_file"
                        else "application/octet-stream", "buffer": data}
                 for name, data in record.parts().items()}
    posted = page.request.post(f"{w.base}/key/{w.token}/submission", multipart=multipart,
                               headers={"X-OpenRosa-Version": "1.0"})
    assert posted.status == 201, posted.text()

    sign_in(page, w.base, w.holder, "/cases")
    wait_until(page, "document.getElementById('nz-cases').dataset.ready === 'true'")
    unlock(page, PASSPHRASE)
    page.click("[data-role=queue] [data-action=open]")
    page.wait_for_selector("[data-field=person_name]", timeout=30_000)
    assert page.text_content("[data-field=person_name]") == CANARY_NAME
    assert page.text_content("[data-field=story]") == CANARY_STORY
    wait_until(page, "(() => { const i = document.querySelector('[data-photo=\"face.jpg\"] img');"
                     " return i && i.complete && i.naturalWidth > 0; })()")
    # Triage filed from the opened record: the queue now knows its urgency.
    page.wait_for_selector("[data-role=queue] [data-urgency=within_72h]")
