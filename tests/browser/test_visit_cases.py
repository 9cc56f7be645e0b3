"""A person at risk met during a visit (issue 19), end to end in Chromium: the monitor, offline,
fills a visit report and records a person at risk inside it (the visit form's sealed group, in
our app only); finishing seals that person on the phone for the organisation's key, exactly as
a protection case is, into a case of its own that names the visit; the visit goes on without
them. After the sync nothing of the person is in a full pg_dump, the photo store, the logs or
any response; the visit is on the map and in the queue as usual; the case is counted by
facility and visit without any key; the key holder reads it, photo included.
ODK Collect never gets the group (tests/integration/cases/test_visit_cases.py)."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from server.core.db import db
from tests import factories
from tests.browser.conftest import wait_until
from tests.browser.test_cases import (  # noqa: F401  (captured: a fixture)
    PASSPHRASE,
    PHOTO_SHOWN,
    assert_nowhere,
    captured,
    make_key,
    recording,
    unlock,
)
from tests.browser.test_mobile_app import (
    DUMP_STORAGE,
    PHONE,
    choose,
    fill_counts,
    photo_with_gps,
    q,
)
from tests.browser.test_mobile_app import sign_in as phone_sign_in

CANARY_NAME = "CANARY-Visit-Nazanin-31337"
CANARY_STORY = "CANARY-visit-story-Spin-Boldak-7702"
CANARY_CONTACT = "CANARY-visit-contact-0799"
CANARIES = (CANARY_NAME, CANARY_STORY, CANARY_CONTACT)
ROOT = "/nezarat_visit"
PERSON = f"{ROOT}/person_at_risk"


@pytest.fixture()
def world(live_server):
    with live_server.app_context():
        session = db.session
        org = factories.organisation(session, name="Coalition member V")
        holder = factories.user(session, role="coordinator", organisation=org)
        monitor = factories.user(session, role="monitor", organisation=org)
        token = factories.device_token(session, monitor)
        facility = factories.facility(session, lon=71.09, lat=34.11, name="Torkham",
                                      kind="border_crossing", status="open", country="PAK",
                                      admin1="Khyber Pakhtunkhwa")
        session.commit()
        return SimpleNamespace(base=live_server.config["LIVE_URL"], holder=holder, token=token,
                               facility_id=str(facility.id), url=live_server.config["DATABASE_URL"],
                               storage=Path(live_server.config["STORAGE_DIR"]), app=live_server)


def visit_with_a_person_at_risk_offline(phone, w, bodies) -> str:
    page = phone.page
    recording(page, bodies)
    phone_sign_in(page, w)  # and the shell is cached: the app opens offline
    page.wait_for_selector("[data-screen=home] [data-form=nezarat_visit]")
    # The visit seals to the organisation's key: its fingerprint is on the visit's button too.
    assert page.locator("[data-form=nezarat_visit] [data-role=sealing-fingerprint]").count() == 1
    phone.context.set_offline(True)
    page.click("[data-action=new][data-form=nezarat_visit]")
    page.wait_for_selector("[data-screen=form]")
    visit_id = page.get_attribute("[data-screen=form]", "data-report")
    page.select_option(q("facility"), w.facility_id)
    choose(page, "access/obtained", "full")
    fill_counts(page, "people", dict(women=3, men=12, girls=1, boys=2, unaccompanied=1))
    choose(page, "legal/reasons_and_rights", "no")
    for dimension in ("safety_treatment", "legal_protection", "material_conditions",
                      "return_reception"):
        choose(page, f"assessment/{dimension}_rating", "2")
        choose(page, f"assessment/{dimension}_coverage", "partial")
        page.check(f'{q(f"assessment/{dimension}_evidence")}[value="observed"]')
    page.fill(q("notes"), "Crowded yard; shade only in the corridor")

    page.click(f'[data-add="{PERSON}"]')
    choose(page, "person_at_risk/urgency", "immediate")
    page.select_option(q("person_at_risk/profile"), "journalist")
    page.fill(q("person_at_risk/person_name"), CANARY_NAME)
    page.fill(q("person_at_risk/story"), CANARY_STORY)
    page.fill(q("person_at_risk/contact"), CANARY_CONTACT)
    choose(page, "person_at_risk/consent", "yes")
    page.set_input_files(q("person_at_risk/photo"), files=[{
        "name": "IMG_9.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps(600, 400)}])
    page.wait_for_selector(f'[data-repeat="{PERSON}"] .photo-preview img')

    page.click("[data-action=finish]")
    page.wait_for_selector(f'[data-screen=home] [data-report="{visit_id}"][data-state=queued]')
    queued = page.eval_on_selector_all("[data-screen=home] [data-state=queued]",
                                       "els => els.map(e => e.dataset.report)")
    assert len(queued) == 2 and visit_id in queued  # the visit, and the person's sealed case
    stored = json.dumps(page.evaluate(DUMP_STORAGE))
    assert not any(c in stored for c in CANARIES)  # sealed, and the plain answers are gone
    phone.context.set_offline(False)
    page.click("[data-action=sync]")
    for report in queued:
        page.wait_for_selector(f'[data-report="{report}"][data-state=sent]', timeout=30_000)
    assert not any(c in json.dumps(page.evaluate(DUMP_STORAGE)) for c in CANARIES)
    return visit_id


def test_a_person_at_risk_recorded_in_a_visit_is_sealed_and_read_by_the_key_holder(
        browser, page, world, artifacts, captured):
    w = world
    bodies = []
    recording(page, bodies)
    make_key(page, w)
    phone = SimpleNamespace(context=browser.new_context(**PHONE))
    phone.page = phone.context.new_page()
    visit_id = visit_with_a_person_at_risk_offline(phone, w, bodies)
    phone.context.close()

    with w.app.app_context():
        session = db.session
        case = session.execute(text(
            "SELECT id, visit_id, facility_id, urgency, form_id, photo_names, photos "
            "FROM cases")).one()
        visit = session.execute(text("SELECT id, facility_id FROM visits WHERE id = :v"),
                                {"v": visit_id}).one()
    assert str(case.visit_id) == visit_id and case.facility_id == visit.facility_id
    assert case.urgency == "immediate" and case.form_id == "nezarat_visit"
    assert case.photo_names == ["p1"] and set(case.photos) == {"p1"}
    case_id = str(case.id)

    # Counted without any key: the facility panel, the queue, the visit's own record.
    page.goto(f"{w.base}/map?open={w.facility_id}")
    page.wait_for_selector(".nz-panel-cases[data-cases='1']", timeout=30_000)
    detail = page.request.get(f"{w.base}/api/visits/{visit_id}").json()
    assert detail["persons_at_risk"] == 1
    page.goto(w.base + "/review?tab=visits")  # the visit's review card says so, no key
    item = f".nz-review-item[data-id='{visit_id}']"
    page.wait_for_selector(item, timeout=30_000)
    for _ in range(20):
        if page.get_attribute(item, "aria-current") == "true":
            break
        page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_selector(f"{item} .nz-item-details [data-persons-at-risk='1']")
    page.goto(w.base + "/cases")
    wait_until(page, "document.getElementById('nz-cases').dataset.ready === 'true'")
    assert page.locator("[data-role=locked]").count() == 1
    row = page.locator(f"[data-case='{case_id}']")
    assert row.locator("[data-urgency=immediate]").count() == 1
    assert row.locator(f"[data-visit='{visit_id}']").count() == 1

    # The whole database, the photo store, the logs and every response: no canary.
    dump = assert_nowhere(w, CANARIES, captured, bodies)
    assert visit_id.encode() in dump and case_id.encode() in dump

    # The key holder unlocks and reads the person, photo included.
    unlock(page, PASSPHRASE)
    page.click(f"[data-case='{case_id}'] [data-action=open]")
    page.wait_for_selector("[data-field=person_name]")
    assert page.text_content("[data-field=person_name]") == CANARY_NAME
    assert page.text_content("[data-field=story]") == CANARY_STORY
    assert page.text_content("[data-field=contact]") == CANARY_CONTACT
    wait_until(page, PHOTO_SHOWN)
    page.screenshot(path=str(artifacts / "visit-case-reader.png"))



@pytest.mark.parametrize("code, label", [("prs", "شخص در معرض خطر (مهر و موم‌شده)"),
                                         ("ps", "له خطر سره مخ کس (مهر شوی)")])
def test_the_person_at_risk_reads_right_to_left_in_dari_and_pashto(browser, world, code, label,
                                                                    artifacts):
    w = world
    with w.app.app_context():  # the organisation's key, so the visit form seals to it
        from server.cases import keys as case_keys
        from server.core.access import Principal
        from tests import case_crypto as cc
        key = cc.new_key()
        case_keys.create(db.session, Principal(kind="user", user_id=w.holder.id,
                                               organisation_id=w.holder.organisation_id,
                                               role="coordinator"),
                         key.public_b64, cc.wrap(key, PASSPHRASE), cc.wrap(key, "R" * 24))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        phone_sign_in(page, w)
        page.wait_for_selector("[data-screen=home] [data-form=nezarat_visit]")
        page.select_option("#lang", code)
        page.click("[data-action=new][data-form=nezarat_visit]")
        page.wait_for_selector("[data-screen=form]")
        page.click(f'[data-add="{PERSON}"]')
        page.wait_for_selector(q("person_at_risk/person_name"))
        assert page.get_attribute("html", "dir") == "rtl"
        box = page.locator(f'[data-repeat="{PERSON}"]')
        assert label in box.text_content()
        assert "Name" not in box.text_content() and "Urgency" not in box.text_content()
        box.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"visit-person-at-risk-{code}.png"))
    finally:
        context.close()
