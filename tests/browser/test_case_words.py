"""The case pages in Dari and Pashto (issue 19): every word of the queue (locked and with a case
open, its referrals and outcome), the sealing keys (a key, its holders, adding one, making a key
and its recovery sheet), and a partner's inbox (locked and with a referral open) is in the
page's language, right to left; no English UI word is left (the check of test_every_page.py:
what is data — names, typed answers, fingerprints, codes — is marked as such). A screenshot of
each page in each language goes to tests/artifacts/."""
from __future__ import annotations

import functools
import json
import uuid
from types import SimpleNamespace

import pytest

from server.cases import keys as case_keys
from server.cases import service as cases
from server.core.access import Principal
from server.core.db import db
from tests import case_crypto as cc
from tests import factories
from tests.browser.conftest import sign_in, wait_until
from tests.browser.test_cases import unlock
from tests.browser.test_every_page import english_words

pytestmark = pytest.mark.browser
PASSPHRASE = "eleven wolves under the bridge"
PARTNER_PASSPHRASE = "partner passphrase for the inbox"
LANGUAGES = ("prs", "ps")
READY = "document.getElementById('nz-cases').dataset.ready === 'true'"
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + b"\x08" * 64 + \
    bytes.fromhex("ffd9")


def principal(user, role: str) -> Principal:
    return Principal(kind="user", user_id=user.id, organisation_id=user.organisation_id,
                     role=role)


@functools.cache
def sealing_keys() -> tuple[tuple, tuple]:
    """The coalition member's and the partner's key pairs, each with its passphrase-wrapped and
    recovery-wrapped copies: made once for the module's tests (each keeps its own database)."""
    key, partner_key = cc.new_key(3072), cc.new_key(3072)
    return ((key, cc.wrap(key, PASSPHRASE), cc.wrap(key, "R" * 24)),
            (partner_key, cc.wrap(partner_key, PARTNER_PASSPHRASE), cc.wrap(partner_key, "R" * 24)))


@pytest.fixture()
def world(live_server, page):
    base = live_server.config["LIVE_URL"]
    with live_server.app_context():
        session = db.session
        org = factories.organisation(session, name="Coalition member W")
        holder = factories.user(session, role="coordinator", organisation=org, name="Holder H")
        colleague = factories.user(session, role="coordinator", organisation=org,
                                   name="Colleague C")
        monitor = factories.user(session, role="monitor", organisation=org)
        token = factories.device_token(session, monitor)
        facility = factories.facility(session, name="Torkham", kind="border_crossing",
                                      status="open")
        partner_org = factories.organisation(session, name="Protection partner R",
                                             kind="partner")
        partner = factories.user(session, role="coordinator", organisation=partner_org,
                                 name="Partner person")
        newcomer_org = factories.organisation(session, name="Coalition member N")
        newcomer = factories.user(session, role="coordinator", organisation=newcomer_org,
                                  name="Newcomer")
        session.commit()
        (key, *wrapped), (partner_key, *partner_wrapped) = sealing_keys()
        case_keys.create(session, principal(holder, "coordinator"), key.public_b64, *wrapped)
        case_keys.create(session, principal(partner, "partner"), partner_key.public_b64,
                         *partner_wrapped)
        # A case as the phone seals it: labels in the monitor's language, codes kept as raw.
        case_id = str(uuid.uuid4())
        sealed = cc.seal_case(key, case_id, [
            {"name": "profile", "label": "🔒 At-risk profile", "value": "Journalist",
             "raw": "journalist"},
            {"name": "person_name", "label": "🔒 Name", "value": "Zarlasht", "raw": "Zarlasht"},
            {"name": "story", "label": "🔒 What happened", "value": "Threatened in Herat",
             "raw": "Threatened in Herat"},
            {"name": "consent", "label": "🔒 Consent", "value": "Yes", "raw": "yes"},
            {"name": "photo", "label": "🔒 Photo", "value": "p1", "photo": True}],
            photos={"p1": JPEG}, facility_id=facility.id, urgency="within_72h")
        bearer = factories.bearer(token)
        posted = page.request.post(f"{base}/api/cases/submissions", data=json.dumps(sealed.body),
                                   headers={**bearer, "Content-Type": "application/json"})
        assert posted.status == 201, posted.text()
        put = page.request.put(f"{base}/api/cases/submissions/{case_id}/photos/p1",
                               data=sealed.photos["p1"],
                               headers={**bearer, "Content-Type": "application/octet-stream"})
        assert put.status == 201, put.text()
        row = cases.open_case(session, principal(holder, "coordinator"), case_id)
        to_key = case_keys.active(session, partner_org.id)
        referral = cases.refer(session, principal(holder, "coordinator"), case_id, {
            "to_organisation_id": partner_org.id, "to_key_id": to_key.id,
            "wrapped_key": cc.rewrap(key.private, row["wrapped_key"], partner_key.public_b64)})
        cases.acknowledge(session, principal(partner, "partner"), referral)
        cases.report_outcome(session, principal(partner, "partner"), referral, "legal_aid")
        return SimpleNamespace(base=base, holder=holder, colleague=colleague, partner=partner,
                               newcomer=newcomer, case_id=case_id)


