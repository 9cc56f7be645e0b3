"""Less kept, for less time (issue 17 point 5), in headless Chromium: with the deployment's limits
(MOBILE_DRAFT_FLAG_DAYS, MOBILE_DRAFT_ERASE_DAYS) a draft untouched for longer than the first is
flagged in the list, and one untouched for longer than the second is erased with its photos the
next time the app opens, leaving nothing that names it: not in IndexedDB, Cache Storage, local
storage, the page, nor in what the phone next tells the server it holds."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from server.accounts.models import DeviceToken
from server.core.db import db
from tests.browser.test_mobile_app import (  # noqa: F401
    DUMP_STORAGE,
    ROOT,
    monitor,
    phone,
    photo_file,
    photo_with_gps,
    q,
    sign_in,
    unlock,
)

pytestmark = pytest.mark.browser
DAY_MS = 24 * 60 * 60 * 1000

# The phone's clock moved on: a draft last touched `days` ago (what the app stores, as it stores it).
AGE = """async ([id, days]) => {
  const vault = await import("/m/static/js/vault.js");
  const report = await vault.report(id);
  report.updatedAt = Date.now() - days * %d;
  report.createdAt = report.updatedAt;
  await vault.saveReport(report);
}""" % DAY_MS


def draft(page, notes: str, photo: bytes | None = None) -> str:
    page.click("[data-action=new]")
    page.wait_for_selector("[data-screen=form]")
    report_id = page.get_attribute("[data-screen=form]", "data-report")
    page.fill(q("notes"), notes)
    if photo:
        page.click(f'[data-add="{ROOT}/photos"]')
        with photo_file("IMG_0002.jpg", photo) as path:
            page.set_input_files(q("photos/photo"), files=[path])
            page.wait_for_selector(f'[data-repeat="{ROOT}/photos"] .photo-preview img')
    page.click("[data-action=save]")
    page.wait_for_selector(f'[data-screen=home] [data-report="{report_id}"]')
    return report_id


def test_old_drafts_are_flagged_then_erased_without_a_trace(phone, monitor, live_server):  # noqa: F811
    live_server.config.update(MOBILE_DRAFT_FLAG_DAYS=2, MOBILE_DRAFT_ERASE_DAYS=5)
    page = phone.page
    sign_in(page, monitor)
    fresh = draft(page, "fresh draft notes")
    old = draft(page, "old draft notes")
    ancient = draft(page, "ancient draft notes", photo_with_gps(640, 480))
    assert page.evaluate("import('/m/static/js/vault.js').then(v => v.photoNames(arguments[0]))"
                         .replace("arguments[0]", json.dumps(ancient))) != []
    page.evaluate(AGE, [old, 3])
    page.evaluate(AGE, [ancient, 6])
    assert page.locator("[data-role=old-draft]").count() == 0  # the list is as it was drawn

    page.reload()
    unlock(page)
    page.wait_for_selector(f'[data-report="{old}"] [data-role=old-draft]')
    assert "old draft" in page.inner_text(f'[data-report="{old}"] [data-role=old-draft]')
    assert page.locator(f'[data-report="{fresh}"] [data-role=old-draft]').count() == 0
    assert page.locator(f'[data-report="{ancient}"]').count() == 0
    dump = page.evaluate(DUMP_STORAGE)
    kept = [key for key, _ in dump["indexeddb"]["records"]]
    assert fresh in kept and old in kept and ancient not in kept
    assert dump["indexeddb"]["photos"] == []
    # Nothing names the erased draft: no record, photo, cache, local storage or page text.
    assert ancient not in json.dumps(dump, ensure_ascii=False) and ancient not in page.content()
    assert "ancient draft notes" not in json.dumps(dump, ensure_ascii=False)

    # The next check-in lists what the phone holds: the erased draft is not among them.
    page.click("[data-action=sync]")
    deadline = time.monotonic() + 20
    while True:
        with live_server.app_context():
            token = db.session.scalars(select(DeviceToken).where(
                DeviceToken.user_id == monitor.user_id)).one()
            held = sorted(p["id"] for p in token.pending or [])
        if held == sorted([fresh, old]) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert held == sorted([fresh, old])
    assert page.errors == []
