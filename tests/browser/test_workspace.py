"""The coordinator workspace in headless Chromium, on demo-like data: the map shows facility
conditions and incident counts, a type filter changes the counts and the URL (and the URL
reproduces the view), a facility's panel shows its trend chart, and the review queue verifies,
flags and merges through the JSON APIs, which write the audit entries."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import text

from server.core.db import db
from tests.browser import workspace_data
from tests.browser.conftest import assert_page_clean as clean
from tests.browser.conftest import sign_in, wait_until

pytestmark = pytest.mark.browser
TIMEOUT = 20_000


@pytest.fixture()
def demo(live_server, coordinator):
    with live_server.app_context():
        data = workspace_data.load(db.session, coordinator.organisation_id)
        db.session.commit()
    return data


def query_db(live_server, sql: str, **params):
    with live_server.app_context():
        return db.session.execute(text(sql), params).all()


def is_incidents(response, **wanted) -> bool:
    if "/api/map/incidents?" not in response.url or response.request.method != "GET":
        return False
    query = parse_qs(urlsplit(response.url).query)
    return all(query.get(name) == [value] for name, value in wanted.items())


def open_map(page, live_server, coordinator, path: str = "/map"):
    """Sign in and open the map; returns the first incidents answer the page received."""
    base = live_server.config["LIVE_URL"]
    with page.expect_response(is_incidents, timeout=TIMEOUT) as answer:
        sign_in(page, base, coordinator, path)
    page.wait_for_selector("#nz-map[data-ready=true]", timeout=TIMEOUT)
    page.wait_for_selector("#nz-map[data-incident-loads]", timeout=TIMEOUT)
    return answer.value.json()


def count(page, selector: str) -> int:
    return page.evaluate("s => document.querySelectorAll(s).length", selector)


def mapped(demo, type_=None) -> int:
    """Incidents the map counts by default (every status but rejected), optionally of a type."""
    return sum(1 for _, kind, status, *_ in demo.incidents
               if status != "rejected" and (type_ is None or kind == type_))


def test_map_shows_facility_conditions_and_incident_counts(page, live_server, coordinator, demo,
                                                           artifacts):
    answer = open_map(page, live_server, coordinator)
    # What the page received: counts by cell, adding up to every mapped incident.
    assert answer["mode"] == "cells"
    assert answer["total"] == mapped(demo) == sum(n for *_, n in answer["cells"])
    # What it drew: one circle per cell, the total in the summary.
    assert count(page, "path.nz-cell") == len(answer["cells"]) == answer["count"]
    assert page.get_attribute("#nz-map", "data-incident-total") == str(answer["total"])
    assert f"Incidents in view: {answer['total']}." in page.inner_text("#nz-incident-summary")

    # Facilities: ring by the last visit (red flags first, then the worst dimension), stale
    # faded, access denied marked.
    def marker(name):
        return page.get_attribute(f".nz-facility[title='{name}']", "class").split()
    assert {"nz-ring-red-flag", "nz-kind-border_crossing"} <= set(marker("Torkham"))
    assert "nz-stale" not in marker("Torkham")
    assert {"nz-ring-3", "nz-stale"} <= set(marker("Islam Qala"))  # visited 200 days ago
    assert {"nz-ring-none", "nz-stale"} <= set(marker("Herat reception"))  # never visited
    assert {"nz-ring-none", "nz-access-denied"} <= set(marker("Mashhad holding"))
    assert count(page, ".nz-access-denied .nz-facility-badge") == 1
    assert "nz-ring-4" in marker("Chaman")
    assert not page.locator("[class*=nz-grade]").count()
    assert count(page, ".nz-legend .nz-legend-ring") == 8  # 7 rings and stale
    assert page.get_attribute(".nz-legend .nz-ring-red-flag", "title") == \
        "Red flag at the last visit"
    assert "! red flag" in page.inner_text(".nz-legend")

    # The time slider shows the months of 2025 that have incidents, all chosen.
    bars = page.evaluate("""Array.from(document.querySelectorAll('.nz-timeline .nz-bar'))
                            .map(b => [b.dataset.month, +b.dataset.count])""")
    assert sum(n for _, n in bars) == mapped(demo)
    assert bars[0][0] == "2025-01-01" and bars[-1][0] == "2025-11-01"
    page.screenshot(path=str(artifacts / "workspace-map.png"))

    # Clicking a month's bar narrows the dates to that month: the counts and the URL follow.
    month, in_month = next((m, n) for m, n in bars[1:] if n)
    with page.expect_response(lambda r: is_incidents(r, **{"from": month})) as narrowed:
        page.click(f".nz-bar[data-month='{month}']")
    assert narrowed.value.json()["total"] == in_month
    query = parse_qs(urlsplit(page.url).query)
    assert query["from"] == [month] and query["to"][0].startswith(month[:7])
    assert page.input_value("#nz-from") == month
    assert count(page, ".nz-bar.nz-bar-selected") == 1
    clean(page)


def test_type_filter_changes_counts_and_url_and_the_link_reproduces_it(page, live_server,
                                                                        coordinator, demo):
    first = open_map(page, live_server, coordinator)
    page.click("#nz-filter-type summary")
    with page.expect_response(lambda r: is_incidents(r, type="pushback")) as filtered:
        page.check("#nz-type-pushback")
    answer = filtered.value.json()
    assert answer["total"] == mapped(demo, "pushback") < first["total"]
    wait_until(page, f"document.getElementById('nz-map').dataset.incidentTotal === "
                     f"'{answer['total']}'")
    assert count(page, "path.nz-cell") == len(answer["cells"])
    query = parse_qs(urlsplit(page.url).query)
    assert query["type"] == ["pushback"]
    assert {"lat", "lon", "z"} <= set(query)
    assert page.inner_text("[data-chosen=type]") == "(1)"
    # Export links carry the same view.
    export = parse_qs(urlsplit(page.get_attribute("#nz-export-csv", "href")).query)
    assert export["type"] == ["pushback"] and export["format"] == ["csv"] and "bbox" in export

    # A second type (lists keep the form's order), then the link opened afresh: same filters,
    # same view, same counts.
    with page.expect_response(lambda r: is_incidents(r, type="forced_return,pushback")) as both:
        page.check("#nz-type-forced_return")
    both_total = both.value.json()["total"]
    assert both_total == mapped(demo, "pushback") + mapped(demo, "forced_return")
    wait_until(page, f"document.getElementById('nz-map').dataset.incidentTotal === "
                     f"'{both_total}'")
    link = page.url
    assert "type=forced_return,pushback" in link
    with page.expect_response(lambda r: is_incidents(r, type="forced_return,pushback")) as again:
        page.goto(link)
    assert again.value.json()["total"] == both_total
    assert page.is_checked("#nz-type-pushback") and page.is_checked("#nz-type-forced_return")
    assert not page.is_checked("#nz-type-arbitrary_arrest")

    # Exporting the view: the same incidents, as a CSV file, and an audit entry.
    with page.expect_download() as download:
        page.click("#nz-export-csv")
    rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("id,view,organisation,type,") and len(rows) - 1 == both_total
    [(details,)] = query_db(live_server, "SELECT details FROM audit_log WHERE action = 'export'")
    assert details["rows"] == both_total and details["format"] == "csv"
    assert details["filters"]["types"] == ["forced_return", "pushback"]

    # The heatmap switch asks for heatmap weights and draws them on a canvas.
    with page.expect_response(lambda r: is_incidents(r, mode="heatmap")) as heat:
        page.check("#nz-heat")
    assert heat.value.json()["total"] == both_total
    page.wait_for_selector("canvas.leaflet-heatmap-layer", timeout=TIMEOUT)
    assert count(page, "path.nz-cell") == 0
    assert parse_qs(urlsplit(page.url).query)["heat"] == ["1"]
    clean(page)


def test_zooming_in_shows_single_reports(page, live_server, coordinator, demo):
    with page.expect_response(lambda r: is_incidents(r, zoom="12")) as zoomed:
        open_map(page, live_server, coordinator, "/map?lat=34.115&lon=71.087&z=12")
    answer = zoomed.value.json()
    assert answer["mode"] == "points"
    page.wait_for_selector("path.nz-incident", timeout=TIMEOUT)
    assert count(page, "path.nz-incident") == len(answer["points"]["features"]) == answer["total"]
    assert answer["total"] >= 2  # at least the two reports of the pair


def test_facility_panel_shows_the_timeline(page, live_server, coordinator, demo, artifacts):
    open_map(page, live_server, coordinator)
    with page.expect_response(lambda r: "/api/map/facilities/" in r.url
                              and r.url.split("?")[0].endswith("/history")) as answer:
        page.click(".nz-facility[title='Torkham']")
    history = answer.value.json()
    panel = "#nz-facility-panel"
    page.wait_for_selector(f"{panel}[data-ready=true]", timeout=TIMEOUT)
    assert page.inner_text("#nz-panel-title") == "Torkham"
    # Red flags apart, then the four dimensions of the last visit; no overall grade.
    assert "Solitary confinement beyond 15 days" in page.inner_text(f"{panel} .nz-red-flags")
    assert count(page, f"{panel} .nz-dimensions tr") == 4
    assert "1 · poor" in page.inner_text(f"{panel} [data-dimension=safety_treatment]")
    assert "insufficient evidence" in page.inner_text(
        f"{panel} [data-dimension=return_reception]")
    assert page.inner_text(f"{panel} .nz-panel-header .nz-ring-badge") == "!"
    # The timeline: the server's SVG, one row per dimension, one cell per visit, coloured by
    # the rating the database holds; red flags marked.
    holder = f"{panel} .nz-timeline-holder"
    page.wait_for_selector(f"{holder}[data-ready=true]", timeout=TIMEOUT)
    assert page.get_attribute(f"{holder} svg", "role") == "img"
    cells = page.locator(f"{holder} rect.nz-cell")
    assert cells.count() == 4 * len(workspace_data.TORKHAM_VISITS)
    drawn = [cells.nth(i).get_attribute("data-rating") for i in range(cells.count())
             if cells.nth(i).get_attribute("data-dimension") == "material_conditions"]
    assert [v["ratings"]["material_conditions"] for v in history["visits"]] == [4, 4, 3, 3, 2]
    assert drawn == ["4", "4", "3", "3", "2"]
    flagged = [v["date"] for v in history["visits"] if v["red_flags"]]
    assert page.locator(f"{holder} g.nz-flag").count() == len(flagged) > 0
    page.locator(f"{holder} svg").screenshot(path=str(artifacts / "facility-timeline.png"))
    # Visit history (latest first), incidents nearby, and the way to the facility's reports.
    assert count(page, f"{panel} .nz-visit-history tbody tr") == 5
    assert page.get_attribute(f"{panel} .nz-nearby", "data-total") == str(history["nearby"]["total"])
    assert history["nearby"]["total"] > 0
    reports = page.get_attribute(f"{panel} .nz-panel-reports", "href")
    assert reports == f"/review?facility={demo.facilities['Torkham']}"
    assert parse_qs(urlsplit(page.url).query)["open"] == [str(demo.facilities["Torkham"])]
    page.screenshot(path=str(artifacts / "workspace-panel.png"))

    # Only this facility's incidents: the filter is set, the counts follow.
    with page.expect_response(lambda r: is_incidents(r, facility=str(demo.facilities["Torkham"]))):
        page.click(f"{panel} .nz-panel-filter")
    assert page.input_value("#nz-facility-filter") == str(demo.facilities["Torkham"])
    page.keyboard.press("Escape")
    page.wait_for_selector(f"{panel}[hidden]", state="attached", timeout=TIMEOUT)
    assert "open" not in parse_qs(urlsplit(page.url).query)
    clean(page)


def audit_entries(live_server, action: str, target) -> list:
    return [row.details for row in query_db(
        live_server, "SELECT details FROM audit_log WHERE action = :a AND target_id = :t "
                     "ORDER BY seq", a=action, t=str(target))]


def open_queue(page, live_server, coordinator, path: str = "/review"):
    sign_in(page, live_server.config["LIVE_URL"], coordinator, path)
    page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)


def test_verifying_and_flagging_from_the_queue(page, live_server, coordinator, demo, artifacts):
    open_queue(page, live_server, coordinator)
    ids = page.evaluate("Array.from(document.querySelectorAll('.nz-review-item'))"
                        ".map(e => e.dataset.id)")
    assert set(ids) == {str(demo.to_verify), *map(str, demo.pair)}
    item = f".nz-review-item[data-id='{demo.to_verify}']"
    assert page.locator(f"{item} .nz-flag").count() == 0
    flags = page.locator(f".nz-review-item[data-id='{demo.pair[1]}'] .nz-flag").all_inner_texts()
    assert flags == ["Possible duplicate"]
    page.screenshot(path=str(artifacts / "review-queue.png"))

    # Select with j/k, read the details (an audited read), verify with "v".
    while page.get_attribute(item, "aria-current") != "true":
        page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_selector(f"{item} .nz-item-details", timeout=TIMEOUT)
    assert "beaten during transfer" in page.inner_text(f"{item} .nz-item-details")
    # Its photo: the thumbnail loads, with when the camera says it was taken.
    wait_until(page, f"(() => {{ const i = document.querySelector("
                     f"\"{item} .nz-item-photos img\"); "
                     f"return i && i.complete && i.naturalWidth > 0; }})()", TIMEOUT)
    # (its day in the reader's calendar, the camera's own clock and offset)
    assert page.inner_text(f"{item} .nz-photo-taken") == "Taken 20 Nov 2026 09:15:02 +04:30"
    with page.expect_response(lambda r: r.url.endswith(f"/api/incidents/{demo.to_verify}/review")
                              and r.request.method == "POST") as decided:
        page.keyboard.press("v")
    assert decided.value.status == 200
    sent = json.loads(decided.value.request.post_data)
    assert sent.pop("updated_at")  # the version the reviewer read (a stale one is refused)
    assert sent == {"action": "verify"}
    page.wait_for_selector(f"{item}[data-done=true]", timeout=TIMEOUT)
    [(status,)] = query_db(live_server, "SELECT verification_status FROM incidents WHERE id = :i",
                           i=demo.to_verify)
    assert status == "verified"
    assert audit_entries(live_server, "incident.review", demo.to_verify) == [
        {"action": "verify", "from": "submitted", "to": "verified"}]
    assert audit_entries(live_server, "incident.read_sensitive", demo.to_verify) == [
        {"fields": ["narrative", "photos"]}]
    reads = [row.details for row in query_db(
        live_server, "SELECT details FROM audit_log WHERE action = 'attachment.read'")]
    assert reads and all(read == {"thumbnail": True} for read in reads)  # the thumbnail, audited

    # The decided card stays selected and says its new status; "j" goes to the next open item
    # (it used to skip one: the queue had already moved on). "i" asks for a required comment.
    assert page.get_attribute(item, "aria-current") == "true"
    assert page.inner_text(f"{item} [data-role=status]") == "Verified"
    page.keyboard.press("j")
    flagged = page.evaluate("document.querySelector('.nz-review-item[aria-current=true]')"
                            ".dataset.id")
    assert flagged in {str(i) for i in demo.pair}
    page.keyboard.press("i")
    comment = f".nz-review-item[data-id='{flagged}'] textarea[name=comment]"
    page.wait_for_selector(f"{comment}:focus", timeout=TIMEOUT)
    page.keyboard.press("Control+Enter")
    assert page.get_attribute(comment, "aria-invalid") == "true"
    page.fill(comment, "Which checkpoint? Add the time.")
    with page.expect_response(lambda r: r.url.endswith(f"/api/incidents/{flagged}/review")):
        page.keyboard.press("Control+Enter")
    [(status, remark)] = query_db(
        live_server, "SELECT verification_status, review_comment FROM incidents WHERE id = :i",
        i=flagged)
    assert (status, remark) == ("has_issues", "Which checkpoint? Add the time.")
    assert audit_entries(live_server, "incident.review", flagged) == [
        {"action": "has_issues", "from": "submitted", "to": "has_issues"}]
    clean(page)


def test_merging_a_suggested_duplicate(page, live_server, coordinator, demo, artifacts):
    base = live_server.config["LIVE_URL"]
    earlier, later = demo.pair
    page.on("dialog", lambda dialog: dialog.accept())  # the merge asks for a confirmation
    open_queue(page, live_server, coordinator, "/review?tab=duplicates")
    pairs = page.locator(".nz-review-item[data-kind=pair]")
    assert pairs.count() == 1
    assert pairs.get_attribute("data-id") == f"{later}:{earlier}"
    sides = page.locator(".nz-pair-side h3").all_inner_texts()
    assert sides == ["Newer report (suggested duplicate)", "Report to keep"]
    assert "men: 12" in page.inner_text(".nz-pair-side:nth-child(2)")
    assert "men: 10, boys: 1" in page.inner_text(".nz-pair-side:nth-child(1)")
    page.screenshot(path=str(artifacts / "review-duplicates.png"))

    counted = f"{base}/api/map/incidents?bbox=70,33,72,35&zoom=6"
    before = page.request.get(counted).json()["total"]
    with page.expect_response(lambda r: r.url.endswith(f"/api/incidents/{later}/merge")) as done:
        page.keyboard.press("m")
    assert done.value.status == 200
    assert json.loads(done.value.request.post_data) == {"original_id": str(earlier)}
    page.wait_for_selector(".nz-review-item[data-done=true]", timeout=TIMEOUT)
    [(duplicate_of,)] = query_db(live_server, "SELECT duplicate_of FROM incidents WHERE id = :i",
                                 i=later)
    assert duplicate_of == earlier
    assert audit_entries(live_server, "incident.merge", later) == [
        {"duplicate_of": str(earlier)}]
    # Both reports stay, linked; the map counts the event once.
    assert page.request.get(counted).json()["total"] == before - 1
    # Undone: counted on its own again, audited.
    with page.expect_response(lambda r: r.url.endswith(f"/api/incidents/{later}/unmerge")) as undo:
        page.click(".nz-review-item[data-done=true] [data-action=unmerge]")
    assert undo.value.status == 200
    assert query_db(live_server, "SELECT duplicate_of FROM incidents WHERE id = :i",
                    i=later) == [(None,)]
    assert audit_entries(live_server, "incident.unmerge", later) == [
        {"was_duplicate_of": str(earlier)}]
    assert page.request.get(counted).json()["total"] == before
    clean(page)


def test_rejecting_a_flagged_visit_with_the_buttons(page, live_server, coordinator, demo):
    open_queue(page, live_server, coordinator, "/review?tab=visits")
    item = f".nz-review-item[data-id='{demo.pending_visit}']"
    assert page.locator(".nz-review-item").count() == 1
    assert page.locator(f"{item} .nz-flag").all_inner_texts() == [
        "Far from the facility", "Poor GPS accuracy"]
    assert "Islam Qala" in page.inner_text(f"{item} .nz-item-title")
    page.click(f"{item} .nz-action-reject")
    page.fill(f"{item} textarea[name=comment]", "The position is 3 km off; resend from the site.")
    with page.expect_response(lambda r: r.url.endswith(f"/api/visits/{demo.pending_visit}/review")
                              ) as decided:
        page.click(f"{item} .nz-comment-send")
    assert decided.value.status == 200
    sent = json.loads(decided.value.request.post_data)
    assert sent.pop("updated_at")  # the version the reviewer read (a stale one is refused)
    assert sent == {"action": "reject",
                    "comment": "The position is 3 km off; resend from the site."}
    page.wait_for_selector(f"{item}[data-done=true]", timeout=TIMEOUT)
    assert page.inner_text(f"{item} .nz-item-result") == "Rejected."
    [(status,)] = query_db(live_server, "SELECT review_status FROM visits WHERE id = :i",
                           i=demo.pending_visit)
    assert status == "rejected"
    assert audit_entries(live_server, "visit.review", demo.pending_visit) == [
        {"action": "reject", "from": "submitted", "to": "rejected"}]
    clean(page)


def test_dari_workspace_mirrors(page, live_server, coordinator, demo, artifacts):
    open_map(page, live_server, coordinator)
    page.click(".nz-languages a[lang=fa-AF]")
    page.wait_for_selector("#nz-map[data-incident-loads]", timeout=TIMEOUT)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    # The filters sit at the start of the line: on the right in Dari.
    sidebar = page.locator(".nz-sidebar").bounding_box()
    map_box = page.locator("#nz-map").bounding_box()
    assert sidebar["x"] > map_box["x"]
    assert page.inner_text("#nz-filters-heading") == "رویدادها"
    assert "رویداد در این نما" in page.inner_text("#nz-incident-summary")
    page.click(".nz-facility[title='Torkham']")
    page.wait_for_selector("#nz-facility-panel[data-ready=true]", timeout=TIMEOUT)
    assert page.locator("#nz-facility-panel").bounding_box()["x"] < map_box["x"] + 10
    assert "امنیت و رفتار" in page.inner_text("#nz-facility-panel .nz-dimensions")
    assert "پرچم سرخ" in page.get_attribute(".nz-legend .nz-ring-red-flag", "title")
    page.screenshot(path=str(artifacts / "workspace-dari.png"))
    clean(page)


def test_a_visit_card_shows_its_dimensions_and_red_flags_in_english_and_dari(
        page, live_server, coordinator, demo):
    """Issue 15: the review queue shows each dimension's rating and the red flags apart (never
    an overall grade), in English and in Dari, right to left."""
    with live_server.app_context():
        db.session.execute(text("UPDATE visits SET red_flags = CAST(:f AS jsonb) WHERE id = :i"),
                           {"f": json.dumps([workspace_data.RED_FLAG]), "i": demo.pending_visit})
        db.session.commit()
    open_queue(page, live_server, coordinator, "/review?tab=visits")
    item = f".nz-review-item[data-id='{demo.pending_visit}']"
    assert page.locator(f"{item} .nz-dimension-list li[data-dimension]").count() == 4
    [(dimensions,)] = query_db(live_server, "SELECT dimensions FROM visits WHERE id = :i",
                               i=demo.pending_visit)
    rated = [name for name in ("safety_treatment", "legal_protection", "material_conditions")
             if (dimensions.get(name) or {}).get("rating") == 3]
    assert rated, dimensions
    shown = page.inner_text(f"{item} [data-dimension={rated[0]}]")
    assert shown.split("\n")[0].strip().endswith(": 3 · reasonably good"), shown
    assert page.inner_text(f"{item} [data-dimension=return_reception]").split("\n")[0].strip(
        ).endswith(": insufficient evidence")
    assert "Solitary confinement beyond 15 days" in page.inner_text(f"{item} .nz-red-flag")
    assert not page.locator("[class*=nz-grade]").count()

    base = live_server.config["LIVE_URL"]
    page.goto(base + "/language/prs?next=" + quote("/review?tab=visits"))
    page.wait_for_selector("#nz-review-list[data-ready=true]", timeout=TIMEOUT)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.locator(f"{item} .nz-dimension-list li[data-dimension]").count() == 4
    dari = page.inner_text(f"{item} [data-dimension={rated[0]}]").split("\n")[0]
    assert dari.strip() and not any(word in dari for word in ("reasonably", "good", "Safety",
                                                               "Legal", "Material"))
    assert "Solitary" not in page.inner_text(f"{item} .nz-red-flag")