def in_language(page, base: str, code: str, path: str) -> None:
    page.goto(f"{base}/language/{code}?next={path}")
    wait_until(page, READY)
    assert page.get_attribute("html", "dir") == "rtl"


def check(page, artifacts, found: dict, name: str) -> None:
    # JPEG: for a person to look at (PNG would take longer to encode).
    page.screenshot(path=str(artifacts / f"cases-words-{name}.jpg"), full_page=True, quality=90)
    words = english_words(page)
    if words:
        found[name] = words


def test_the_case_pages_have_no_english_left_in_dari_and_pashto(browser, page, world,
                                                                 artifacts):
    w = world
    found: dict = {}
    sign_in(page, w.base, w.holder, "/cases")
    for code in LANGUAGES:
        in_language(page, w.base, code, "/cases")
        check(page, artifacts, found, f"{code}-queue-locked")
        unlock(page, PASSPHRASE)
        page.click(f"[data-case='{w.case_id}'] [data-action=open]")
        page.wait_for_selector("[data-field=person_name]")
        page.wait_for_selector("[data-role=referrals] [data-referral]")
        wait_until(page, "(() => { const i = document.querySelector('[data-photo=p1] img');"
                         " return i && i.complete; })()")
        check(page, artifacts, found, f"{code}-queue-open")
        in_language(page, w.base, code, "/cases/keys")
        unlock(page, PASSPHRASE)
        check(page, artifacts, found, f"{code}-keys")
        in_language(page, w.base, code, "/cases/inbox")
        check(page, artifacts, found, f"{code}-inbox-empty")

    partner = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    ppage = partner.new_page()
    sign_in(ppage, w.base, w.partner, "/cases/inbox")
    for code in LANGUAGES:
        in_language(ppage, w.base, code, "/cases/inbox")
        check(ppage, artifacts, found, f"{code}-partner-inbox")
        unlock(ppage, PARTNER_PASSPHRASE)
        ppage.click("[data-role=inbox] [data-action=open]")
        ppage.wait_for_selector("[data-field=person_name]")
        check(ppage, artifacts, found, f"{code}-partner-referral")
        in_language(ppage, w.base, code, "/cases/keys")
        check(ppage, artifacts, found, f"{code}-partner-keys")
    partner.close()

    newcomer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    npage = newcomer.new_page()
    sign_in(npage, w.base, w.newcomer, "/cases/keys")
    in_language(npage, w.base, "ps", "/cases/keys")
    check(npage, artifacts, found, "ps-keys-none")
    npage.fill("[data-role=make-key] input[name=new-passphrase]", PASSPHRASE)
    npage.fill("[data-role=make-key] input[name=repeat-passphrase]", PASSPHRASE)
    npage.click("[data-role=make-key] button[type=submit]")
    npage.wait_for_selector("[data-role=recovery-sheet]", timeout=60_000)
    check(npage, artifacts, found, "ps-recovery-sheet")
    newcomer.close()
    assert found == {}, "\n".join(f"{name}: {words}" for name, words in found.items())


def test_sealed_answers_read_in_the_readers_language(page, world):
    """The profile and consent were chosen in English on the phone; a Dari key holder reads
    them in Dari (by their codes), and the labels are the page's, not the phone's."""
    w = world
    sign_in(page, w.base, w.holder, "/cases")
    in_language(page, w.base, "prs", "/cases")
    unlock(page, PASSPHRASE)
    page.click(f"[data-case='{w.case_id}'] [data-action=open]")
    page.wait_for_selector("[data-field=person_name]")
    assert page.text_content("[data-field=profile]") == "خبرنگار"
    assert page.text_content("[data-field=consent]") == "بلی"
    assert page.text_content("[data-field=person_name]") == "Zarlasht"
    labels = page.eval_on_selector_all("[data-role=sealed-answers] dt",
                                       "els => els.map(e => e.textContent)")
    assert labels[:2] == ["نمایه در معرض خطر", "نام"]
