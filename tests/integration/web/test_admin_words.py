"""Admin pages for humans (issue 18): words instead of codes for roles and audit actions, audit
details as fields, a closed list as a select, a confirmation before revoking or resetting, and
the phone app's address with its QR code on the device-token pages."""
from __future__ import annotations

import base64
import re

from server.core import audit
from server.core.access import Principal
from tests import factories

HTML = {"Accept": "text/html"}


def test_audit_page_shows_words_and_fields_not_codes(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    user = factories.user(session, "monitor")
    actor = Principal(kind="user", user_id=user.id, organisation_id=user.organisation_id)
    audit.record(session, "user.update", actor, target_type="user", target_id=str(user.id),
                 details={"role": "coordinator", "demo": True, "filters": {"types": ["a", "b"]}})
    session.flush()
    html = admin.get("/admin/audit", headers=HTML).get_data(as_text=True)
    assert ">Changed a user<" in html
    assert ">Signed in<" in html  # the admin's own sign-in (auth.sign_in)
    assert "<dt>Role</dt> <dd><bdi>Coordinator</bdi></dd>" in html
    assert "<dt>Demo data</dt> <dd><bdi>yes</bdi></dd>" in html
    assert "<dt>Filters</dt> <dd><bdi>types: a, b</bdi></dd>" in html
    assert '{"role"' not in html  # no raw JSON
    select = re.search(r'<select id="f-target_type" name="target_type"[^>]*>(.*?)</select>', html,
                       re.S)
    assert select and '<option value="device_token">Device token</option>' in select.group(1)
    assert '<option value="">All</option>' in select.group(1)


def test_users_list_shows_role_words(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    factories.user(session, "monitor", name="Shabnam Role")
    html = admin.get("/admin/users", headers=HTML).get_data(as_text=True)
    assert "<td>Monitor</td>" in html and "<td>monitor</td>" not in html
    assert '<option value="coordinator">Coordinator</option>' in html


def test_revoking_asks_first_and_the_phone_app_address_is_given(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    monitor = factories.user(session, "monitor")
    created = admin.post("/devices", data={"user_id": str(monitor.id), "label": "Phone A",
                                           "days": "30"}, headers=HTML)
    assert created.status_code == 201
    page = created.get_data(as_text=True)
    assert '<a href="http://localhost/m/" dir="ltr">http://localhost/m/</a>' in page
    qr = re.search(r'alt="QR code of the phone app address http://localhost/m/"', page)
    image = re.search(r'<img class="nz-qr-app" src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert qr and image and b"<svg" in base64.b64decode(image.group(1))
    assert page.count('class="nz-qr"') == 1  # ODK Collect's, as before

    listing = admin.get("/devices", headers=HTML).get_data(as_text=True)
    assert "http://localhost/m/" in listing
    confirm = re.search(r'<details class="nz-confirm">\s*<summary[^>]*>Revoke…</summary>\s*'
                        r'<form class="nz-confirm-form" method="post" action="/devices/[^"]+/revoke">'
                        r'.*?Revoke the device token “Phone A”\?.*?</form>', listing, re.S)
    assert confirm
