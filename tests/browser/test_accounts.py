"""In Chromium: the first sign-in of a new admin (password, forced TOTP enrolment with the QR
code, recovery codes), then the admin pages, without any CSP violation. Screenshots are kept
as test artefacts."""
from __future__ import annotations

import re

import pyotp
import pytest

from server.core.db import db
from tests import factories
from tests.browser.conftest import csp_violations

pytestmark = pytest.mark.browser


@pytest.fixture()
def new_admin(live_server):
    with live_server.app_context():
        account = factories.user(db.session, role="admin", totp=False, name="Parwana Admin")
        factories.user(db.session, role="monitor", organisation=account.organisation,
                       name="Nadia Monitor")
        db.session.commit()
        return account.email


def test_first_sign_in_enrols_totp_and_reaches_the_admin_pages(page, live_server, new_admin,
                                                                artifacts):
    base = live_server.config["LIVE_URL"]
    page.goto(base + "/admin/users")
    assert "/sign-in" in page.url
    page.fill("input[name=email]", new_admin)
    page.fill("input[name=password]", factories.DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/account/two-factor**")
    qr = page.locator("img.nz-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(artifacts / "accounts-enrol.png"), full_page=True)
    page.click("summary")
    secret = page.locator("details code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("main form button[type=submit]")
    codes = page.locator(".nz-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("text=I have kept them: continue")
    page.wait_for_url(base + "/admin/users")
    assert page.locator("td", has_text="Nadia Monitor").count() == 1
    page.screenshot(path=str(artifacts / "accounts-users.png"), full_page=True)

    page.goto(base + "/devices")
    page.select_option("select[name=user_id]", label="Nadia Monitor")
    page.fill("input[name=label]", "Torkham phone")
    page.click("form[action='/devices'] button[type=submit]")
    assert page.locator("img.nz-qr").evaluate("img => img.naturalWidth > 0")
    assert page.locator("code", has_text="/key/nzd_").count() == 1  # the server URL
    page.screenshot(path=str(artifacts / "accounts-device-token.png"), full_page=True)

    page.goto(base + "/admin/audit")
    assert page.locator("td", has_text="Created a device token").count() == 1  # a word, not a code
    page.screenshot(path=str(artifacts / "accounts-audit.png"), full_page=True)

    page.click("header button:has-text('Sign out')")
    page.wait_for_url("**/sign-in")
    assert page.locator(".nz-alert", has_text="You are signed out.").count() == 1
    assert csp_violations(page) == []
    assert page.record.page_errors == [] and page.record.console_errors == []
    assert page.record.hosts() == {"127.0.0.1"}
