"""Issue 16: a suggested duplicate pair opens as two columns, the reports' key facts and, on
request (an audited read), both narratives and photos side by side; a merge asks first (saying
no merges nothing) and can be undone."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from server.core.db import db
from server.incidents.models import IncidentSensitive
from tests.browser import workspace_data
from tests.browser.conftest import assert_page_clean, sign_in

pytestmark = pytest.mark.browser
TIMEOUT = 20_000
NARRATIVES = ("Synthetic: a group of twelve men pushed back at dawn near the gate.",
              "Synthetic: ten men and a boy turned back at the gate the next morning.")


@pytest.fixture()
def pair(live_server, coordinator):
    with live_server.app_context():
        data = workspace_data.load(db.session, coordinator.organisation_id)
        for incident_id, narrative in zip(data.pair, NARRATIVES):
            db.session.add(IncidentSensitive(incident_id=incident_id, narrative=narrative))
        db.session.commit()
    return data.pair  # (earlier, later)


def query_db(live_server, sql: str, **params):
    with live_server.app_context():
        return db.session.execute(text(sql), params).all()


def test_a_pair_side_by_side_then_merged_and_undone(page, live_server, coordinator, pair,
                                                    artifacts):
    earlier, later = pair
    base = live_server.config["LIVE_URL"]
    sign_in(page, base, coordinator, "/review?tab=duplicates")
    page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
    card = f".nz-review-item[data-id='{later}:{earlier}']"
    newer, keep = (page.locator(f"{card} .nz-pair-side").nth(i) for i in (0, 1))
    # Two columns: level with each other, the newer report first (left in English).
    a, b = newer.bounding_box(), keep.bounding_box()
    assert abs(a["y"] - b["y"]) < 2 and a["x"] + a["width"] <= b["x"]
    assert "men: 10, boys: 1" in newer.inner_text() and "men: 12" in keep.inner_text()
    assert page.locator(f"{card} .nz-pair-narrative").count() == 0  # nothing read unasked

    # `o` reads both (audited) and shows each narrative under its own report.
    with page.expect_response(lambda r: r.url.endswith(f"/api/incidents/{earlier}")):
        page.keyboard.press("o")
    page.wait_for_selector(f"{card} .nz-pair-side:nth-child(2) .nz-pair-narrative")
    assert newer.locator(".nz-pair-narrative").inner_text() == NARRATIVES[1]
    assert keep.locator(".nz-pair-narrative").inner_text() == NARRATIVES[0]
    read = query_db(live_server, """SELECT target_id FROM audit_log
                                    WHERE action = 'incident.read_sensitive'""")
    assert {str(row[0]) for row in read} == {str(earlier), str(later)}
    page.locator(card).screenshot(path=str(artifacts / "review-duplicates-side-by-side.png"))

    # Saying no to the confirmation merges nothing.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.keyboard.press("m")
    assert asked and "undo" in asked[0]
    assert query_db(live_server, "SELECT duplicate_of FROM incidents WHERE id = :i",
                    i=later) == [(None,)]
    assert page.get_attribute(card, "data-done") is None

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.url.endswith(f"/api/incidents/{later}/merge")) as done:
        page.click(f"{card} .nz-action-merge")
    assert done.value.status == 200
    page.wait_for_selector(f"{card}[data-done=true]")
    assert query_db(live_server, "SELECT duplicate_of FROM incidents WHERE id = :i",
                    i=later) == [(earlier,)]
    with page.expect_response(lambda r: r.url.endswith(f"/api/incidents/{later}/unmerge")) as undo:
        page.click(f"{card} [data-action=unmerge]")
    assert undo.value.status == 200
    assert query_db(live_server, "SELECT duplicate_of FROM incidents WHERE id = :i",
                    i=later) == [(None,)]
    assert query_db(live_server, """SELECT details->>'was_duplicate_of' FROM audit_log
                                    WHERE action = 'incident.unmerge' AND target_id = :i""",
                    i=str(later)) == [(str(earlier),)]
    assert_page_clean(page)
