"""Closing the loop on a phone (390×844): a monitor submits a visit offline; the coordinator
sends it back with a comment; the app shows the comment after a sync, and offline after a
reload; the monitor corrects it and sends it again as version 2; the reviewer sees what changed
and verifies it; the monitor's app then reads "verified" and forgets the sent answers."""
from __future__ import annotations

import json

import pytest

from server.accounts.models import Organisation, User
from server.core.access import Principal
from server.core.db import db
from server.review import service as review
from server.visits import detail
from tests import factories
from tests.browser.conftest import RECORD_CSP, csp_violations, wait_until
from tests.browser.test_mobile_app import (  # noqa
    DUMP_STORAGE,
    NOTES,
    PHONE,
    ROOT,
    fill_visit,
    monitor,
    photo_with_gps,
    q,
    sign_in,
    unlock,
)

COMMENT = "Recount the unaccompanied children — اطفال بدون همراه"


@pytest.fixture()
def phone(browser):
    context = browser.new_context(**PHONE)
    context.add_init_script(RECORD_CSP)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield context, page
    context.close()


def coordinator_of(live_server, monitor):
    with live_server.app_context():
        session = db.session
        org = session.get(User, monitor.user_id).organisation_id
        account = factories.user(session, role="coordinator", organisation=session.get(
            Organisation, org))
        session.commit()
        return Principal(kind="user", user_id=account.id, organisation_id=org,
                         role="coordinator")


def decide(live_server, principal, visit_id, action, comment=None):
    with live_server.app_context():
        review.decide("visit", visit_id, action, comment, principal)


def mine(page, report_id):
    return f'[data-role=mine] [data-report="{report_id}"]'


@pytest.mark.browser
def test_sent_back_corrected_resent_verified(phone, monitor, live_server):
    context, page = phone
    coordinator = coordinator_of(live_server, monitor)
    sign_in(page, monitor)
    context.set_offline(True)
    report_id = fill_visit(page, monitor, photo_with_gps(800, 600))
    context.set_offline(False)
    page.wait_for_selector(f'[data-report="{report_id}"][data-state=sent]', timeout=30_000)

    decide(live_server, coordinator, report_id, "has_issues", COMMENT)
    page.click("[data-action=sync]")
    page.wait_for_selector(f'{mine(page, report_id)}[data-status=has_issues]', timeout=15_000)
    assert page.text_content(f"{mine(page, report_id)} [data-role=comment]") == COMMENT
    assert page.get_attribute(f"{mine(page, report_id)} [data-role=comment]", "dir") == "auto"

    # Offline after a reload: the comment is read from the vault, sealed.
    context.set_offline(True)
    page.reload()
    unlock(page)
    page.wait_for_selector(f'{mine(page, report_id)}[data-status=has_issues]')
    assert page.text_content(f"{mine(page, report_id)} [data-role=comment]") == COMMENT
    raw = json.dumps(page.evaluate(DUMP_STORAGE)["indexeddb"], ensure_ascii=False)
    assert "Recount" not in raw and NOTES not in raw

    # Corrected (offline), sent when back online as version 2.
    page.click(f"{mine(page, report_id)} [data-action=correct]")
    page.wait_for_selector("[data-screen=form]")
    correction = page.get_attribute("[data-screen=form]", "data-report")
    assert correction != report_id
    assert page.input_value(q("people/unaccompanied")) == "1"
    page.fill(q("people/unaccompanied"), "3")
    page.click("[data-action=finish]")
    # Finished and queued, or refused with the questions named.
    page.wait_for_selector(f'[data-report="{correction}"][data-state=queued], .q.invalid, '
                           '[data-screen=form] > p.error')
    problems = page.eval_on_selector_all(
        ".q.invalid", "els => els.map(e => e.dataset.q + ': ' + e.querySelector('.error').textContent)")
    assert problems == [] and page.errors == [], (problems, page.errors, page.text_content("[data-screen=form] > p.error"))
    page.wait_for_selector(f'[data-report="{correction}"][data-state=queued]')
    context.set_offline(False)
    page.wait_for_selector(f'[data-report="{correction}"][data-state=sent]', timeout=30_000)
    page.click("[data-action=sync]")
    page.wait_for_selector(f'{mine(page, report_id)}[data-status=submitted]', timeout=15_000)

    with live_server.app_context():
        seen = detail.visit_detail(report_id, coordinator)
    assert seen["version"] == 2 and seen["review_status"] == "submitted"
    assert [h["version"] for h in seen["history"]] == [1, 2]
    assert seen["changes"]["changes"] == [
        {"field": "held.unaccompanied", "before": 1, "after": 3}]

    decide(live_server, coordinator, report_id, "verify")
    page.click("[data-action=sync]")
    page.wait_for_selector(f'{mine(page, report_id)}[data-status=verified]', timeout=15_000)
    wait_until(page, "document.querySelectorAll('[data-action=correct]').length === 0")
    # The review is final: the answers kept for a correction are gone from the phone.
    records = {k for k, _ in page.evaluate(DUMP_STORAGE)["indexeddb"]["records"]}
    assert records == {"my-reports"}
    assert csp_violations(page) == [] and page.errors == []
