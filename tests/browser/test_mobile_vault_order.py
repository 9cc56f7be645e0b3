"""The phone's vault writes in the order it was asked to, and a concurrent delete never leaves a
record half-read. Sealing (AES-GCM) is asynchronous: a large draft autosave sealed just before
"finish" used to land after it, turning the queued report back into a draft (seen in CI as a
report that was never sent); and listing the reports while one was deleted read a key without
its value ("Cannot read properties of undefined (reading 'iv')")."""
from __future__ import annotations

import pytest

from tests.browser.test_mobile_app import monitor, phone, sign_in  # noqa: F401

LAST_WRITE_WINS = """async () => {
  const vault = await import("/m/static/js/vault.js");
  const results = [];
  for (let round = 0; round < 5; round += 1) {
    const id = crypto.randomUUID();
    await vault.saveReport({ id, state: "sent" });
    const gone = vault.deleteReport(id);  // e.g. a copy dropped once its review was final...
    const draft = vault.saveReport({ id, state: "draft", padding: "x".repeat(4000000) });
    const queued = vault.saveReport({ id, state: "queued" });  // ...then saved again, twice
    await Promise.all([gone, draft, queued]);
    results.push((await vault.report(id))?.state ?? "lost");
    await vault.deleteReport(id);
  }
  return results;
}"""

LIST_WHILE_DELETING = """async () => {
  const vault = await import("/m/static/js/vault.js");
  const ids = [];
  for (let n = 0; n < 30; n += 1) {
    const id = crypto.randomUUID();
    ids.push(id);
    await vault.saveReport({ id, state: "sent" });
  }
  const listing = [];
  for (const id of ids) { listing.push(vault.reports()); vault.deleteReport(id); }
  const lists = await Promise.all(listing);
  return lists.every((list) => list.every((r) => r && r.id));
}"""


@pytest.mark.browser
def test_the_last_save_asked_for_is_the_one_kept(phone, monitor):  # noqa: F811
    page = phone.page
    sign_in(page, monitor)
    assert page.evaluate(LAST_WRITE_WINS) == ["queued"] * 5
    assert page.errors == []


@pytest.mark.browser
def test_listing_reports_while_one_is_deleted_never_fails(phone, monitor):  # noqa: F811
    page = phone.page
    sign_in(page, monitor)
    assert page.evaluate(LIST_WHILE_DELETING) is True
    assert page.errors == []
