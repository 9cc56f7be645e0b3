"""The case pages read their lists page by page (issue 11): the queue and the inbox showed only
the API's first page and the rest of the cases could not be reached; the key ring and the
colleagues who could hold the key were read in one unpaged answer. With two rows a page, every
case and referral is reached through "Load more", in the API's order, and the keys page shows
every key and every candidate holder by following `next`."""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from server.cases import keys as case_keys
from server.cases import store
from server.core.access import Principal
from server.core.db import db
from server.web import case_pages
from tests import case_crypto as cc
from tests import factories
from tests.browser.conftest import sign_in, wait_until

pytestmark = pytest.mark.browser
READY = "document.getElementById('nz-cases').dataset.ready === 'true'"
PAGE = 2


def _case(session, org, key_id, urgency: str) -> str:
    case_id = str(uuid.uuid4())
    store.insert(session, {
        "id": case_id, "organisation_id": org.id, "sealing_key_id": key_id, "source": "app",
        "form_id": "nezarat_case", "form_version": None, "facility_id": None,
        "occurred_on": None, "urgency": urgency, "monitor_id": None, "device_token_id": None,
        "wrapped_key": "d3JhcHBlZA==", "envelope": "{}", "body_sha256": None,
        "sealed_submission_id": None, "photo_names": []})
    return case_id


@pytest.fixture()
def world(live_server, monkeypatch):
    monkeypatch.setattr(case_pages, "PAGE_SIZE", PAGE)
    with live_server.app_context():
        session = db.session
        org = factories.organisation(session, name="Coalition member Q")
        holder = factories.user(session, role="coordinator", organisation=org)
        colleagues = [factories.user(session, role=role, organisation=org)
                      for role in ("coordinator", "admin", "coordinator")]
        sender = factories.organisation(session, name="Coalition member S")
        sender_user = factories.user(session, role="coordinator", organisation=sender)
        session.commit()
        me = Principal(kind="user", user_id=holder.id, organisation_id=org.id,
                       role="coordinator")
        for _ in range(3):  # the first key and two rotations by its holder
            key = cc.new_key()
            made = case_keys.create(session, me, key.public_b64, cc.wrap(key, "x" * 20),
                                    cc.wrap(key, "y" * 20))
        key = cc.new_key()
        theirs = case_keys.create(session, Principal(
            kind="user", user_id=sender_user.id, organisation_id=sender.id, role="coordinator"),
            key.public_b64, cc.wrap(key, "x" * 20), cc.wrap(key, "y" * 20))
        cases = [_case(session, org, made["id"], u)
                 for u in ("immediate", "routine", "within_72h", "routine", "immediate")]
        for _ in range(3):
            referred = _case(session, sender, theirs["id"], "routine")
            store.insert_referral(session, {
                "id": uuid.uuid4(), "case_id": referred, "from_organisation_id": sender.id,
                "to_organisation_id": org.id, "to_key_id": made["id"],
                "wrapped_key": "d3JhcHBlZA==", "wrapped_signature": None,
                "referred_by": sender_user.id})
        session.execute(text("UPDATE cases SET due_at = now() - interval '1 hour' "
                             "WHERE id = :id"), {"id": cases[3]})  # overdue: first
        session.commit()
        return SimpleNamespace(base=live_server.config["LIVE_URL"], holder=holder,
                               cases=cases, colleagues=colleagues)


def _api_order(page, base: str, path: str) -> list[str]:
    body = page.request.get(f"{base}{path}?limit=100").json()
    return [item["id"] for item in body["items"]]


def _shown(page, attribute: str) -> list[str]:
    return page.eval_on_selector_all(f"[{attribute}]", f"rows => rows.map(r => "
                                     f"r.getAttribute('{attribute}'))")


def _load_all(page, attribute: str, total: int) -> None:
    """Click "Load more" until `total` rows show; each click adds at most a page."""
    shown = len(_shown(page, attribute))
    assert shown == PAGE
    while shown < total:
        assert page.is_visible("[data-action=more]")
        page.click("[data-action=more]")
        wait_until(page, f"document.querySelectorAll('[{attribute}]').length > {shown}")
        now = len(_shown(page, attribute))
        assert now - shown <= PAGE
        shown = now
    assert page.is_hidden("[data-action=more]")


def test_the_queue_and_the_inbox_reach_every_row_page_by_page(page, world):
    w = world
    sign_in(page, w.base, w.holder, "/cases")
    wait_until(page, READY)
    order = _api_order(page, w.base, "/api/cases")
    assert sorted(order) == sorted(w.cases) and order[0] == w.cases[3]
    _load_all(page, "data-case", len(w.cases))
    assert _shown(page, "data-case") == order

    page.goto(w.base + "/cases/inbox")
    wait_until(page, READY)
    referrals = _api_order(page, w.base, "/api/cases/inbox")
    assert len(referrals) == 3
    _load_all(page, "data-referral", 3)
    assert _shown(page, "data-referral") == referrals


def test_the_keys_page_follows_next_for_the_key_ring_and_the_candidates(page, world):
    w = world
    sign_in(page, w.base, w.holder, "/cases/keys")
    wait_until(page, READY)
    wait_until(page, "document.querySelectorAll('[data-key]').length === 3")
    assert _shown(page, "data-key") == _api_order(page, w.base, "/api/cases/keys")
    options = page.eval_on_selector_all("select[name=holder] option", "o => o.map(x => x.value)")
    assert sorted(options) == sorted(str(c.id) for c in w.colleagues)
